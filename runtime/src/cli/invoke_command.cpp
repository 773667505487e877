#include "cli/invoke_command.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "aws/digest.hpp"
#include "aws/environment.hpp"
#include "aws/sigv4.hpp"
#include "aws/uri.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::cli {
namespace {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

struct options {
    std::string name;
    std::string payload = "{}";
    bool async = false;
    bool log_tail = false;
    std::string host = "127.0.0.1";
    std::string port = "3001";
};

int usage(const std::string& problem) {
    std::cerr << "lambdaport invoke: " << problem
              << "\nusage: lambdaport invoke NAME [--payload JSON|@FILE] [--async] [--log-tail] "
                 "[--endpoint http://HOST:PORT]\n";
    return 2;
}

bool parse_endpoint(std::string_view url, options& out) {
    constexpr std::string_view scheme = "http://";
    if (!url.starts_with(scheme)) {
        return false;
    }
    url.remove_prefix(scheme.size());
    if (auto slash = url.find('/'); slash != std::string_view::npos) {
        url = url.substr(0, slash);
    }
    auto colon = url.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == url.size()) {
        return false;
    }
    out.host = std::string(url.substr(0, colon));
    out.port = std::string(url.substr(colon + 1));
    return true;
}

// Who the request is signed as, as the AWS CLI would sign it: LAMBDAPORT_ACCESS_KEY_ID and
// LAMBDAPORT_SECRET_ACCESS_KEY when both are set (the engine's own credential), else
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; nothing (an unsigned request,
// which an engine without credentials on loopback takes) when neither is.
std::optional<lambdaport::detail::aws::sigv4_credentials> signing_credentials() {
    namespace aws = lambdaport::detail::aws;
    aws::service_environment env = aws::read_environment("AWS_ENDPOINT_URL_LAMBDA");
    const char* id = std::getenv("LAMBDAPORT_ACCESS_KEY_ID");
    const char* secret = std::getenv("LAMBDAPORT_SECRET_ACCESS_KEY");
    if (id && *id && secret && *secret) {
        env.access_key_id = id;
        env.secret_access_key = secret;
        env.session_token.clear();
    }
    if (env.access_key_id.empty() || env.secret_access_key.empty()) {
        return std::nullopt;
    }
    return aws::sigv4_credentials{env.access_key_id, env.secret_access_key, env.session_token,
                                  env.region, "lambda"};
}

}  // namespace

int invoke_command(int argc, char** argv) {
    options opt;
    if (const char* env = std::getenv("AWS_ENDPOINT_URL_LAMBDA"); env && *env) {
        if (!parse_endpoint(env, opt)) {
            return usage("AWS_ENDPOINT_URL_LAMBDA must be http://HOST:PORT");
        }
    }
    for (int i = 0; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (arg == "--payload") {
            const char* v = value();
            if (!v) {
                return usage("--payload needs a value");
            }
            std::string_view p = v;
            if (p.starts_with('@')) {
                std::ifstream in(std::string(p.substr(1)), std::ios::binary);
                if (!in) {
                    return usage("cannot read " + std::string(p.substr(1)));
                }
                std::ostringstream text;
                text << in.rdbuf();
                opt.payload = text.str();
            } else {
                opt.payload = p;
            }
        } else if (arg == "--async") {
            opt.async = true;
        } else if (arg == "--log-tail") {
            opt.log_tail = true;
        } else if (arg == "--endpoint") {
            const char* v = value();
            if (!v || !parse_endpoint(v, opt)) {
                return usage("--endpoint must be http://HOST:PORT");
            }
        } else if (arg.starts_with("--") || !opt.name.empty()) {
            return usage("unexpected argument '" + std::string(arg) + "'");
        } else {
            opt.name = arg;
        }
    }
    if (opt.name.empty()) {
        return usage("missing the function name");
    }
    try {
        net::io_context ioc;
        net::ip::tcp::resolver resolver(ioc);
        net::ip::tcp::socket socket(ioc);
        net::connect(socket, resolver.resolve(opt.host, opt.port));
        namespace aws = lambdaport::detail::aws;
        const std::string target =
            "/2015-03-31/functions/" + aws::uri_encode(opt.name) + "/invocations";
        aws::request head;
        head.method = "POST";
        head.url = "http://" + opt.host + ":" + opt.port + target;
        head.headers = {
            "Host: " + opt.host + ":" + opt.port, "Content-Type: application/json",
            std::string("X-Amz-Invocation-Type: ") + (opt.async ? "Event" : "RequestResponse")};
        if (opt.log_tail) {
            head.headers.push_back("X-Amz-Log-Type: Tail");
        }
        if (const auto credentials = signing_credentials()) {
            head.payload_sha256 = aws::sha256_hex(opt.payload);
            aws::sign_v4(head, *credentials, std::chrono::system_clock::now());
        }
        bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
        for (const auto& line : head.headers) {
            const auto colon = line.find(':');
            req.set(line.substr(0, colon), line.substr(colon + 2));
        }
        req.body() = opt.payload;
        req.prepare_payload();
        bhttp::write(socket, req);
        boost::beast::flat_buffer buffer;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        bhttp::read(socket, buffer, parser);
        auto& res = parser.get();
        if (opt.log_tail && res.count("X-Amz-Log-Result")) {
            auto decoded = util::base64_decode(res["X-Amz-Log-Result"]);
            std::cerr << (decoded ? *decoded : std::string("(undecodable log)\n"));
        }
        auto status = res.result_int();
        if (status == 202) {
            std::cout << "accepted request_id=" << res["x-amzn-RequestId"] << "\n";
            return 0;
        }
        if (status != 200) {
            std::cerr << "lambdaport invoke: " << status << " " << res["x-amzn-ErrorType"] << ": "
                      << res.body() << "\n";
            return 2;
        }
        std::cout << res.body() << "\n";
        return res.count("X-Amz-Function-Error") ? 1 : 0;
    } catch (const std::exception& e) {
        std::cerr << "lambdaport invoke: cannot reach http://" << opt.host << ":" << opt.port
                  << ": " << e.what() << "\n";
        return 2;
    }
}

}  // namespace lambdaport::runtime::cli
