#include "aggregates.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pipeline {

namespace {

using json = nlohmann::json;

const double gamma_ = (1 + fare_sketch::alpha) / (1 - fare_sketch::alpha);
const double log_gamma = std::log(gamma_);

[[noreturn]] void bad(const std::string& what) {
    throw std::invalid_argument("partial: " + what);
}

const json& member(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) {
        bad(std::string("missing '") + key + "'");
    }
    return *it;
}

std::int64_t integer(const json& j, const char* what) {
    if (!j.is_number_integer()) {
        bad(std::string("'") + what + "' is not an integer");
    }
    return j.get<std::int64_t>();
}

std::optional<std::int64_t> optional_integer(const json& j, const char* key) {
    const json& v = member(j, key);
    if (v.is_null()) {
        return std::nullopt;
    }
    return integer(v, key);
}

json optional_json(const std::optional<std::int64_t>& v) {
    return v ? json(*v) : json(nullptr);
}

void keep_min(std::optional<std::int64_t>& into, const std::optional<std::int64_t>& v) {
    if (v && (!into || *v < *into)) {
        into = v;
    }
}

void keep_max(std::optional<std::int64_t>& into, const std::optional<std::int64_t>& v) {
    if (v && (!into || *v > *into)) {
        into = v;
    }
}

double dollars_2dp(double cents) {
    return double(std::llround(cents)) / 100;
}

}  // namespace

// --- fare_sketch

void fare_sketch::add(std::int64_t cents) {
    ++count_;
    if (cents <= 0) {
        ++zero_;
        return;
    }
    ++bins_[int(std::ceil(std::log(double(cents)) / log_gamma))];
}

void fare_sketch::merge(const fare_sketch& other) {
    count_ += other.count_;
    zero_ += other.zero_;
    for (const auto& [index, n] : other.bins_) {
        bins_[index] += n;
    }
}

double fare_sketch::quantile(double q) const {
    if (count_ == 0) {
        return 0;
    }
    const auto rank = std::uint64_t(std::floor(q * double(count_ - 1)));
    if (rank < zero_) {
        return 0;
    }
    std::uint64_t seen = zero_;
    for (const auto& [index, n] : bins_) {
        seen += n;
        if (rank < seen) {
            return 2 * std::pow(gamma_, index) / (gamma_ + 1);
        }
    }
    return 2 * std::pow(gamma_, bins_.rbegin()->first) / (gamma_ + 1);
}

json fare_sketch::to_json() const {
    json bins = json::object();
    for (const auto& [index, n] : bins_) {
        bins[std::to_string(index)] = n;
    }
    return {{"relative_accuracy", alpha}, {"zero", zero_}, {"bins", bins}};
}

