#include "steps.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <vector>

#include "aggregates.hpp"
#include "cleaner.hpp"
#include "report_html.hpp"

namespace pipeline {

namespace {

using json = nlohmann::json;
using lambdaport::storage::store;

constexpr std::string_view raw_prefix = "trips/";

// Thrown from a read's sink once the part has every line it needs: ends the transfer early.
struct enough {};

std::string part_suffix(unsigned part, unsigned parts) {
    char buf[40];
    std::snprintf(buf, sizeof buf, ".part-%04u-of-%04u", part, parts);
    return buf;
}

// Cuts a stream into lines (without their '\n') for `on_line`.
class line_splitter {
  public:
    template <class F>
    void feed(std::string_view bytes, F&& on_line) {
        while (!bytes.empty()) {
            auto nl = bytes.find('\n');
            if (nl == std::string_view::npos) {
                rest_.append(bytes);
                return;
            }
            if (rest_.empty()) {
                on_line(bytes.substr(0, nl));
            } else {
                rest_.append(bytes.substr(0, nl));
                on_line(std::string_view(rest_));
                rest_.clear();
            }
            bytes.remove_prefix(nl + 1);
        }
    }
    template <class F>
    void finish(F&& on_line) {
        if (!rest_.empty()) {
            on_line(std::string_view(rest_));
            rest_.clear();
        }
    }

