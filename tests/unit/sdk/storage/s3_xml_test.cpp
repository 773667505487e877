// The XML reader for S3 answers.

#include <doctest/doctest.h>

#include "storage/s3/xml.hpp"

using namespace lambdaport::storage::detail::s3;

TEST_CASE("s3 xml: elements, text, namespaces, attributes, prolog") {
    const auto root = parse_xml(
        "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!-- a comment -->\n"
        "<s3:Root xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\" a='1>2'>\n"
        "  <Name>bucket</Name>\n"
        "  <Empty/>\n"
        "  <Empty2 x=\"y\" />\n"
        "  <Item><Key> spaced </Key></Item>\n"
        "  <Item><Key>second</Key></Item>\n"
        "</s3:Root>\n");
    CHECK(root.name == "Root");
    CHECK(root.child_text("Name") == "bucket");
    REQUIRE(root.child("Empty"));
    CHECK(root.child("Empty")->text.empty());
    CHECK(root.child("Empty2"));
    CHECK(root.child("Missing") == nullptr);
    CHECK(root.child_text("Missing").empty());
    int items = 0;
    for (const auto& c : root.children) {
        if (c.name == "Item") {
            ++items;
        }
    }
    CHECK(items == 2);
    CHECK(root.child("Item")->child_text("Key") == " spaced ");
}

TEST_CASE("s3 xml: entities and character references are decoded") {
    const auto root = parse_xml(
        "<K>a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42;&#x1; &#x20AC;&#128512;</K>");
    CHECK(root.text == "a&b <c> \"d\" 'e' AB\x01 \xE2\x82\xAC\xF0\x9F\x98\x80");
    CHECK(parse_xml("<K><![CDATA[<raw> & stuff]]>tail</K>").text == "<raw> & stufftail");
    CHECK(decode_entities("x &amp;amp; y") == "x &amp; y");
}

TEST_CASE("s3 xml: malformed documents throw xml_error") {
    CHECK_THROWS_AS(parse_xml(""), xml_error);
    CHECK_THROWS_AS(parse_xml("not xml"), xml_error);
    CHECK_THROWS_AS(parse_xml("<a>"), xml_error);
    CHECK_THROWS_AS(parse_xml("<a></b>"), xml_error);
    CHECK_THROWS_AS(parse_xml("<a>&bogus;</a>"), xml_error);
    CHECK_THROWS_AS(parse_xml("<a>&amp</a>"), xml_error);
    CHECK_THROWS_AS(parse_xml("<a>&#xD800;</a>"), xml_error);
    CHECK_THROWS_AS(parse_xml("<a>&#x110000;</a>"), xml_error);
    CHECK_THROWS_AS(parse_xml("<a>&#12a;</a>"), xml_error);
    CHECK_THROWS_AS(parse_xml("<a></a><b></b>"), xml_error);
    CHECK_THROWS_AS(parse_xml("<a><![CDATA[x</a>"), xml_error);
    CHECK_THROWS_AS(parse_xml("<a x=\"1></a>"), xml_error);
    std::string deep;
    for (int i = 0; i < 100; ++i) {
        deep += "<d>";
    }
    CHECK_THROWS_AS(parse_xml(deep), xml_error);
}
