#include "json_reader.hpp"

#include <utility>
#include <vector>

namespace lambdaport::detail {
namespace {

using json = nlohmann::json;

// nlohmann's DOM builder with a depth limit: returning false stops the parse at once. As fast as
// json::parse (a parse callback would cost a third more on a typical event).
class builder {
  public:
    builder(json& root, std::size_t max_depth, std::string& error)
        : root_(root), max_depth_(max_depth), error_(error) {}

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
        // As in json::parse, a repeated key keeps its last value.
        key_ = &stack_.back()->get_ref<json::object_t&>()[std::move(name)];
        return true;
    }

    bool parse_error(std::size_t, const std::string&, const json::exception& e) {
        error_ = std::string("not JSON: ") + e.what();
        return false;
    }

  private:
    // Puts a value where the next one goes (built in place in an array) and returns it.
    template <class Value>
    json& place(Value&& value) {
        if (stack_.empty()) {
            root_ = json(std::forward<Value>(value));
            return root_;
        }
        json& top = *stack_.back();
        if (top.is_array()) {
            return top.get_ref<json::array_t&>().emplace_back(std::forward<Value>(value));
        }
        *key_ = json(std::forward<Value>(value));
        return *key_;
    }

    template <class Value>
    bool put(Value&& value) {
        place(std::forward<Value>(value));
        return true;
    }

    bool open(json::value_t type) {
        if (stack_.size() >= max_depth_) {
            error_ = "nested more than " + std::to_string(max_depth_) + " levels deep";
            return false;
        }
        stack_.push_back(&place(type));
        return true;
    }

    bool close() {
        stack_.pop_back();
        return true;
    }

    json& root_;
    std::size_t max_depth_;
    std::string& error_;
    std::vector<json*> stack_;
    json* key_ = nullptr;
};

}  // namespace

bool parse_json(std::string_view text, json& out, std::size_t max_depth, std::string& error) {
    builder sax(out, max_depth, error);
    return json::sax_parse(text, &sax);
}

bool nests_deeper_than(const json& value, std::size_t max_depth) {
    if (!value.is_structured()) {
        return false;
    }
    // Each entry: a container on the path from `value`, and the next child to visit.
    std::vector<std::pair<const json*, json::const_iterator>> path;
    path.emplace_back(&value, value.cbegin());
    while (!path.empty()) {
        if (path.size() > max_depth) {
            return true;
        }
        auto& [container, next] = path.back();
        if (next == container->cend()) {
            path.pop_back();
            continue;
        }
        const json& child = *next++;
        if (child.is_structured()) {
            path.emplace_back(&child, child.cbegin());
        }
    }
    return false;
}

}  // namespace lambdaport::detail