fare_sketch fare_sketch::from_json(const json& j) {
    fare_sketch s;
    s.zero_ = std::uint64_t(integer(member(j, "zero"), "zero"));
    s.count_ = s.zero_;
    const json& bins = member(j, "bins");
    if (!bins.is_object()) {
        bad("'bins' is not an object");
    }
    for (const auto& [key, n] : bins.items()) {
        std::size_t used = 0;
        int index = 0;
        try {
            index = std::stoi(key, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != key.size()) {
            bad("sketch bin '" + key + "' is not an index");
        }
        auto c = std::uint64_t(integer(n, "bin count"));
        s.bins_[index] += c;
        s.count_ += c;
    }
    return s;
}

// --- aggregates

void aggregates::add(const trip& t) {
    ++count;
    passengers += std::uint64_t(t.passengers);
    fare_cents += t.fare_cents;
    tip_cents += t.tip_cents;
    distance_centimiles += t.distance_centimiles;
    duration_seconds += t.dropoff - t.pickup;
    keep_min(fare_min_cents, t.fare_cents);
    keep_max(fare_max_cents, t.fare_cents);
    keep_max(distance_max_centimiles, t.distance_centimiles);
    keep_max(tip_max_cents, t.tip_cents);
    auto& hour = by_hour[std::size_t((t.pickup % 86'400) / 3600)];
    ++hour.first;
    hour.second += t.fare_cents;
    auto& zone = by_zone[t.pickup_zone];
    ++zone.first;
    zone.second += t.fare_cents;
    ++by_payment[std::size_t(t.pay)];
    ++fare_histogram[std::min<std::size_t>(std::size_t(t.fare_cents / 500), fare_bins - 1)];
    fares.add(t.fare_cents);
}

void aggregates::merge(const aggregates& o) {
    count += o.count;
    passengers += o.passengers;
    fare_cents += o.fare_cents;
    tip_cents += o.tip_cents;
    distance_centimiles += o.distance_centimiles;
    duration_seconds += o.duration_seconds;
    keep_min(fare_min_cents, o.fare_min_cents);
    keep_max(fare_max_cents, o.fare_max_cents);
    keep_max(distance_max_centimiles, o.distance_max_centimiles);
    keep_max(tip_max_cents, o.tip_max_cents);
    for (std::size_t h = 0; h < 24; ++h) {
        by_hour[h].first += o.by_hour[h].first;
        by_hour[h].second += o.by_hour[h].second;
    }
    for (const auto& [zone, v] : o.by_zone) {
        auto& mine = by_zone[zone];
        mine.first += v.first;
        mine.second += v.second;
    }
    for (std::size_t p = 0; p < payments; ++p) {
        by_payment[p] += o.by_payment[p];
    }
    for (std::size_t b = 0; b < fare_bins; ++b) {
        fare_histogram[b] += o.fare_histogram[b];
    }
    fares.merge(o.fares);
}

// --- partial

json partial::to_json() const {
    json hours = json::array();
    for (const auto& [trips, fare] : agg.by_hour) {
        hours.push_back({trips, fare});
    }
    json zones = json::object();
    for (const auto& [zone, v] : agg.by_zone) {
        zones[std::to_string(zone)] = {v.first, v.second};
    }
    json pay = json::object();
    for (std::size_t p = 0; p < payments; ++p) {
        pay[std::string(payment_names[p])] = agg.by_payment[p];
    }
    return {{"source", source},
            {"quality", counts.to_json()},
            {"trips",
             {{"count", agg.count},
              {"passengers", agg.passengers},
              {"fare_cents", agg.fare_cents},
              {"tip_cents", agg.tip_cents},
              {"distance_centimiles", agg.distance_centimiles},
              {"duration_seconds", agg.duration_seconds},
              {"fare_min_cents", optional_json(agg.fare_min_cents)},
              {"fare_max_cents", optional_json(agg.fare_max_cents)},
              {"distance_max_centimiles", optional_json(agg.distance_max_centimiles)},
              {"tip_max_cents", optional_json(agg.tip_max_cents)}}},
            {"by_hour", hours},
            {"by_zone", zones},
            {"by_payment", pay},
            {"fare_histogram", agg.fare_histogram},
            {"fare_sketch", agg.fares.to_json()}};
}

partial partial::from_json(const json& j) {
    if (!j.is_object()) {
        bad("not a JSON object");
    }
    partial p;
    p.source = member(j, "source");
    if (!p.source.is_object()) {
        bad("'source' is not an object");
    }
    p.counts = quality::from_json(member(j, "quality"));
    const json& t = member(j, "trips");
    aggregates& a = p.agg;
    a.count = std::uint64_t(integer(member(t, "count"), "count"));
    a.passengers = std::uint64_t(integer(member(t, "passengers"), "passengers"));
    a.fare_cents = integer(member(t, "fare_cents"), "fare_cents");
    a.tip_cents = integer(member(t, "tip_cents"), "tip_cents");
    a.distance_centimiles = integer(member(t, "distance_centimiles"), "distance_centimiles");
    a.duration_seconds = integer(member(t, "duration_seconds"), "duration_seconds");
    a.fare_min_cents = optional_integer(t, "fare_min_cents");
    a.fare_max_cents = optional_integer(t, "fare_max_cents");
    a.distance_max_centimiles = optional_integer(t, "distance_max_centimiles");
    a.tip_max_cents = optional_integer(t, "tip_max_cents");
    const json& hours = member(j, "by_hour");
    if (!hours.is_array() || hours.size() != 24) {
        bad("'by_hour' is not 24 pairs");
    }
    for (std::size_t h = 0; h < 24; ++h) {
        if (!hours[h].is_array() || hours[h].size() != 2) {
            bad("'by_hour' is not 24 pairs");
        }
        a.by_hour[h] = {std::uint64_t(integer(hours[h][0], "by_hour")),
                        integer(hours[h][1], "by_hour")};
    }
    const json& zones = member(j, "by_zone");
    if (!zones.is_object()) {
        bad("'by_zone' is not an object");
    }
    for (const auto& [key, v] : zones.items()) {
        if (!v.is_array() || v.size() != 2) {
            bad("'by_zone' entry " + key + " is not a pair");
        }
        int zone = 0;
        try {
            zone = std::stoi(key);
        } catch (const std::exception&) {
            bad("'by_zone' key " + key + " is not a zone");
        }
        a.by_zone[zone] = {std::uint64_t(integer(v[0], "by_zone")), integer(v[1], "by_zone")};
    }
    const json& pay = member(j, "by_payment");
    for (std::size_t i = 0; i < payments; ++i) {
        a.by_payment[i] = std::uint64_t(
            integer(member(pay, std::string(payment_names[i]).c_str()), "by_payment"));
    }
    const json& hist = member(j, "fare_histogram");
    if (!hist.is_array() || hist.size() != fare_bins) {
        bad("'fare_histogram' does not have 21 bins");
    }
    for (std::size_t b = 0; b < fare_bins; ++b) {
        a.fare_histogram[b] = std::uint64_t(integer(hist[b], "fare_histogram"));
    }
    a.fares = fare_sketch::from_json(member(j, "fare_sketch"));
    return p;
}

// --- final statistics

double ratio_2dp(std::int64_t numerator, std::int64_t denominator) {
    if (denominator == 0) {
        return 0;
    }
    const bool negative = (numerator < 0) != (denominator < 0);
    const std::int64_t n = std::llabs(numerator) * 100;
    const std::int64_t d = std::llabs(denominator);
    const std::int64_t hundredths = (2 * n + d) / (2 * d);
    return double(negative ? -hundredths : hundredths) / 100;
}

json final_statistics(const std::vector<partial>& partials, const std::string& now) {
    quality q;
    aggregates a;
    // Objects by (bucket, key): parts expected and parts seen.
    std::map<std::pair<std::string, std::string>, std::pair<std::uint64_t, std::uint64_t>> objects;
    for (const auto& p : partials) {
        q.merge(p.counts);
        a.merge(p.agg);
        auto& o = objects[{p.source.value("bucket", ""), p.source.value("key", "")}];
        o.first = p.source.value("parts", std::uint64_t(1));
        ++o.second;
    }
    json object_list = json::array();
    bool complete = !objects.empty();
    for (const auto& [where, parts] : objects) {
        object_list.push_back({{"bucket", where.first},
                               {"key", where.second},
                               {"parts", parts.first},
                               {"parts_seen", parts.second}});
        complete = complete && parts.second == parts.first;
    }
    const auto n = std::int64_t(a.count);
    json histogram = json::array();
    for (std::size_t b = 0; b < fare_bins; ++b) {
        histogram.push_back({{"from", b * 5},
                             {"to", b + 1 < fare_bins ? json(b * 5 + 5) : json(nullptr)},
                             {"count", a.fare_histogram[b]}});
    }
    json hours = json::array();
    for (std::size_t h = 0; h < 24; ++h) {
        hours.push_back(
            {{"hour", h}, {"trips", a.by_hour[h].first}, {"fare_cents", a.by_hour[h].second}});
    }
    json pay = json::object();
    for (std::size_t p = 0; p < payments; ++p) {
        pay[std::string(payment_names[p])] = a.by_payment[p];
    }
    std::vector<std::pair<int, std::pair<std::uint64_t, std::int64_t>>> zones(a.by_zone.begin(),
                                                                              a.by_zone.end());
    std::stable_sort(zones.begin(), zones.end(), [](const auto& x, const auto& y) {
        return x.second.first > y.second.first;  // most trips first; map order breaks ties
    });
    json top = json::array();
    for (std::size_t i = 0; i < zones.size() && i < 10; ++i) {
        top.push_back({{"zone", zones[i].first},
                       {"trips", zones[i].second.first},
                       {"fare_cents", zones[i].second.second}});
    }
    return {{"generated_at", now},
            {"objects", object_list},
            {"complete", complete},
            {"quality", q.to_json()},
            {"trips",
             {{"count", a.count},
              {"passengers", a.passengers},
              {"fare_cents", a.fare_cents},
              {"tip_cents", a.tip_cents},
              {"distance_centimiles", a.distance_centimiles},
              {"duration_seconds", a.duration_seconds},
              {"fare_min_cents", optional_json(a.fare_min_cents)},
              {"fare_max_cents", optional_json(a.fare_max_cents)},
              {"distance_max_centimiles", optional_json(a.distance_max_centimiles)},
              {"tip_max_cents", optional_json(a.tip_max_cents)}}},
            {"averages",
             {{"fare", ratio_2dp(a.fare_cents, 100 * n)},
              {"tip", ratio_2dp(a.tip_cents, 100 * n)},
              {"distance_mi", ratio_2dp(a.distance_centimiles, 100 * n)},
              {"duration_min", ratio_2dp(a.duration_seconds, 60 * n)},
              {"passengers", ratio_2dp(std::int64_t(a.passengers), n)}}},
            {"fare_quantiles",
             {{"p50", dollars_2dp(a.fares.quantile(0.50))},
              {"p90", dollars_2dp(a.fares.quantile(0.90))},
              {"p99", dollars_2dp(a.fares.quantile(0.99))},
              {"relative_accuracy", fare_sketch::alpha}}},
            {"fare_histogram", histogram},
            {"by_hour", hours},
            {"by_payment", pay},
            {"top_zones", top},
            {"zones", a.by_zone.size()}};
}

}  // namespace pipeline
