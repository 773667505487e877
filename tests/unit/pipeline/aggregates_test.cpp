#include "aggregates.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>

using namespace pipeline;
using json = nlohmann::json;

namespace {

trip make(std::int64_t fare, int zone, int hour, payment p = payment::card) {
    trip t;
// GCC 12 at -O2 sees an overlapping memcpy inside std::string's assignment that cannot happen (its
// bug 105329); nothing to fix here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
    t.trip_id = "T";
#pragma GCC diagnostic pop
    t.pickup = days_from_civil(2026, 11, 3) * 86'400 + hour * 3600 + 120;
    t.dropoff = t.pickup + 600;
    t.pickup_zone = zone;
    t.dropoff_zone = 1;
    t.passengers = 2;
    t.distance_centimiles = 150;
    t.fare_cents = fare;
    t.tip_cents = fare / 10;
    t.pay = p;
    return t;
}

}  // namespace

TEST_CASE("aggregates add up, and merging in any order gives the same partial") {
    std::mt19937 random(7);
    std::vector<trip> trips;
    for (int i = 0; i < 5000; ++i) {
        trips.push_back(make(std::uniform_int_distribution<int>(0, 30000)(random), 1 + i % 50,
                             i % 24, payment(i % 5)));
    }
    aggregates whole;
    for (const auto& t : trips) {
        whole.add(t);
    }
    CHECK(whole.count == 5000);
    CHECK(whole.passengers == 10000);
    CHECK(whole.duration_seconds == 5000 * 600);
    std::uint64_t hist = 0;
    for (auto n : whole.fare_histogram) {
        hist += n;
    }
    CHECK(hist == 5000);
    CHECK(whole.by_zone.size() == 50);

    // Split into 7 parts, merged in reverse order.
    std::vector<aggregates> parts(7);
    for (std::size_t i = 0; i < trips.size(); ++i) {
        parts[i * 7 / trips.size()].add(trips[i]);
    }
    aggregates merged;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        merged.merge(*it);
    }
    partial a{json::object(), {}, whole};
    partial b{json::object(), {}, merged};
    CHECK(a.to_json() == b.to_json());
    // And a partial survives its JSON.
    CHECK(partial::from_json(a.to_json()).to_json() == a.to_json());
}

TEST_CASE("the fare histogram's bins are $5 wide, the last one open") {
    aggregates a;
    for (std::int64_t fare : {0, 499, 500, 9999, 10000, 100000}) {
        a.add(make(fare, 1, 0));
    }
    CHECK(a.fare_histogram[0] == 2);
    CHECK(a.fare_histogram[1] == 1);
    CHECK(a.fare_histogram[19] == 1);
    CHECK(a.fare_histogram[20] == 2);
}

TEST_CASE("sketch quantiles are within 1% of the exact ones") {
    std::mt19937 random(11);
    std::lognormal_distribution<double> shape(7.0, 0.8);
    std::vector<std::int64_t> values;
    fare_sketch s;
    for (int i = 0; i < 20000; ++i) {
        auto v = std::int64_t(shape(random)) + (i % 100 == 0 ? 0 : 1);
        values.push_back(v);
        s.add(v);
    }
    std::sort(values.begin(), values.end());
    for (double q : {0.0, 0.01, 0.5, 0.9, 0.99, 1.0}) {
        CAPTURE(q);
        auto exact = double(values[std::size_t(std::floor(q * double(values.size() - 1)))]);
        auto got = s.quantile(q);
        CHECK(std::abs(got - exact) <= 0.01 * exact + 1e-9);
    }
    CHECK(fare_sketch::from_json(s.to_json()).to_json() == s.to_json());
}

TEST_CASE("final statistics: objects, completeness, averages, top zones") {
    aggregates a1;
    a1.add(make(1000, 5, 8));
    a1.add(make(2001, 7, 8));
    aggregates a2;
    a2.add(make(3000, 7, 18));
    quality q;
    q.rows = 4;
    q.clean = 3;
    q.dropped[0] = 1;
    std::vector<partial> parts{
        {{{"bucket", "raw"}, {"key", "trips/a.csv"}, {"part", 0}, {"parts", 2}}, q, a1},
        {{{"bucket", "raw"}, {"key", "trips/a.csv"}, {"part", 1}, {"parts", 2}}, {}, a2}};
    auto s = final_statistics(parts, "2026-11-30T12:00:00Z");
    CHECK(s["generated_at"] == "2026-11-30T12:00:00Z");
    CHECK(s["complete"] == true);
    CHECK(s["objects"] ==
          json::parse(R"([{"bucket":"raw","key":"trips/a.csv","parts":2,"parts_seen":2}])"));
    CHECK(s["quality"]["rows"] == 4);
    CHECK(s["trips"]["count"] == 3);
    CHECK(s["trips"]["fare_cents"] == 6001);
    CHECK(s["trips"]["fare_min_cents"] == 1000);
    CHECK(s["trips"]["fare_max_cents"] == 3000);
    CHECK(s["averages"]["fare"] == 20.00);  // 60.01 / 3 = 20.0033
    CHECK(s["averages"]["duration_min"] == 10.00);
    CHECK(s["averages"]["passengers"] == 2.00);
    CHECK(s["by_hour"][8]["trips"] == 2);
    CHECK(s["by_hour"][18]["fare_cents"] == 3000);
    CHECK(s["top_zones"][0] == json::parse(R"({"zone":7,"trips":2,"fare_cents":5001})"));
    CHECK(s["top_zones"][1]["zone"] == 5);
    CHECK(s["zones"] == 2);
    CHECK(s["fare_histogram"].size() == 21);
    CHECK(s["fare_histogram"][20]["to"].is_null());

    parts.pop_back();
    CHECK(final_statistics(parts, "x")["complete"] == false);
    auto empty = final_statistics({}, "x");
    CHECK(empty["complete"] == false);
    CHECK(empty["averages"]["fare"] == 0.0);
    CHECK(empty["fare_quantiles"]["p50"] == 0.0);
}

TEST_CASE("rounding to 2 decimals is half away from zero, on integers") {
    CHECK(ratio_2dp(1, 3) == 0.33);
    CHECK(ratio_2dp(2, 3) == 0.67);
    CHECK(ratio_2dp(1, 200) == 0.01);  // 0.005 rounds up
    CHECK(ratio_2dp(-1, 200) == -0.01);
    CHECK(ratio_2dp(5, 0) == 0);
}
