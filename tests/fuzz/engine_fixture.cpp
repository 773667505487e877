#include "engine_fixture.hpp"

#include <unistd.h>

#include <boost/beast/http.hpp>
#include <filesystem>

#include "http/beast_request.hpp"
#include "util/text.hpp"

namespace lambdaport::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path make_state_dir() {
    auto dir = fs::temp_directory_path() / ("lambdaport-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(dir / "logs");
    std::error_code ec;
    fs::remove(dir / "logs" / "hello.log", ec);
    fs::create_symlink("/dev/null", dir / "logs" / "hello.log");
    return dir;
}

}  // namespace

const runtime::config::function_config& hello_config() {
    static const runtime::config::function_config config = [] {
        runtime::config::function_config c;
        c.name = "hello";
        c.handler = "/nonexistent/lambdaport-fuzz/bootstrap";
        c.handler_name = "bootstrap";
        c.timeout = std::chrono::milliseconds{1};
        c.concurrency = 0;
        c.queue_size = 0;
        return c;
    }();
    return config;
}

const runtime::pool::pool_settings& hello_settings() {
    static const runtime::pool::pool_settings settings = [] {
        runtime::pool::pool_settings s;
        s.region = "us-east-1";
        s.account_id = "123456789012";
        s.invoke_endpoint = "http://127.0.0.1:3001";
        s.state_dir = make_state_dir();
        return s;
    }();
    return settings;
}

std::optional<runtime::http::request> through_beast(const text_request& in) {
    namespace bhttp = boost::beast::http;
    std::string raw = in.method + " " + in.target + " HTTP/1.1\r\n";
    for (const auto& [name, value] : in.headers) {
        if (runtime::util::iequals(name, "Content-Length") ||
            runtime::util::iequals(name, "Transfer-Encoding")) {
            continue;
        }
        raw += name + ": " + value + "\r\n";
    }
    raw += "Content-Length: " + std::to_string(in.body.size()) + "\r\n\r\n";
    raw += in.body;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.eager(true);
    parser.body_limit(raw.size());
    boost::beast::error_code ec;
    auto used = parser.put(boost::asio::buffer(raw), ec);
    if (ec || !parser.is_done() || used != raw.size()) {
        return std::nullopt;
    }
    return runtime::http::detail::to_request(parser.release());
}

void check_response(const runtime::http::response& res, std::string_view where) {
    if (res.status < 100 || res.status > 999) {
        fail(std::string(where) + ": status " + std::to_string(res.status));
    }
    for (const auto& h : res.headers) {
        if (h.name.empty() || breaks_header(h.name) || breaks_header(h.value)) {
            fail(std::string(where) + ": header '" + h.name + "' would split the response head");
        }
    }
}

}  // namespace lambdaport::fuzz
