// `lambdaport serve --template`: a SAM template read into the engine's configuration
// (sam::parse: the YAML reader, parameters, intrinsics, functions, events, buckets, queues,
// outputs). The documented error is config_error; anything else escaping is a finding. CodeUri
// paths resolve in a small folder made once (fn/bootstrap, code.zip), so the paths that check
// files are reached too; nothing is unpacked.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.hpp"
#include "fuzz_support.hpp"
#include "template/sam.hpp"

namespace {

namespace fs = std::filesystem;
namespace fuzz = lambdaport::fuzz;
namespace rt = lambdaport::runtime;

fs::path make_workspace() {
    auto dir = fs::temp_directory_path() / ("lambdaport-fuzz-sam-" + std::to_string(::getpid()));
    fs::create_directories(dir / "fn");
    std::ofstream(dir / "fn" / "bootstrap") << "#!/bin/sh\n";
    fs::permissions(dir / "fn" / "bootstrap", fs::perms::owner_all);
    std::ofstream(dir / "code.zip", std::ios::binary) << std::string("PK\x03\x04", 4) << "rest";
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fs::path workspace = make_workspace();
    static const rt::sam::load_options options = [] {
        rt::sam::load_options o;
        o.sqs_endpoint = "http://127.0.0.1:4566/";
        o.state_dir = workspace / "state";
        o.parameter_overrides["Stage"] = "fuzz";
        return o;
    }();
    try {
        auto parsed =
            rt::sam::parse(fuzz::as_text(data, size), "template.yaml", workspace, options);
        rt::config::validate(parsed.config, "template.yaml");
    } catch (const rt::config::config_error&) {
    }
    return 0;
}