  private:
    std::string rest_;
};

void put_json(const store& s, const std::string& bucket, const std::string& key, const json& doc) {
    s.put(bucket, key, doc.dump(), {.content_type = "application/json"});
}

}  // namespace

buckets buckets::from_environment() {
    buckets out;
    auto set = [](std::string& into, const char* variable) {
        const char* value = std::getenv(variable);
        if (value && *value) {
            into = value;
        }
    };
    set(out.raw, "RAW_BUCKET");
    set(out.clean, "CLEAN_BUCKET");
    set(out.analysis, "ANALYSIS_BUCKET");
    set(out.reports, "REPORTS_BUCKET");
    return out;
}

part_keys keys_for(const std::string& raw_key, unsigned part, unsigned parts) {
    std::string name =
        raw_key.starts_with(raw_prefix) ? raw_key.substr(raw_prefix.size()) : raw_key;
    name += part_suffix(part, parts);
    return {"trips/" + name + ".csv", "quality/" + name + ".json", "partials/" + name + ".json"};
}

part_keys keys_for_clean(const std::string& clean_key) {
    if (!clean_key.starts_with("trips/") || !clean_key.ends_with(".csv") ||
        clean_key.find(".part-") == std::string::npos) {
        throw std::invalid_argument("'" + clean_key +
                                    "' is not a cleaned part (trips/<name>.part-<i>-of-<n>.csv)");
    }
    std::string name = clean_key.substr(6, clean_key.size() - 6 - 4);
    return {clean_key, "quality/" + name + ".json", "partials/" + name + ".json"};
}

json part_job::to_json() const {
    return {{"bucket", bucket}, {"key", key}, {"size", size}, {"part", part}, {"parts", parts}};
}

part_job part_job::from_json(const json& j) {
    auto need = [&](const char* field) -> const json& {
        if (!j.is_object() || !j.contains(field)) {
            throw std::invalid_argument(std::string("part job: '") + field + "' is missing");
        }
        return j[field];
    };
    part_job job;
    const json& bucket = need("bucket");
    const json& key = need("key");
    const json& size = need("size");
    const json& part = need("part");
    const json& parts = need("parts");
    if (!bucket.is_string() || !key.is_string() || !size.is_number_unsigned() ||
        !part.is_number_unsigned() || !parts.is_number_unsigned()) {
        throw std::invalid_argument(
            "part job: bucket and key must be strings, size, part and "
            "parts non-negative integers");
    }
    job.bucket = bucket.get<std::string>();
    job.key = key.get<std::string>();
    job.size = size.get<std::uint64_t>();
    job.part = part.get<unsigned>();
    job.parts = parts.get<unsigned>();
    if (job.parts == 0 || job.parts > 10'000 || job.part >= job.parts) {
        throw std::invalid_argument("part job: part " + std::to_string(job.part) + " of " +
                                    std::to_string(job.parts) + " does not exist");
    }
    return job;
}

json clean_part(const store& s, const part_job& job, const buckets& where) {
    const part_range range = range_of_part(job.size, job.part, job.parts);
    const auto keys = keys_for(job.key, job.part, job.parts);
    // The last line starting in the range ends within max_line_bytes of its end, or is too long
    // (malformed) and then its first max_line_bytes + 1 bytes are all that is needed.
    const std::uint64_t start = job.parts == 1 ? 0 : read_start(range);
    const std::uint64_t stop = std::min(job.size, range.end + max_line_bytes);

    auto out = s.writer(where.clean, keys.clean, {.content_type = "text/csv"});
    part_cleaner cleaner(format_of_key(job.key), start, range,
                         [&](std::string_view bytes) { out.write(bytes); });
    if (stop > start) {
        try {
            s.get(
                job.bucket, job.key,
                [&](std::string_view bytes) {
                    if (!cleaner.feed(bytes)) {
                        throw enough{};
                    }
                },
                lambdaport::storage::byte_range{start, stop - 1});
        } catch (const enough&) {
        }
    }
    cleaner.finish();

    json report{{"source",
                 {{"bucket", job.bucket},
                  {"key", job.key},
                  {"size", job.size},
                  {"part", job.part},
                  {"parts", job.parts},
                  {"first", range.first},
                  {"last", range.end == range.first ? json(nullptr) : json(range.end - 1)}}},
                {"output", {{"bucket", where.clean}, {"key", keys.clean}}}};
    report.update(cleaner.counts().to_json());
    put_json(s, where.clean, keys.quality, report);
    out.close();
    return report;
}

json analyse_part(const store& s, const std::string& clean_key, const buckets& where) {
    const auto keys = keys_for_clean(clean_key);
    json report = json::parse(s.get(where.clean, keys.quality), nullptr, false);
    if (report.is_discarded() || !report.contains("source")) {
        throw std::runtime_error(where.clean + "/" + keys.quality +
                                 ": not a quality report (JSON with a 'source')");
    }
    partial p;
    p.source = report["source"];
    p.counts = quality::from_json(report);
    line_splitter lines;
    parsed_row row;
    bool header = true;
    std::uint64_t unreadable = 0;
    auto on_line = [&](std::string_view line) {
        if (header) {
            header = false;  // the cleaned part's header
            return;
        }
        parse_line(line, format::csv, row);
        if (row.ok) {
            p.agg.add(row.t);
        } else {
            ++unreadable;
        }
    };
    s.get(where.clean, clean_key, [&](std::string_view bytes) { lines.feed(bytes, on_line); });
    lines.finish(on_line);
    if (unreadable > 0 || p.agg.count != p.counts.clean) {
        // A cleaned part is written by clean_part only; anything else means it is not one.
        throw std::runtime_error(
            where.clean + "/" + clean_key + ": " + std::to_string(p.agg.count) +
            " rows read, its quality report "
            "says " +
            std::to_string(p.counts.clean) + " (" + std::to_string(unreadable) + " unreadable)");
    }
    json doc = p.to_json();
    put_json(s, where.analysis, keys.partial, doc);
    return doc;
}

json build_report(const store& s, const buckets& where) {
    std::vector<partial> partials;
    for (const auto& o : s.list_all(where.analysis, "partials/")) {
        if (!o.key.ends_with(".json")) {
            continue;
        }
        json doc = json::parse(s.get(where.analysis, o.key), nullptr, false);
        try {
            partials.push_back(partial::from_json(doc));
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(where.analysis + "/" + o.key + ": " + e.what());
        }
    }
    json stats = final_statistics(partials, utc_now());
    put_json(s, where.reports, "stats.json", stats);
    s.put(where.reports, "report.html", render_report_html(stats),
          {.content_type = "text/html; charset=utf-8"});
    return stats;
}

std::string utc_now() {
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[24];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace pipeline
