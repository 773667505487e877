#include "template/yaml.hpp"

#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"

using namespace lambdaport::runtime::sam;

namespace {

std::string error_of(const std::string& yaml) {
    try {
        parse_yaml(yaml, "t.yaml");
    } catch (const lambdaport::runtime::config::config_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("mappings keep their order; scalars are text whatever they look like") {
    auto doc = parse_yaml("b: 12\na: true\nc: \"x y\"\nd:\n", "t.yaml");
    REQUIRE(doc.is_mapping());
    REQUIRE(doc.entries.size() == 4);
    CHECK(doc.entries[0].first == "b");
    CHECK(doc.entries[0].second.text == "12");
    CHECK(doc.find("a")->text == "true");
    CHECK(doc.find("c")->text == "x y");
    CHECK(doc.find("d")->is_null());
    CHECK(doc.find("e") == nullptr);
}

TEST_CASE("short and long forms of an intrinsic are the same node") {
    auto doc = parse_yaml("s: !GetAtt Q.Arn\nl: {\"Fn::GetAtt\": Q.Arn}\nr: {Ref: X}\n", "t.yaml");
    const node* s = doc.find("s");
    const node* l = doc.find("l");
    REQUIRE(s->is_intrinsic());
    REQUIRE(l->is_intrinsic());
    CHECK(s->text == "Fn::GetAtt");
    CHECK(l->text == "Fn::GetAtt");
    CHECK(s->spelling == "!GetAtt");
    CHECK(l->spelling == "Fn::GetAtt");
    CHECK(s->items.at(0).text == "Q.Arn");
    CHECK(doc.find("r")->text == "Ref");
}

TEST_CASE("a tagged sequence keeps its items' own tags") {
    auto doc = parse_yaml("v: !Sub\n  - \"${A}\"\n  - A: !Ref B\n", "t.yaml");
    const node* v = doc.find("v");
    REQUIRE(v->is_intrinsic());
    const node& arg = v->items.at(0);
    REQUIRE(arg.is_sequence());
    CHECK(arg.items.at(1).find("A")->is_intrinsic());
}

TEST_CASE("a mapping with more keys than one is never an intrinsic") {
    auto doc = parse_yaml("v: {Ref: X, Other: 1}\n", "t.yaml");
    CHECK(doc.find("v")->is_mapping());
}

TEST_CASE("bad YAML and duplicate keys are one line naming the file") {
    CHECK(error_of("a: [1, 2\n").starts_with("t.yaml: line "));
    CHECK(error_of("Resources:\n  A: 1\n  A: 2\n") == "t.yaml: Resources.A: duplicate key");
}
