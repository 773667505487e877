#include "manifest.hpp"

namespace lambdaport::pipeline::generate {

namespace {

constexpr std::array<const char*, drop_reason_count> drop_names = {
    "malformed", "missing_field", "bad_type", "out_of_range", "duplicate"};
constexpr std::array<const char*, repair_count> repair_names = {
    "missing_tip",   "missing_passengers", "timestamp_format",
    "payment_label", "latin1_text",        "decimal_comma"};

void put_counts(nlohmann::ordered_json& out, const quality_counts& c) {
    out["bytes"] = c.bytes;
    out["rows"] = c.rows;
    out["clean"] = c.clean;
    auto& dropped = out["dropped"] = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < drop_reason_count; ++i) {
        dropped[drop_names[i]] = c.dropped[i];
    }
    auto& repaired = out["repaired"] = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < repair_count; ++i) {
        repaired[repair_names[i]] = c.repaired[i];
    }
}

}  // namespace

void quality_counts::add(row_kind kind) {
    ++rows;
    const auto k = static_cast<std::size_t>(kind);
    const auto first_drop = static_cast<std::size_t>(row_kind::malformed);
    const auto first_repair = static_cast<std::size_t>(row_kind::missing_tip);
    if (kind == row_kind::clean) {
        ++clean;
    } else if (k < first_repair) {
        ++dropped[k - first_drop];
    } else {
        ++clean;
        ++repaired[k - first_repair];
    }
}

quality_counts& quality_counts::operator+=(const quality_counts& other) {
    bytes += other.bytes;
    rows += other.rows;
    clean += other.clean;
    for (std::size_t i = 0; i < drop_reason_count; ++i) {
        dropped[i] += other.dropped[i];
    }
    for (std::size_t i = 0; i < repair_count; ++i) {
        repaired[i] += other.repaired[i];
    }
    return *this;
}

nlohmann::ordered_json manifest_json(std::uint64_t seed, const std::vector<manifest_file>& files) {
    nlohmann::ordered_json out;
    out["seed"] = seed;
    auto& list = out["files"] = nlohmann::ordered_json::array();
    quality_counts totals;
    for (const auto& f : files) {
        nlohmann::ordered_json entry;
        entry["key"] = f.key;
        entry["format"] = f.format == file_format::csv ? "csv" : "jsonl";
        put_counts(entry, f.counts);
        list.push_back(std::move(entry));
        totals += f.counts;
    }
    put_counts(out["totals"], totals);
    return out;
}

}  // namespace lambdaport::pipeline::generate
