// lambdaport: argv → configuration → engine. Nothing else lives here.
#include <cstring>
#include <iostream>

#include "cli/invoke_command.hpp"
#include "config/config.hpp"
#include "engine/engine.hpp"

namespace {

constexpr const char* help = R"(lambdaport: AWS Lambda's Runtime and Invoke APIs, self-hosted.

usage:
  lambdaport serve [--listen HOST:PORT] [--function NAME=PATH]... [--config FILE] [--state DIR]
                   [--storage file:///PATH|DIR|s3|http://HOST:PORT] [--no-auth]
  lambdaport serve --template template.yaml [--parameter-overrides KEY=VALUE...]
                   [--stack-name NAME] [--listen ...] [--state ...] [--storage ...]
  lambdaport invoke NAME [--payload JSON|@FILE] [--async] [--log-tail] [--endpoint http://HOST:PORT]
  lambdaport --version

The Invoke API verifies SigV4 signatures when a credential is configured (engine.auth, or
LAMBDAPORT_ACCESS_KEY_ID and LAMBDAPORT_SECRET_ACCESS_KEY); an address that is not loopback needs one,
or --no-auth.
)";

}  // namespace

int main(int argc, char** argv) {
    using namespace lambdaport::runtime;
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
        std::cout << help;
        return argc < 2 ? 2 : 0;
    }
    if (std::strcmp(argv[1], "--version") == 0) {
        std::cout << "lambdaport " LAMBDAPORT_VERSION "\n";
        return 0;
    }
    if (std::strcmp(argv[1], "invoke") == 0) {
        return cli::invoke_command(argc - 2, argv + 2);
    }
    if (std::strcmp(argv[1], "serve") != 0) {
        std::cerr << "lambdaport: unknown command '" << argv[1] << "'\n" << help;
        return 2;
    }
    config::engine_config cfg;
    try {
        cfg = engine::parse_serve_arguments(argc - 2, argv + 2);
    } catch (const config::config_error& e) {
        std::cerr << "lambdaport: " << e.what() << "\n";
        return 2;
    }
    try {
        engine::engine e(std::move(cfg));
        return e.run();
    } catch (const std::exception& e) {
        std::cerr << "lambdaport: cannot start: " << e.what() << "\n";
        return 1;
    }
}
