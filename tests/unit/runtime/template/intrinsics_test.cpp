#include "template/intrinsics.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "config/config.hpp"
#include "template/yaml.hpp"

using namespace lambdaport::runtime::sam;

namespace {

// Names as a template might have them: a parameter, a pseudo parameter, a bucket with an ARN.
class names final : public resolver {
  public:
    std::string ref(const std::string& name, const std::string& spelling) override {
        static const std::map<std::string, std::string> values{
            {"Stage", "dev"}, {"AWS::Region", "eu-west-1"}, {"Raw", "raw-bucket"}};
        if (auto it = values.find(name); it != values.end()) {
            return it->second;
        }
        throw reason_error(spelling + " names no parameter or resource in the template");
    }
    std::string get_att(const std::string& name, const std::string& attribute,
                        const std::string& spelling) override {
        if (name == "Raw" && attribute == "Arn") {
            return "arn:aws:s3:::raw-bucket";
        }
        throw reason_error(spelling + " names no resource in the template");
    }
};

// The value of key `v` in a one-line YAML mapping, evaluated.
std::string value_of(const std::string& yaml) {
    names n;
    auto doc = parse_yaml(yaml, "t.yaml");
    auto v = evaluate(*doc.find("v"), n, "t.yaml", "v");
    REQUIRE(v.is_scalar());
    return v.text;
}

std::string error_of(const std::string& yaml) {
    try {
        value_of(yaml);
    } catch (const lambdaport::runtime::config::config_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("Ref in short and long form") {
    CHECK(value_of("v: !Ref Stage") == "dev");
    CHECK(value_of("v: {Ref: Stage}") == "dev");
    CHECK(value_of("v:\n  Ref: AWS::Region") == "eu-west-1");
}

TEST_CASE("GetAtt as X.Attr and as a list, short and long") {
    CHECK(value_of("v: !GetAtt Raw.Arn") == "arn:aws:s3:::raw-bucket");
    CHECK(value_of("v: !GetAtt [Raw, Arn]") == "arn:aws:s3:::raw-bucket");
    CHECK(value_of("v:\n  Fn::GetAtt: [Raw, Arn]") == "arn:aws:s3:::raw-bucket");
    CHECK(value_of("v: {\"Fn::GetAtt\": Raw.Arn}") == "arn:aws:s3:::raw-bucket");
}

TEST_CASE("Sub replaces ${Name}, ${Name.Attr} and pseudo parameters, keeps ${!Literal}") {
    CHECK(value_of("v: !Sub \"${Stage}-${AWS::Region}-x\"") == "dev-eu-west-1-x");
    CHECK(value_of("v: !Sub \"arn=${Raw.Arn}\"") == "arn=arn:aws:s3:::raw-bucket");
    CHECK(value_of("v: !Sub \"${!Stage} is ${Stage}\"") == "${Stage} is dev");
    CHECK(value_of("v: !Sub plain text") == "plain text");
    CHECK(value_of("v:\n  Fn::Sub: \"${Stage}!\"") == "dev!");
}

TEST_CASE("Sub's list form takes variables, which may use intrinsics themselves") {
    CHECK(value_of("v: !Sub\n  - \"${Name}/${Stage}\"\n  - Name: !Ref Raw\n") == "raw-bucket/dev");
    CHECK(value_of("v:\n  Fn::Sub:\n    - \"${A}\"\n    - {A: literal}\n") == "literal");
}

TEST_CASE("intrinsics nested in mappings and lists are all evaluated") {
    names n;
    auto doc = parse_yaml("v:\n  A: !Ref Stage\n  B: [x, !GetAtt Raw.Arn]\n", "t.yaml");
    auto v = evaluate(*doc.find("v"), n, "t.yaml", "v");
    REQUIRE(v.is_mapping());
    CHECK(v.find("A")->text == "dev");
    CHECK(v.find("B")->items.at(1).text == "arn:aws:s3:::raw-bucket");
}

TEST_CASE("errors name the file, the path and what was written") {
    CHECK(error_of("v: !Ref Nope") ==
          "t.yaml: v: !Ref Nope names no parameter or resource in the "
          "template");
    CHECK(error_of("v: {Ref: Nope}") ==
          "t.yaml: v: Ref: Nope names no parameter or resource in "
          "the template");
    CHECK(error_of("v: !GetAtt Nope.Arn") ==
          "t.yaml: v: !GetAtt Nope.Arn names no resource in the "
          "template");
    CHECK(error_of("v: !GetAtt NoDot") ==
          "t.yaml: v: !GetAtt needs LogicalId.Attribute or [LogicalId, Attribute]");
    CHECK(error_of("v: !Sub \"${Stage\"") ==
          "t.yaml: v: !Sub '${Stage': '${' without a closing '}'");
    CHECK(error_of("v: !Sub \"${Nope}\"") ==
          "t.yaml: v: ${Nope} names no parameter or resource in the template");
    CHECK(error_of("v: !Ref") == "t.yaml: v: !Ref needs the name of a parameter or resource");
}

TEST_CASE("intrinsics lambdaport does not evaluate are refused, in the form written") {
    CHECK(error_of("v: !If [C, a, b]") ==
          "t.yaml: v: !If is not supported (lambdaport evaluates !Ref, !GetAtt and !Sub)");
    CHECK(error_of("v: !ImportValue shared") ==
          "t.yaml: v: !ImportValue is not supported (lambdaport evaluates !Ref, !GetAtt and !Sub)");
    CHECK(error_of("v:\n  Fn::Join: [\"-\", [a, b]]") ==
          "t.yaml: v: Fn::Join: is not supported (lambdaport evaluates Ref, Fn::GetAtt and "
          "Fn::Sub)");
    CHECK(error_of("v: [ok, !Select [0, [a]]]") ==
          "t.yaml: v[1]: !Select is not supported (lambdaport evaluates !Ref, !GetAtt and !Sub)");
}
