#include "util/json.hpp"

#include <iterator>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lambdaport::runtime::util {
namespace {

using json = nlohmann::json;

// A pointer into the text that also leaves behind how far the parser has read, so that the
// builder can say where a problem is: the SAX interface gives no positions of its own. It costs
// a tenth of the parse, so only a text that has a problem is read again with it.
class tracking_iterator {
  public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    tracking_iterator(const char* at, const char** cursor) noexcept : at_(at), cursor_(cursor) {}

    reference operator*() const noexcept { return *at_; }
    tracking_iterator& operator++() noexcept {
        *cursor_ = ++at_;
        return *this;
    }
    tracking_iterator operator++(int) noexcept {
        auto old = *this;
        ++*this;
        return old;
    }
    bool operator==(const tracking_iterator& other) const noexcept { return at_ == other.at_; }

  private:
    const char* at_;
    const char** cursor_;
};

struct position {
    std::size_t line = 1;
    std::size_t column = 1;
};

// The line and column of the byte at `offset`.
position locate(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    position p;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++p.line;
            line_start = i + 1;
        }
    }
    p.column = offset - line_start + 1;
    return p;
}

// Where the string token that ends just before `end` (after its closing quote) begins.
std::size_t string_start(std::string_view text, std::size_t end) {
    if (end < 2 || end > text.size()) {
        return end == 0 ? 0 : end - 1;
    }
    for (std::size_t i = end - 2; i-- > 0;) {
        if (text[i] != '"') {
            continue;
        }
        std::size_t backslashes = 0;
        while (backslashes < i && text[i - 1 - backslashes] == '\\') {
            ++backslashes;
        }
        if (backslashes % 2 == 0) {
            return i;
        }
    }
    return 0;
}

std::string where(position p) {
    return "line " + std::to_string(p.line) + ", column " + std::to_string(p.column);
}

// nlohmann's DOM builder with a depth limit, key checks and positions. Returning false stops the
// parse at once.
class builder {
  public:
    // `cursor` is where the parser is, when it is tracked; positions are 0 otherwise.
    builder(json& root, std::string_view text, const json_limits& limits, const char* const* cursor,
            json_problem& problem)
        : root_(root), text_(text), limits_(limits), cursor_(cursor), problem_(problem) {}

    bool null() { return put(nullptr); }
    bool boolean(bool value) { return put(value); }
    bool number_integer(json::number_integer_t value) { return put(value); }
    bool number_unsigned(json::number_unsigned_t value) { return put(value); }
    bool number_float(json::number_float_t value, const std::string&) { return put(value); }
    bool string(std::string& value) { return put(std::move(value)); }
    bool binary(json::binary_t& value) { return put(std::move(value)); }

