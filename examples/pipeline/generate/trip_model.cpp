#include "trip_model.hpp"

#include <algorithm>

#include "calendar.hpp"

namespace lambdaport::pipeline::generate {

static_assert(days_from_civil(2026, 11, 1) * 86400 == month_start);

namespace {

constexpr std::uint64_t id_half = 1'000'000;  // trip ids have 12 digits: two halves of 6

// A keyed permutation of [0, 10^12): a four-round Feistel network on the two 6-digit halves.
// Serial numbers in a row become ids that look random and still never repeat.
std::uint64_t permute_id(std::uint64_t serial, std::uint64_t key) {
    std::uint64_t left = serial / id_half % id_half;
    std::uint64_t right = serial % id_half;
    for (std::uint64_t round = 0; round < 4; ++round) {
        std::uint64_t state = key + round * 0x632be59bd9b4e019ULL + right;
        const std::uint64_t mixed = (left + splitmix64(state) % id_half) % id_half;
        left = right;
        right = mixed;
    }
    return left * id_half + right;
}

// Trips by hour of pickup: quiet nights, a morning peak at 8:00, the evening one at 18:00.
constexpr std::array<std::uint32_t, 24> hour_weights = {
    30, 20, 14, 10, 9, 14, 32, 62, 80, 68, 56, 55, 58, 58, 62, 66, 72, 84, 90, 78, 64, 56, 50, 40};

// Average speed by hour in tenths of a mile per hour: traffic is what makes the rush hours slow.
constexpr std::array<std::int64_t, 24> speed_by_hour = {240, 250, 260, 260, 250, 220, 180, 120,
                                                        105, 115, 130, 130, 125, 125, 125, 120,
                                                        110, 100, 105, 130, 160, 180, 200, 220};

// The busiest pickup zones first (NYC TLC zone ids: midtown, the Upper East Side, JFK, ...); the
// rest follow in a fixed shuffled order. Popularity falls off like Zipf with rank.
constexpr std::array<int, 30> busiest_zones = {237, 161, 236, 162, 132, 230, 186, 142, 170, 163,
                                               239, 48,  68,  138, 234, 79,  107, 140, 141, 263,
                                               249, 164, 229, 100, 113, 114, 43,  90,  246, 151};
constexpr int jfk = 132;
constexpr int laguardia = 138;

// Distance in hundredths of a mile: bands [from, to) with their weights; most trips 0.5-5 mi,
// a tail to 40.
struct band {
    std::int64_t from, to;
    std::uint32_t weight;
};
constexpr std::array<band, 10> distance_bands = {{{10, 50, 5},
                                                  {50, 100, 14},
                                                  {100, 150, 16},
                                                  {150, 200, 13},
                                                  {200, 300, 16},
                                                  {300, 500, 15},
                                                  {500, 800, 9},
                                                  {800, 1200, 6},
                                                  {1200, 2000, 4},
                                                  {2000, 4000, 2}}};

constexpr std::array<int, 7> tip_percents = {10, 12, 15, 18, 20, 22, 25};

}  // namespace

std::string_view payment_label(payment p) {
    switch (p) {
        case payment::card:
            return "card";
        case payment::cash:
            return "cash";
        case payment::no_charge:
            return "no_charge";
        case payment::dispute:
            return "dispute";
        case payment::unknown:
            break;
    }
    return "unknown";
}

const std::vector<vendor_name>& vendor_names() {
    // Source is UTF-8; the second column is the same name in ISO-8859-1, for latin1_text rows.
    static const std::vector<vendor_name> names = {
        {"Yellow Cab Co", "Yellow Cab Co"},
        {"Big Apple Taxi", "Big Apple Taxi"},
        {"Café Taxi", "Caf\xe9 Taxi"},
        {"Zoë's Rides", "Zo\xeb's Rides"},
        {"Metro Cars, Inc.", "Metro Cars, Inc."},
        {"Señor Cabs", "Se\xf1or Cabs"},
        {"The \"Best\" Cab", "The \"Best\" Cab"},
        {"Kraków Car Service", "Krak\xf3w Car Service"},
        {"", ""},
        {"東京タクシー NYC", ""},
        {"🚕 Cab Club", ""},
    };
    return names;
}

trip_model::trip_model(std::uint64_t seed)
    : id_key_(splitmix64(seed)),
      hour_(std::vector<std::uint32_t>(hour_weights.begin(), hour_weights.end())),
      passengers_({2, 68, 15, 5, 3, 4, 3}),
      payment_({700, 240, 30, 20, 10}),
      vendor_({20, 15, 12, 10, 10, 6, 5, 6, 9, 4, 3}),
      tip_percent_({10, 5, 25, 15, 25, 5, 15}) {
    // November 2026 starts on a Sunday; weekends are a little quieter, Thanksgiving (26th) much.
    std::vector<std::uint32_t> days;
    for (int d = 0; d < 30; ++d) {
        const int weekday = d % 7;  // 0 = Sunday
        std::uint32_t w = weekday == 0 ? 80 : weekday == 6 ? 90 : 100;
        if (d == 25) {
            w = 50;
        }
        days.push_back(w);
    }
    day_ = weighted_table(days);

    zone_by_rank_.assign(busiest_zones.begin(), busiest_zones.end());
    std::vector<int> rest;
    for (int z = 1; z <= 263; ++z) {
        if (std::find(busiest_zones.begin(), busiest_zones.end(), z) == busiest_zones.end()) {
            rest.push_back(z);
        }
    }
    // A fixed shuffle (not the user's seed): zone popularity is part of the city, not the run.
    rng fixed(0x7a6f6e6573ULL);
    for (std::size_t i = rest.size() - 1; i > 0; --i) {
        std::swap(rest[i], rest[fixed.below(static_cast<std::uint32_t>(i + 1))]);
    }
    zone_by_rank_.insert(zone_by_rank_.end(), rest.begin(), rest.end());
    std::vector<std::uint32_t> zone_weights;
    for (std::size_t rank = 0; rank < zone_by_rank_.size(); ++rank) {
        zone_weights.push_back(static_cast<std::uint32_t>(1'000'000 / (rank + 3)));
    }
    zone_rank_ = weighted_table(zone_weights);

    std::vector<std::uint32_t> band_weights;
    for (const auto& b : distance_bands) {
        band_weights.push_back(b.weight);
    }
    distance_band_ = weighted_table(band_weights);
}

void trip_model::append_trip_id(std::string& out, std::uint64_t serial) const {
    out.push_back('T');
    append_padded(out, permute_id(serial, id_key_), 12);
}

int trip_model::draw_zone(rng& random) const {
    return zone_by_rank_[zone_rank_.pick(random)];
}

trip trip_model::next(rng& random, std::uint64_t serial) const {
    trip t{};
    t.serial = serial;
    t.vendor = vendor_.pick(random);

    const auto day = static_cast<std::int64_t>(day_.pick(random));
    const auto hour = static_cast<std::int64_t>(hour_.pick(random));
    t.pickup = month_start + day * 86400 + hour * 3600 + random.between(0, 3599);

    t.pickup_zone = draw_zone(random);
    t.dropoff_zone = random.chance(800) ? t.pickup_zone : draw_zone(random);
    const bool airport = t.pickup_zone == jfk || t.pickup_zone == laguardia ||
                         t.dropoff_zone == jfk || t.dropoff_zone == laguardia;

    if (airport && random.chance(8500)) {
        t.distance_centimiles = random.between(900, 2199);
    } else {
        const band& b = distance_bands[distance_band_.pick(random)];
        t.distance_centimiles = random.between(b.from, b.to - 1);
    }

    // Duration follows distance at the hour's speed (longer trips find faster roads), with noise.
    std::int64_t speed = speed_by_hour[static_cast<std::size_t>(hour)] +
                         std::min<std::int64_t>(t.distance_centimiles, 3000) / 40;
    speed = speed * random.between(80, 125) / 100;
    std::int64_t duration = t.distance_centimiles * 360 / speed + random.between(30, 240);
    duration = std::clamp<std::int64_t>(duration, 120, 5400);
    t.dropoff = t.pickup + duration;

    t.passengers = static_cast<int>(passengers_.pick(random));

    // Fare: $3.00 + $2.50 per mile + $0.50 per minute, ±4 %, plus an airport surcharge.
    std::int64_t fare = 300 + t.distance_centimiles * 5 / 2 + duration * 5 / 6;
    fare = fare * random.between(96, 104) / 100;
    if (airport) {
        fare += 175;
    }
    t.fare_cents = fare;

    t.pay = static_cast<payment>(payment_.pick(random));
    t.tip_cents = 0;
    if (t.pay == payment::card && random.chance(9000)) {
        t.tip_cents = (fare * tip_percents[tip_percent_.pick(random)] + 50) / 100;
    } else if (t.pay == payment::cash && random.chance(400)) {
        t.tip_cents = random.between(1, 5) * 100;
    }
    return t;
}

}  // namespace lambdaport::pipeline::generate
