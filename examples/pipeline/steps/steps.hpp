#pragma once

// The pipeline's steps over object storage, one function each: clean a part of a raw object,
// analyse a cleaned part, merge every partial into the report. The functions' handlers and the
// plain no-engine runner call exactly these, so the pipeline and its baseline run the same code.
// Keys and documents are FORMAT.md's.

#include <cstdint>
#include <lambdaport/storage.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace pipeline {

/// Where the steps read and write.
struct buckets {
    std::string raw = "raw";
    std::string clean = "clean";
    std::string analysis = "analysis";
    std::string reports = "reports";

    /// RAW_BUCKET, CLEAN_BUCKET, ANALYSIS_BUCKET and REPORTS_BUCKET, each defaulting to the name
    /// above when unset or empty (a template passes the names it gave its buckets).
    static buckets from_environment();
};

/// Keys derived from a raw key ("trips/a.csv") and a part.
struct part_keys {
    std::string clean;    // clean:    trips/a.csv.part-0000-of-0001.csv
    std::string quality;  // clean:    quality/a.csv.part-0000-of-0001.json
    std::string partial;  // analysis: partials/a.csv.part-0000-of-0001.json
};
part_keys keys_for(const std::string& raw_key, unsigned part, unsigned parts);

/// The same from a cleaned part's key; std::invalid_argument if it is not one.
part_keys keys_for_clean(const std::string& clean_key);

/// What a mapper is asked to do: part `part` of `parts` of an object of `size` bytes.
struct part_job {
    std::string bucket;
    std::string key;
    std::uint64_t size = 0;
    unsigned part = 0;
    unsigned parts = 1;

    nlohmann::json to_json() const;
    /// {"bucket", "key", "size", "part", "parts"}; std::invalid_argument naming a bad field.
    static part_job from_json(const nlohmann::json& j);
};

/// Cleans one part: streams its bytes, writes the quality report and then the cleaned part (so
/// that whoever the cleaned part wakes finds the report). Returns the quality report.
nlohmann::json clean_part(const lambdaport::storage::store& store, const part_job& job,
                          const buckets& where = {});

/// Analyses one cleaned part (with its quality report) and writes its partial. Returns it.
nlohmann::json analyse_part(const lambdaport::storage::store& store, const std::string& clean_key,
                            const buckets& where = {});

/// Merges every partial in the analysis bucket into reports/stats.json and reports/report.html.
/// Returns the statistics.
nlohmann::json build_report(const lambdaport::storage::store& store, const buckets& where = {});

/// The current UTC time as 2026-11-30T12:00:00Z.
std::string utc_now();

}  // namespace pipeline