    bool start_object(std::size_t) { return open(json::value_t::object); }
    bool start_array(std::size_t) { return open(json::value_t::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(std::string& name) {
        frame& top = stack_.back();
        auto& object = top.value->get_ref<json::object_t&>();
        const std::size_t end = offset();
        // try_emplace leaves `name` alone when the key is there already.
        auto [it, inserted] = object.try_emplace(std::move(name));
        if (!inserted && limits_.unique_keys) {
            const auto first = key_ends_.find(&it->first);
            problem_.what = json_problem::kind::duplicate_key;
            problem_.path = path(false);
            problem_.path += problem_.path.empty() ? name : "." + name;
            const position second = locate(text_, string_start(text_, end));
            problem_.line = second.line;
            problem_.column = second.column;
            problem_.reason = "defined twice: at ";
            if (first != key_ends_.end()) {
                problem_.reason +=
                    where(locate(text_, string_start(text_, first->second))) + " and at ";
            }
            problem_.reason += where(second);
            return false;
        }
        if (limits_.unique_keys && cursor_ != nullptr) {
            key_ends_[&it->first] = end;
        }
        top.entry = it;
        return true;
    }

    bool parse_error(std::size_t at, const std::string& token, const json::exception& e) {
        if (e.id == 406) {
            // A number beyond a double's range: the lexer has read it whole.
            problem_.what = json_problem::kind::out_of_range;
            problem_.path = path();
            const position p = locate(text_, at >= token.size() ? at - token.size() : 0);
            problem_.line = p.line;
            problem_.column = p.column;
            problem_.reason = "the number " + token + " is out of range";
            return false;
        }
        problem_.what = json_problem::kind::syntax;
        const position p = locate(text_, at == 0 ? 0 : at - 1);
        problem_.line = p.line;
        problem_.column = p.column;
        // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ...":
        // keep what follows the position, which this problem carries itself.
        std::string_view what = e.what();
        const auto colon = what.find(": ");
        problem_.reason =
            std::string(colon == std::string_view::npos ? what : what.substr(colon + 2));
        return false;
    }

  private:
    struct frame {
        json* value;
        // For an object, the entry whose value comes next.
        json::object_t::iterator entry{};
    };

    std::size_t offset() const {
        return cursor_ != nullptr ? std::size_t(*cursor_ - text_.data()) : 0;
    }

    // Puts a value where the next one goes (built in place in an array) and returns it.
    template <class Value>
    json& place(Value&& value) {
        if (stack_.empty()) {
            root_ = json(std::forward<Value>(value));
            return root_;
        }
        frame& top = stack_.back();
        if (top.value->is_array()) {
            return top.value->get_ref<json::array_t&>().emplace_back(std::forward<Value>(value));
        }
        top.entry->second = json(std::forward<Value>(value));
        return top.entry->second;
    }

    template <class Value>
    bool put(Value&& value) {
        place(std::forward<Value>(value));
        return true;
    }

    bool open(json::value_t type) {
        if (stack_.size() >= limits_.max_depth) {
            problem_.what = json_problem::kind::too_deep;
            // The cursor is just past the bracket.
            const position p = locate(text_, offset() == 0 ? 0 : offset() - 1);
            problem_.line = p.line;
            problem_.column = p.column;
            problem_.reason =
                "nested more than " + std::to_string(limits_.max_depth) + " levels deep";
            return false;
        }
        stack_.push_back({&place(type)});
        return true;
    }

    bool close() {
        stack_.pop_back();
        return true;
    }

    // The key path of the value being read, "a.b[2].c"; of the innermost open object or array
    // itself without `innermost_child`.
    std::string path(bool innermost_child = true) const {
        std::string out;
        const std::size_t frames = stack_.size() - (innermost_child || stack_.empty() ? 0 : 1);
        for (std::size_t i = 0; i < frames; ++i) {
            const frame& f = stack_[i];
            if (f.value->is_array()) {
                // Below the top, the item being read is the last one; at the top, the next one.
                std::size_t size = f.value->size();
                std::size_t index = i + 1 < stack_.size() && size > 0 ? size - 1 : size;
                out += "[" + std::to_string(index) + "]";
            } else if (f.entry != json::object_t::iterator{}) {
                out += out.empty() ? f.entry->first : "." + f.entry->first;
            }
        }
        return out;
    }

    json& root_;
    std::string_view text_;
    const json_limits& limits_;
    const char* const* cursor_;
    json_problem& problem_;
    std::vector<frame> stack_;
    // Where each key ended, for naming both places of a repeated key (unique_keys only).
    std::unordered_map<const std::string*, std::size_t> key_ends_;
};

}  // namespace

std::string json_problem::message() const {
    const std::string at = "line " + std::to_string(line) + ", column " + std::to_string(column);
    switch (what) {
        case kind::duplicate_key:
            return path + ": " + reason;
        case kind::out_of_range:
            return path.empty() ? at + ": " + reason : path + ": " + reason + " (" + at + ")";
        case kind::syntax:
        case kind::too_deep:
            break;
    }
    return at + ": " + reason;
}

std::optional<nlohmann::json> parse_json(std::string_view text, const json_limits& limits,
                                         json_problem* problem) {
    json root;
    json_problem untracked;
    builder fast(root, text, limits, nullptr, untracked);
    if (json::sax_parse(text.data(), text.data() + text.size(), &fast)) {
        return root;
    }
    if (problem != nullptr) {
        // Again, knowing where the parser is: it stops at the same place, and can say where.
        *problem = {};
        json again;
        const char* cursor = text.data();
        builder tracked(again, text, limits, &cursor, *problem);
        const tracking_iterator first(text.data(), &cursor);
        const tracking_iterator last(text.data() + text.size(), &cursor);
        json::sax_parse(first, last, &tracked);
    }
    return std::nullopt;
}

}  // namespace lambdaport::runtime::util
