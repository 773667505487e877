#pragma once

#include <string>
#include <string_view>
#include <vector>

// Plain HTTP messages as the engine's handlers see them, so that Beast stays inside http/.
namespace lambdaport::runtime::http {

struct header {
    std::string name;
    std::string value;
};

struct request {
    std::string method;
    std::string target;
    std::vector<header> headers;
    std::string body;

    /// The first header of that name (case-insensitive), or an empty view.
    std::string_view header_value(std::string_view name) const;
    bool has_header(std::string_view name) const;
};

struct response {
    unsigned status = 200;
    std::vector<header> headers;
    std::string body;
    bool close = false;  // close the connection after writing

    response& set(std::string name, std::string value) {
        headers.push_back({std::move(name), std::move(value)});
        return *this;
    }
};

/// Splits a request target into path and query string (without '?').
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

/// The value of `key` in a query string (percent-decoded), or nullopt-like empty with found=false.
bool query_param(std::string_view query, std::string_view key, std::string& value);

}  // namespace lambdaport::runtime::http
