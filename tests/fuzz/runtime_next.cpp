// The handler's side of GET /next: the SDK reads the engine's answer (raw HTTP response bytes)
// with its response parser, turns it into the invocation's context and payload
// (detail::read_next_answer, as runtime_api_client::next does), and uses them as the runtime loop
// and a handler do: the remaining time, the path it posts the result to (the request id
// percent-encoded), an error document naming the request. Findings: an exception (none of these
// throws but for memory), an error document that is not JSON, a result path that is not a plain
// path, the sanitizers (UBSan included: the deadline is the engine's number).

#include <lambdaport/context.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "error_report.hpp"
#include "fuzz_support.hpp"
#include "http_response_parser.hpp"
#include "runtime_api_client.hpp"

namespace fuzz = lambdaport::fuzz;
namespace detail = lambdaport::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(fuzz::as_text(data, size));
    detail::http_response_parser parser;
    auto status = parser.parse(bytes.data(), bytes.size());
    if (status == detail::http_response_parser::status::need_more) {
        status = parser.finish_at_eof();
    }
    if (status != detail::http_response_parser::status::done) {
        return 0;
    }
    lambdaport::invocation_info info;
    std::string_view payload;
    if (detail::read_next_answer(parser, info, payload)) {
        return 0;
    }
    lambdaport::context ctx(std::move(info), lambdaport::function_info{});
    (void)ctx.remaining_time();

    std::string target;
    detail::append_invocation_path(target, ctx.request_id(), "response");
    for (char c : target) {
        if (c <= ' ' || c >= 0x7f) {
            fuzz::fail("result path with byte " + std::to_string(int(c)) + ": " + target);
        }
    }
    auto document = detail::error_document(payload.substr(0, 256), ctx.request_id());
    if (!nlohmann::json::accept(document)) {
        fuzz::fail("error document is not JSON: " + document);
    }
    return 0;
}
