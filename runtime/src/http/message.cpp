#include "http/message.hpp"

#include "util/text.hpp"

namespace lambdaport::runtime::http {

std::string_view request::header_value(std::string_view name) const {
    for (const auto& h : headers) {
        if (util::iequals(h.name, name)) {
            return h.value;
        }
    }
    return {};
}

bool request::has_header(std::string_view name) const {
    for (const auto& h : headers) {
        if (util::iequals(h.name, name)) {
            return true;
        }
    }
    return false;
}

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
    auto q = target.find('?');
    if (q == std::string_view::npos) {
        return {target, {}};
    }
    return {target.substr(0, q), target.substr(q + 1)};
}

bool query_param(std::string_view query, std::string_view key, std::string& value) {
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto eq = pair.find('=');
        auto k = pair.substr(0, eq);
        if (k != key) {
            continue;
        }
        auto raw = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        std::string plus_decoded(raw);
        for (auto& c : plus_decoded) {
            if (c == '+') {
                c = ' ';
            }
        }
        auto decoded = util::percent_decode(plus_decoded);
        value = decoded ? *decoded : plus_decoded;
        return true;
    }
    return false;
}

}  // namespace lambdaport::runtime::http
