#pragma once

// A small XML reader for S3's answers: elements, their text, entities (named and numeric)
// decoded. Attributes, namespaces (prefixes are dropped), comments, processing instructions and
// DOCTYPE are skipped; CDATA is kept as text. Not a validating parser: what S3 and compatible
// stores send, and a clear error for what is not XML.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lambdaport::storage::detail::s3 {

class xml_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct xml_element {
    /// The local name (any `prefix:` dropped).
    std::string name;
    /// The element's own character data, entities decoded, whitespace kept as sent.
    std::string text;
    std::vector<xml_element> children;

    /// The first child named `child_name`, or nullptr.
    const xml_element* child(std::string_view child_name) const noexcept;
    /// The text of the first child named `child_name`; empty when there is none.
    std::string child_text(std::string_view child_name) const;
};

/// Parses a whole document into its root element.
/// @throws xml_error on malformed input (message says what and where).
xml_element parse_xml(std::string_view document);

/// Decodes `&lt; &gt; &amp; &quot; &apos; &#N; &#xH;` in `text`.
/// @throws xml_error for an unknown or malformed reference.
std::string decode_entities(std::string_view text);

}  // namespace lambdaport::storage::detail::s3
