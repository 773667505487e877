// The engine's configuration file (--config): config::parse_json, then config::validate, as
// start-up runs them. Their documented error is config_error (one line naming file, key and
// reason); anything else escaping them is a finding, and so is a message that is not one line.

#include "config/config.hpp"

#include <filesystem>
#include <string>

#include "fuzz_support.hpp"

namespace fuzz = lambdaport::fuzz;
namespace config = lambdaport::runtime::config;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        auto cfg = config::parse_json(fuzz::as_text(data, size), "fuzz.json", "/base");
        config::validate(cfg, "fuzz.json");
    } catch (const config::config_error& e) {
        std::string_view what = e.what();
        if (!what.starts_with("fuzz.json")) {
            fuzz::fail("config_error does not name the file: " + std::string(what));
        }
    }
    return 0;
}
