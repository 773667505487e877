// pipeline_render: renders a stats.json (examples/pipeline/FORMAT.md) as the HTML report.
//
//   pipeline_render STATS.json OUT.html
//
// Exit status 0 on success, 1 when the input cannot be read or parsed or the output cannot be
// written, 2 on wrong usage. OUT.html is written beside itself and renamed into place, so a
// reader never sees half a page.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <system_error>

#include "report_html.hpp"

namespace {

int fail(const std::string& message) {
    std::cerr << "pipeline_render: " << message << "\n";
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: pipeline_render STATS.json OUT.html\n";
        return 2;
    }
    const std::filesystem::path input = argv[1];
    const std::filesystem::path output = argv[2];

    std::ifstream in(input, std::ios::binary);
    if (!in) {
        return fail(input.string() + ": cannot open for reading");
    }
    nlohmann::json stats;
    try {
        stats = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        return fail(input.string() + ": not JSON: " + e.what());
    }
    if (!stats.is_object()) {
        return fail(input.string() + ": not a JSON object");
    }

    const std::string page = pipeline::render_report_html(stats);

    std::filesystem::path temporary = output;
    temporary += ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(page.data(), static_cast<std::streamsize>(page.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            return fail(temporary.string() + ": cannot write");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, output, ec);
    if (ec) {
        std::filesystem::remove(temporary, ec);
        return fail(output.string() + ": cannot rename into place: " + ec.message());
    }
    return 0;
}
