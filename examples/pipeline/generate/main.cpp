// pipeline_generate: writes the pipeline's raw taxi-trip files with planted faults and repairs,
// and manifest.json counting them in the quality report's terms (examples/pipeline/FORMAT.md).
// The same arguments give the same bytes on any machine: all randomness is our own integer PRNG.
#include <cstdio>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "file_generator.hpp"
#include "manifest.hpp"
#include "options.hpp"
#include "trip_model.hpp"

namespace {

namespace gen = lambdaport::pipeline::generate;

std::vector<gen::file_plan> plan_files(const gen::options& o) {
    std::vector<gen::file_plan> plans;
    std::uint64_t csv_files = 0;
    for (std::uint64_t i = 0; i < o.files; ++i) {
        gen::file_plan p;
        p.format = o.format == gen::format_choice::jsonl ||
                           (o.format == gen::format_choice::mixed && i % 3 == 2)
                       ? gen::file_format::jsonl
                       : gen::file_format::csv;
        char name[48]; // room for any 64-bit part number: a truncated name could collide
        std::snprintf(name, sizeof name, "2026-11-part-%04llu.%s",
                      static_cast<unsigned long long>(i + 1),
                      p.format == gen::file_format::csv ? "csv" : "jsonl");
        p.key = std::string("trips/") + name;
        p.path = o.out / "trips" / name;
        // Shares differ by at most one byte and sum to --size.
        p.target_bytes = o.size / o.files + (i < o.size % o.files ? 1 : 0);
        // CSV styles rotate so that any four CSV files show all of them: plain, BOM, CRLF, both.
        p.bom = p.crlf = false;
        if (p.format == gen::file_format::csv) {
            const std::uint64_t style = (csv_files++ + o.seed) % 4;
            p.bom = (style & 1) != 0;
            p.crlf = (style & 2) != 0;
        }
        std::uint64_t state = o.seed ^ ((i + 1) * 0xd1b54a32d192ed03ULL);
        p.seed = gen::splitmix64(state);
        plans.push_back(std::move(p));
    }
    return plans;
}

void write_manifest(const std::filesystem::path& path, const nlohmann::ordered_json& manifest) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << manifest.dump(2) << '\n';
    out.close();
    if (!out) {
        throw std::runtime_error("pipeline_generate: cannot write " + path.string());
    }
}

int run(const gen::options& o) {
    std::error_code ec;
    std::filesystem::create_directories(o.out / "trips", ec);
    if (ec) {
        throw std::runtime_error("pipeline_generate: cannot create " + (o.out / "trips").string() +
                                 ": " + ec.message());
    }
    const gen::trip_model model(o.seed);
    std::vector<gen::manifest_file> files;
    std::uint64_t serial = 0;
    gen::quality_counts totals;
    for (const auto& plan : plan_files(o)) {
        const gen::quality_counts counts = gen::write_file(plan, model, serial);
        files.push_back({plan.key, plan.format, counts});
        totals += counts;
    }
    write_manifest(o.out / "manifest.json", gen::manifest_json(o.seed, files));
    std::printf("pipeline_generate: out=%s files=%zu bytes=%llu rows=%llu clean=%llu\n",
                o.out.string().c_str(), files.size(), static_cast<unsigned long long>(totals.bytes),
                static_cast<unsigned long long>(totals.rows),
                static_cast<unsigned long long>(totals.clean));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    gen::options o;
    try {
        o = gen::parse_options(std::vector<std::string_view>(argv + 1, argv + argc));
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "pipeline_generate: %s\n%s", e.what(), gen::usage);
        return 2;
    }
    if (o.help) {
        std::fputs(gen::usage, stdout);
        return 0;
    }
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
