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

TEST_CASE("nesting is limited, also through aliases, and cycles are refused") {
    const auto deep = error_of("a: " + std::string(100'000, '[') + std::string(100'000, ']'));
    CHECK(deep.starts_with("t.yaml: line 1, column "));
    CHECK(deep.ends_with(": nested more than 499 levels deep"));
    CHECK(parse_yaml("a: " + std::string(400, '[') + std::string(400, ']') + "\n", "t.yaml")
              .is_mapping());
    // An alias nests its anchor's depth again: 300 levels in `b`, 600 in `c`, while yaml-cpp sees
    // at most 300.
    const std::string through_aliases = "b: &b " + std::string(300, '[') + "x" +
                                        std::string(300, ']') + "\nc: " + std::string(300, '[') +
                                        "*b" + std::string(300, ']') + "\n";
    CHECK(error_of(through_aliases) ==
          "t.yaml: line 1, column 206: nested more than 500 levels deep (through "
          "aliases)");
    CHECK(error_of("a: &a [x, *a]\n") ==
          "t.yaml: line 1, column 4: an alias refers to a node that contains it");
    CHECK(error_of("a: &a {k: [1, *a]}\n") ==
          "t.yaml: line 1, column 4: an alias refers to a node that contains it");
}

TEST_CASE("aliases expand to copies, but not to a billion of them") {
    auto doc = parse_yaml("base: &b {k: [1, 2]}\nuse: *b\n", "t.yaml");
    REQUIRE(doc.find("use")->is_mapping());
    CHECK(doc.find("use")->find("k")->items.at(1).text == "2");

    std::string bomb = "x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (int i = 1; i < 10; ++i) {
        std::string prev = "*x" + std::to_string(i - 1);
        bomb += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [" + prev;
        for (int j = 1; j < 9; ++j) {
            bomb += ", " + prev;
        }
        bomb += "]\n";
    }
    const auto error = error_of(bomb);
    CHECK(error.starts_with("t.yaml: line "));
    CHECK(error.ends_with(": aliases expand the template to more than 100000 values"));
}

TEST_CASE("errors inside sequences and mappings name the path") {
    CHECK(error_of("a:\n  - x\n  - {b: !<tag:example.com,2000:x> 1}\n") ==
          "t.yaml: a[1].b: the tag tag:example.com,2000:x is not supported");
    CHECK(error_of("a: {[1]: 2}\n") == "t.yaml: a: a key must be a plain string");
}
