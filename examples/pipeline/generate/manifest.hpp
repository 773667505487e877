// What the generator planted, counted in the quality report's terms, and manifest.json.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "faults.hpp"
#include "record.hpp"

namespace lambdaport::pipeline::generate {

/// Counts of one file or of the whole data set.
struct quality_counts {
    std::uint64_t bytes = 0;
    std::uint64_t rows = 0;
    std::uint64_t clean = 0;
    std::array<std::uint64_t, drop_reason_count> dropped{};
    std::array<std::uint64_t, repair_count> repaired{};

    /// Counts one row of `kind`: a row, and either kept (with its repair, if any) or dropped.
    void add(row_kind kind);

    quality_counts& operator+=(const quality_counts& other);
};

/// One raw file as the manifest lists it.
struct manifest_file {
    std::string key;
    file_format format;
    quality_counts counts;
};

/// The manifest: {"seed", "files": [...], "totals": {...}} with every dropped and repaired key, in
/// FORMAT.md's order.
nlohmann::ordered_json manifest_json(std::uint64_t seed, const std::vector<manifest_file>& files);

}  // namespace lambdaport::pipeline::generate
