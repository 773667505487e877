// Writes one raw file: rows of the trip model with their planted faults, until the file reaches
// its share of the data set.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "manifest.hpp"
#include "record.hpp"
#include "trip_model.hpp"

namespace lambdaport::pipeline::generate {

/// Everything that decides a file's bytes.
struct file_plan {
    std::filesystem::path path;
    std::string key;  // "trips/<name>.<ext>", as the manifest lists it
    file_format format;
    std::uint64_t target_bytes;  // the file ends with the first line that reaches it
    bool bom;                    // CSV: a UTF-8 byte order mark before the header
    bool crlf;                   // CSV: every line ends with \r\n
    std::uint64_t seed;          // this file's random stream
};

/// Writes the file; `next_serial` numbers the trips across the data set and is advanced past the
/// ones used here. Throws std::runtime_error naming the path if the file cannot be written.
quality_counts write_file(const file_plan& plan, const trip_model& model,
                          std::uint64_t& next_serial);

}  // namespace lambdaport::pipeline::generate
