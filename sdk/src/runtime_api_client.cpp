#include "runtime_api_client.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "error.hpp"

namespace lambdaport::detail {
namespace {

constexpr std::string_view next_target = "/2018-06-01/runtime/invocation/next";
constexpr std::string_view init_error_target = "/2018-06-01/runtime/init/error";

std::chrono::system_clock::time_point parse_deadline(std::string_view epoch_ms) {
    long long ms = 0;
    const auto [end, ec] = std::from_chars(epoch_ms.data(), epoch_ms.data() + epoch_ms.size(), ms);
    if (ec != std::errc{} || end != epoch_ms.data() + epoch_ms.size() || ms < 0) {
        return {};
    }
    // Past what the clock can hold (the year 2262 in nanoseconds) the conversion would overflow;
    // such a deadline is as good as none: the latest the clock holds.
    constexpr long long latest_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::duration::max())
                                        .count();
    return std::chrono::system_clock::time_point(
        std::chrono::milliseconds(std::min(ms, latest_ms)));
}

bool is_unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

}  // namespace

bool read_invocation_headers(const http_response_parser& response, invocation_info& info) {
    info.request_id.assign(response.header("Lambda-Runtime-Aws-Request-Id"));
    info.deadline = parse_deadline(response.header("Lambda-Runtime-Deadline-Ms"));
    info.invoked_function_arn.assign(response.header("Lambda-Runtime-Invoked-Function-Arn"));
    info.trace_id.assign(response.header("Lambda-Runtime-Trace-Id"));
    info.client_context.assign(response.header("Lambda-Runtime-Client-Context"));
    info.cognito_identity.assign(response.header("Lambda-Runtime-Cognito-Identity"));
    return !info.request_id.empty();
}

void append_invocation_path(std::string& target, std::string_view request_id,
                            std::string_view what) {
    static constexpr char hex[] = "0123456789ABCDEF";
    target.append("/2018-06-01/runtime/invocation/");
    for (const char c : request_id) {
        if (is_unreserved(c)) {
            target.push_back(c);
        } else {
            const auto byte = static_cast<unsigned char>(c);
            target.push_back('%');
            target.push_back(hex[byte >> 4]);
            target.push_back(hex[byte & 15]);
        }
    }
    target.push_back('/');
    target.append(what);
}

std::error_code read_next_answer(const http_response_parser& response, invocation_info& info,
                                 std::string_view& payload) {
    if (response.status_code() == 403 || response.status_code() == 500) {
        return error::container_error;
    }
    if (response.status_code() != 200) {
        return error::unexpected_status;
    }
    if (!read_invocation_headers(response, info)) {
        return error::missing_request_id;
    }
    payload = response.body();
    return {};
}

std::error_code runtime_api_client::next(invocation_info& info, std::string_view& payload) {
    if (auto ec = http_.request({.method = "GET", .target = next_target})) {
        return ec;
    }
    return read_next_answer(http_.response(), info, payload);
}

runtime_api_client::post_result runtime_api_client::post(std::string_view request_id,
                                                         const invocation_response& response) {
    target_.clear();
    append_invocation_path(target_, request_id, response.is_success() ? "response" : "error");
    return send(response);
}

runtime_api_client::post_result runtime_api_client::post_init_error(
    const invocation_response& failure) {
    target_.assign(init_error_target);
    return send(failure);
}

runtime_api_client::post_result runtime_api_client::send(const invocation_response& response) {
    http_field error_type_field;
    std::span<const http_field> fields;
    if (!response.is_success()) {
        // The type comes from user code: keep the header well-formed whatever it holds.
        error_type_.clear();
        for (const char c : response.error_type()) {
            error_type_.push_back(c >= 0x20 && c < 0x7f ? c : '_');
        }
        error_type_field = {"Lambda-Runtime-Function-Error-Type", error_type_};
        fields = {&error_type_field, 1};
    }
    const std::error_code ec = http_.request({.method = "POST",
                                              .target = target_,
                                              .content_type = response.content_type(),
                                              .body = response.payload(),
                                              .fields = fields});
    if (ec) {
        return {ec, 0, {}};
    }
    return {{}, http_.response().status_code(), http_.response().body()};
}

}  // namespace lambdaport::detail
