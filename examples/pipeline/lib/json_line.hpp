#pragma once

// A strict, allocation-light reader for the one shape JSON Lines rows have: an object whose members
// are read one by one. It checks the whole line is valid JSON (RFC 8259, UTF-8 included) and hands
// each top-level member to a callback; nested objects and arrays are checked and reported by kind
// only. About ten times faster than building a document per line, which matters at GB scale.

#include <string>
#include <string_view>

namespace pipeline {

struct json_value {
    enum kind_type { null, boolean, number, string, object, array } kind = null;
    /// string: the unescaped text; number: the number's text as written; boolean: "true"/"false".
    std::string_view text;
};

namespace detail {

class json_reader {
  public:
    void reset(std::string_view text) {
        s_ = text;
        i_ = 0;
    }

    template <class F>
    bool object_members(F&& on_member) {
        skip_ws();
        if (!eat('{')) {
            return false;
        }
        skip_ws();
        if (eat('}')) {
            return at_end();
        }
        for (;;) {
            skip_ws();
            if (!read_string(key_)) {
                return false;
            }
            skip_ws();
            if (!eat(':')) {
                return false;
            }
            skip_ws();
            json_value v;
            if (!read_value(v, 0)) {
                return false;
            }
            on_member(std::string_view(key_), v);
            skip_ws();
            if (eat(',')) {
                continue;
            }
            if (eat('}')) {
                return at_end();
            }
            return false;
        }
    }

  private:
    bool at_end() {
        skip_ws();
        return i_ == s_.size();
    }
    bool eat(char c) {
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    void skip_ws() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
            ++i_;
        }
    }
    bool read_value(json_value& v, int depth);
    bool read_string(std::string& out);
    bool read_number(json_value& v);
    bool skip_container(char close, int depth);
    bool literal(std::string_view word);

    std::string_view s_;
    std::size_t i_ = 0;
    std::string key_;
    std::string value_;
};

}  // namespace detail

/// Calls `on_member(key, value)` for each member of the object on `line`, in order; the views are
/// valid during the call only. False when the line is not exactly one valid JSON object (members
/// before the error may have been reported).
template <class F>
bool for_each_member(std::string_view line, F&& on_member) {
    thread_local detail::json_reader reader;  // keeps its buffers from line to line
    reader.reset(line);
    return reader.object_members(std::forward<F>(on_member));
}

}  // namespace pipeline
