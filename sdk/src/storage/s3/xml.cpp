#include "storage/s3/xml.hpp"

#include <cstdint>

namespace lambdaport::storage::detail::s3 {

namespace {

constexpr int max_depth = 64;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_name_char(char c) {
    return !is_space(c) && c != '>' && c != '/' && c != '=' && c != '<' && c != '"' && c != '\'';
}

void append_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
        out.push_back(char(code));
    } else if (code < 0x800) {
        out.push_back(char(0xC0 | (code >> 6)));
        out.push_back(char(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
        out.push_back(char(0xE0 | (code >> 12)));
        out.push_back(char(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(char(0x80 | (code & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (code >> 18)));
        out.push_back(char(0x80 | ((code >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(char(0x80 | (code & 0x3F)));
    }
}

// Appends the decoded form of one reference (`name` is what lies between '&' and ';').
void decode_reference(std::string_view name, std::string& out) {
    if (name == "lt") {
        out.push_back('<');
    } else if (name == "gt") {
        out.push_back('>');
    } else if (name == "amp") {
        out.push_back('&');
    } else if (name == "quot") {
        out.push_back('"');
    } else if (name == "apos") {
        out.push_back('\'');
    } else if (name.size() >= 2 && name[0] == '#') {
        const bool hex = name[1] == 'x' || name[1] == 'X';
        std::string_view digits = name.substr(hex ? 2 : 1);
        if (digits.empty() || digits.size() > 8) {
            throw xml_error("malformed character reference &" + std::string(name) + ";");
        }
        std::uint32_t code = 0;
        for (char c : digits) {
            std::uint32_t digit;
            if (c >= '0' && c <= '9') {
                digit = std::uint32_t(c - '0');
            } else if (hex && c >= 'a' && c <= 'f') {
                digit = std::uint32_t(c - 'a' + 10);
            } else if (hex && c >= 'A' && c <= 'F') {
                digit = std::uint32_t(c - 'A' + 10);
            } else {
                throw xml_error("malformed character reference &" + std::string(name) + ";");
            }
            code = code * (hex ? 16 : 10) + digit;
        }
        if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            throw xml_error("character reference &" + std::string(name) +
                            "; is not a Unicode scalar value");
        }
        append_utf8(out, code);
    } else {
        throw xml_error("unknown entity &" + std::string(name) + ";");
    }
}

void decode_into(std::string_view text, std::string& out) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t amp = text.find('&', pos);
        if (amp == std::string_view::npos) {
            out.append(text.substr(pos));
            return;
        }
        out.append(text.substr(pos, amp - pos));
        const std::size_t semi = text.find(';', amp);
        if (semi == std::string_view::npos || semi - amp > 12) {
            throw xml_error("unterminated entity reference");
        }
        decode_reference(text.substr(amp + 1, semi - amp - 1), out);
        pos = semi + 1;
    }
}

class parser {
  public:
    explicit parser(std::string_view doc) : doc_(doc) {}

    xml_element document() {
        if (doc_.substr(0, 3) == "\xEF\xBB\xBF") {
            pos_ = 3;
        }
        skip_misc();
        if (at_end() || doc_[pos_] != '<') {
            fail("no root element");
        }
        xml_element root = element(0);
        skip_misc();
        if (!at_end()) {
            fail("content after the root element");
        }
        return root;
    }

  private:
    bool at_end() const { return pos_ >= doc_.size(); }
    bool starts_with(std::string_view s) const { return doc_.substr(pos_, s.size()) == s; }

    [[noreturn]] void fail(const std::string& what) const {
        throw xml_error("XML: " + what + " at byte " + std::to_string(pos_));
    }

    void skip_past(std::string_view terminator) {
        const std::size_t end = doc_.find(terminator, pos_);
        if (end == std::string_view::npos) {
            fail("unterminated '" + std::string(terminator) + "'");
        }
        pos_ = end + terminator.size();
    }

    // Whitespace, comments, processing instructions and DOCTYPE between elements.
    void skip_misc() {
        for (;;) {
            while (!at_end() && is_space(doc_[pos_])) {
                ++pos_;
            }
            if (starts_with("<?")) {
                skip_past("?>");
            } else if (starts_with("<!--")) {
                skip_past("-->");
            } else if (starts_with("<!DOCTYPE")) {
                skip_past(">");
            } else {
                return;
            }
        }
    }

    std::string name() {
        const std::size_t start = pos_;
        while (!at_end() && is_name_char(doc_[pos_])) {
            ++pos_;
        }
        if (pos_ == start) {
            fail("expected a name");
        }
        return std::string(doc_.substr(start, pos_ - start));
    }

    static std::string local(std::string qualified) {
        const auto colon = qualified.find(':');
        return colon == std::string::npos ? qualified : qualified.substr(colon + 1);
    }

    // At '<' of a start tag.
    xml_element element(int depth) {
        if (depth > max_depth) {
            fail("elements nested too deeply");
        }
        ++pos_;
        const std::string qualified = name();
        xml_element out;
        out.name = local(qualified);
        // Attributes: skipped, honouring quotes (a '>' may sit inside a value).
        for (;;) {
            if (at_end()) {
                fail("unterminated start tag <" + qualified + ">");
            }
            const char c = doc_[pos_];
            if (c == '"' || c == '\'') {
                const std::size_t close = doc_.find(c, pos_ + 1);
                if (close == std::string_view::npos) {
                    fail("unterminated attribute value");
                }
                pos_ = close + 1;
            } else if (c == '/') {
                if (!starts_with("/>")) {
                    fail("stray '/' in a start tag");
                }
                pos_ += 2;
                return out;
            } else if (c == '>') {
                ++pos_;
                break;
            } else {
                ++pos_;
            }
        }
        // Content.
        for (;;) {
            const std::size_t lt = doc_.find('<', pos_);
            if (lt == std::string_view::npos) {
                fail("missing end tag </" + qualified + ">");
            }
            decode_into(doc_.substr(pos_, lt - pos_), out.text);
            pos_ = lt;
            if (starts_with("</")) {
                pos_ += 2;
                if (name() != qualified) {
                    fail("end tag does not match <" + qualified + ">");
                }
                while (!at_end() && is_space(doc_[pos_])) {
                    ++pos_;
                }
                if (at_end() || doc_[pos_] != '>') {
                    fail("malformed end tag");
                }
                ++pos_;
                return out;
            }
            if (starts_with("<![CDATA[")) {
                pos_ += 9;
                const std::size_t end = doc_.find("]]>", pos_);
                if (end == std::string_view::npos) {
                    fail("unterminated CDATA section");
                }
                out.text.append(doc_.substr(pos_, end - pos_));
                pos_ = end + 3;
            } else if (starts_with("<!--")) {
                skip_past("-->");
            } else if (starts_with("<?")) {
                skip_past("?>");
            } else {
                out.children.push_back(element(depth + 1));
            }
        }
    }

    std::string_view doc_;
    std::size_t pos_ = 0;
};

}  // namespace

const xml_element* xml_element::child(std::string_view child_name) const noexcept {
    for (const auto& c : children) {
        if (c.name == child_name) {
            return &c;
        }
    }
    return nullptr;
}

std::string xml_element::child_text(std::string_view child_name) const {
    const xml_element* c = child(child_name);
    return c ? c->text : std::string();
}

xml_element parse_xml(std::string_view document) {
    return parser(document).document();
}

std::string decode_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    decode_into(text, out);
    return out;
}

}  // namespace lambdaport::storage::detail::s3
