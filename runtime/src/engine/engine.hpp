#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "invoke_api/invoke_api.hpp"

namespace lambdaport::runtime::engine {

/// The whole engine: the Invoke API listener, one pool per function, the async event queue, on
/// one io_context. run() blocks until SIGINT or SIGTERM.
class engine final : public invoke_api::directory {
  public:
    explicit engine(config::engine_config config);
    ~engine() override;

    /// Binds, starts the functions and serves until a stop signal. Returns the exit status.
    /// Throws std::exception when it cannot start (e.g. the address is in use).
    int run();

    pool::function_pool* find(std::string_view name) override;
    std::optional<std::string> accept_event(pool::function_pool& fn, std::string payload) override;
    std::string status_json() override;
    const auth::verifier* verifier() const override;
    std::optional<std::string> push_token(std::string_view function,
                                          std::string_view event) override;
    http::response push(std::string_view function, std::string_view event,
                        std::string_view body) override;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// `lambdaport serve ARGS...`: parses the arguments into a configuration. Throws
/// config::config_error with the one line to print.
config::engine_config parse_serve_arguments(int argc, char** argv);

}  // namespace lambdaport::runtime::engine
