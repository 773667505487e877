#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

// The engine's configuration: parsed once at start-up into an immutable, validated value.
namespace lambdaport::runtime::config {

using std::chrono::milliseconds;

struct async_config {
    unsigned max_retry_attempts = 2;
    std::vector<milliseconds> retry_delays{milliseconds{60'000}, milliseconds{120'000}};
    std::chrono::seconds max_event_age{21'600};
    std::filesystem::path failure_destination;  // empty: <state>/failures/<function>
};

struct function_config {
    std::string name;
    std::filesystem::path handler;  // absolute path of the executable
    std::string handler_name;       // value of _HANDLER
    milliseconds timeout{3'000};
    unsigned memory_mb = 128;
    unsigned concurrency = 10;
    unsigned keep_warm = 0;
    milliseconds idle_timeout{300'000};
    unsigned queue_size = 100;
    std::map<std::string, std::string> environment;
    async_config async;
};

struct engine_config {
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 3001;
    std::filesystem::path state_dir = ".lambdaport";
    std::string region = "us-east-1";
    std::string account_id = "000000000000";
    std::vector<function_config> functions;

    const function_config* find(std::string_view name) const;
};

/// A configuration problem: `what()` is the one line to print, naming file, key and reason.
class config_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Parses a JSON configuration document. `source` names it in errors; relative paths are resolved
/// against `base_dir`. Throws config_error.
engine_config parse_json(std::string_view text, const std::string& source,
                         const std::filesystem::path& base_dir);

/// Reads and parses a configuration file. Throws config_error.
engine_config load_file(const std::filesystem::path& file);

/// `NAME=PATH` from `--function`: a function with default settings. Throws config_error.
function_config parse_function_flag(std::string_view flag);

/// `HOST:PORT` from `--listen` or the `engine.listen` key. Throws config_error naming `where`.
void parse_listen(std::string_view text, const std::string& where, engine_config& out);

/// Checks what only the whole configuration can tell (at least one function, unique names).
void validate(const engine_config& config, const std::string& source);

}  // namespace lambdaport::runtime::config
