#include "invoke_api/function_name.hpp"

#include <vector>

#include "util/text.hpp"

namespace lambdaport::runtime::invoke_api {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    for (;;) {
        auto pos = s.find(sep);
        parts.push_back(s.substr(0, pos));
        if (pos == std::string_view::npos) {
            return parts;
        }
        s.remove_prefix(pos + 1);
    }
}

bool valid_qualifier(std::string_view s) {
    return s == "$LATEST" || util::is_name(s, 128);
}

bool valid_account(std::string_view s) {
    return s.size() == 12 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::optional<function_name> parse_function_name(std::string_view text) {
    auto parts = split(text, ':');
    function_name out;
    std::size_t name_at = 0;
    if (parts.size() >= 7 && parts[0] == "arn") {
        if (parts[1].empty() || parts[2] != "lambda" || parts[3].empty() ||
            !valid_account(parts[4]) || parts[5] != "function" || parts.size() > 8) {
            return std::nullopt;
        }
        out.region = std::string(parts[3]);
        out.account_id = std::string(parts[4]);
        name_at = 6;
    } else if (parts.size() >= 3 && parts[1] == "function") {
        if (!valid_account(parts[0]) || parts.size() > 4) {
            return std::nullopt;
        }
        out.account_id = std::string(parts[0]);
        name_at = 2;
    } else if (parts.size() > 2) {
        return std::nullopt;
    }
    if (!util::is_name(parts[name_at])) {
        return std::nullopt;
    }
    out.name = std::string(parts[name_at]);
    if (name_at + 1 < parts.size()) {
        if (!valid_qualifier(parts[name_at + 1])) {
            return std::nullopt;
        }
        out.qualifier = std::string(parts[name_at + 1]);
    }
    return out;
}

}  // namespace lambdaport::runtime::invoke_api
