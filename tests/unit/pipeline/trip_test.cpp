#include "trip.hpp"

#include <doctest/doctest.h>

using namespace pipeline;

namespace {

parsed_row csv(std::string_view line) {
    parsed_row r;
    parse_line(line, format::csv, r);
    return r;
}

parsed_row jsonl(std::string_view line) {
    parsed_row r;
    parse_line(line, format::jsonl, r);
    return r;
}

bool repaired(const parsed_row& r, repair what) {
    return (r.repaired & (1u << unsigned(what))) != 0;
}

const char* good =
    "T1,Yellow Cab,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,3.70,card";

}  // namespace

TEST_CASE("a canonical CSV row becomes a trip with integer values") {
    auto r = csv(good);
    REQUIRE(r.ok);
    CHECK(r.repaired == 0);
    CHECK(r.t.trip_id == "T1");
    CHECK(r.t.vendor == "Yellow Cab");
    CHECK(format_time(r.t.pickup) == "2026-11-03 08:15:00");
    CHECK(r.t.dropoff - r.t.pickup == 25 * 60 + 30);
    CHECK(r.t.pickup_zone == 132);
    CHECK(r.t.dropoff_zone == 48);
    CHECK(r.t.passengers == 2);
    CHECK(r.t.distance_centimiles == 525);
    CHECK(r.t.fare_cents == 1850);
    CHECK(r.t.tip_cents == 370);
    CHECK(r.t.pay == payment::card);
    std::string out;
    append_clean_csv(r.t, out);
    CHECK(out == std::string(good) + "\n");
    // Unix time of 2026-11-03 08:15:00 UTC, from `date -u -d '2026-11-03 08:15:00' +%s`.
    CHECK(r.t.pickup == 1793693700);
}

TEST_CASE("CSV quoting: quoted fields, doubled quotes, blanks outside quotes") {
    auto r =
        csv("  T2 , \"Zo\xC3\xAB's \"\"Rides\"\", Inc\" ,2026-11-03 08:15:00,2026-11-03 08:20:00,"
            "1,2,1,0.5,\"7\",0,cash");
    REQUIRE(r.ok);
    CHECK(r.t.trip_id == "T2");
    CHECK(r.t.vendor == "Zo\xC3\xAB's \"Rides\", Inc");
    CHECK(r.t.fare_cents == 700);
    std::string out;
    append_clean_csv(r.t, out);
    CHECK(out ==
          "T2,\"Zo\xC3\xAB's \"\"Rides\"\", Inc\",2026-11-03 08:15:00,2026-11-03 08:20:00,"
          "1,2,1,0.50,7.00,0.00,cash\n");
}

TEST_CASE("malformed CSV rows") {
    for (const char* line :
         {"T1,a,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,3.70",  // 10 fields
          "T1,a,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,3.70,card,x",
          "T1,\"unterminated,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,3.70,card",
          "T1,\"a\"b,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,3.70,card",
          "T1,a\"b,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,3.70,card", ""}) {
        CAPTURE(line);
        auto r = csv(line);
        CHECK_FALSE(r.ok);
        CHECK(r.reason == drop_reason::malformed);
    }
}

TEST_CASE("the first failing check names the reason") {
    struct c {
        const char* line;
        drop_reason reason;
    };
    for (auto x : {
             c{",v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,3.70,card",
               drop_reason::missing_field},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,,3.70,card",
               drop_reason::missing_field},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,3.70,",
               drop_reason::missing_field},
             // missing beats a bad type elsewhere
             c{"T,v,yesterday,2026-11-03 08:40:30,132,,2,5.25,18.50,3.70,card",
               drop_reason::missing_field},
             c{"T,v,yesterday,2026-11-03 08:40:30,132,48,2,5.25,18.50,3.70,card",
               drop_reason::bad_type},
             c{"T,v,2026-02-30 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,3.70,card",
               drop_reason::bad_type},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,1x2,48,2,5.25,18.50,3.70,card",
               drop_reason::bad_type},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.255,18.50,3.70,card",
               drop_reason::bad_type},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,.5,18.50,3.70,card",
               drop_reason::bad_type},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,3.70,bitcoin",
               drop_reason::bad_type},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,two,5.25,18.50,3.70,card",
               drop_reason::bad_type},
             // bad type beats out of range
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,300,48,2,5.25,abc,3.70,card",
               drop_reason::bad_type},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,0,48,2,5.25,18.50,3.70,card",
               drop_reason::out_of_range},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,264,2,5.25,18.50,3.70,card",
               drop_reason::out_of_range},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,10,5.25,18.50,3.70,card",
               drop_reason::out_of_range},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,-1,18.50,3.70,card",
               drop_reason::out_of_range},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,200.01,18.50,3.70,card",
               drop_reason::out_of_range},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5,1000.01,3.70,card",
               drop_reason::out_of_range},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5,18.50,500.01,card",
               drop_reason::out_of_range},
             c{"T,v,2019-12-31 23:59:59,2020-01-01 00:10:00,132,48,2,5,18.50,1,card",
               drop_reason::out_of_range},
             c{"T,v,2030-01-01 00:00:00,2030-01-01 00:10:00,132,48,2,5,18.50,1,card",
               drop_reason::out_of_range},
             c{"T,v,2026-11-03 08:15:00,2026-11-03 08:14:59,132,48,2,5,18.50,1,card",
               drop_reason::out_of_range},
             c{"T,v,2026-11-03 08:15:00,2026-11-04 08:15:01,132,48,2,5,18.50,1,card",
               drop_reason::out_of_range},
         }) {
        CAPTURE(x.line);
        auto r = csv(x.line);
        CHECK_FALSE(r.ok);
        CHECK(r.reason == x.reason);
    }
    // The edges are inside the ranges.
    auto r = csv("T,v,2020-01-01 00:00:00,2020-01-02 00:00:00,1,263,9,200,1000,500,card");
    CHECK(r.ok);
    r = csv("T,v,2029-12-31 23:59:59,2029-12-31 23:59:59,1,263,0,0,0,0,card");
    CHECK(r.ok);
}

TEST_CASE("repairs of kept rows") {
    auto r = csv("T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,,card");
    REQUIRE(r.ok);
    CHECK(repaired(r, repair::missing_tip));
    CHECK(r.t.tip_cents == 0);

    r = csv("T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,,5.25,18.50,1,card");
    REQUIRE(r.ok);
    CHECK(repaired(r, repair::missing_passengers));
    CHECK(r.t.passengers == 1);

    for (const char* times :
         {"2026-11-03T08:15:00Z,2026-11-03T08:40:30Z", "11/03/2026 08:15:00,11/03/2026 08:40:30",
          "1793693700,1793695230", "2026-11-03 08:15:00,1793695230"}) {
        CAPTURE(times);
        r = csv(std::string("T,v,") + times + ",132,48,2,5.25,18.50,1,card");
        REQUIRE(r.ok);
        CHECK(r.repaired == (1u << unsigned(repair::timestamp_format)));
        CHECK(format_time(r.t.pickup) == "2026-11-03 08:15:00");
        CHECK(format_time(r.t.dropoff) == "2026-11-03 08:40:30");
    }

    struct label {
        const char* text;
        payment p;
    };
    for (auto l : {label{"CARD", payment::card}, label{"Credit Card", payment::card},
                   label{"credit", payment::card}, label{"\" cash \"", payment::cash},
                   label{"No Charge", payment::no_charge}, label{"NOCHARGE", payment::no_charge},
                   label{"no-charge", payment::no_charge}, label{"Dispute", payment::dispute}}) {
        CAPTURE(l.text);
        r = csv(std::string("T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,1,") +
                l.text);
        REQUIRE(r.ok);
        CHECK(r.repaired == (1u << unsigned(repair::payment_label)));
        CHECK(r.t.pay == l.p);
    }
    // Blanks outside quotes are CSV's, not the label's: no repair.
    r = csv("T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,1,  cash ");
    REQUIRE(r.ok);
    CHECK(r.repaired == 0);

    r = csv("T,Caf\xE9 Taxi,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,18.50,1,card");
    REQUIRE(r.ok);
    CHECK(r.repaired == (1u << unsigned(repair::latin1_text)));
    CHECK(r.t.vendor == "Caf\xC3\xA9 Taxi");

    r = csv("T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,5.25,\"12,50\",1,card");
    REQUIRE(r.ok);
    CHECK(r.repaired == (1u << unsigned(repair::decimal_comma)));
    CHECK(r.t.fare_cents == 1250);
    // A decimal comma anywhere else does not parse.
    r = csv("T,v,2026-11-03 08:15:00,2026-11-03 08:40:30,132,48,2,\"5,25\",18.50,1,card");
    CHECK(r.reason == drop_reason::bad_type);
}

TEST_CASE("JSON Lines rows") {
    auto r =
        jsonl(R"({"trip_id":"T9","vendor":"Caf\u00e9","pickup_at":"2026-11-03 08:15:00",)"
              R"("dropoff_at":"2026-11-03 08:40:30","pickup_zone":132,"dropoff_zone":"48",)"
              R"("passengers":2,"distance_mi":5.25,"fare":"18.50","tip":3.7,"payment":"card"})");
    REQUIRE(r.ok);
    CHECK(r.repaired == 0);
    CHECK(r.t.vendor == "Caf\xC3\xA9");
    CHECK(r.t.dropoff_zone == 48);
    CHECK(r.t.distance_centimiles == 525);
    CHECK(r.t.tip_cents == 370);
    // Any key order; null and absent are missing.
    r = jsonl(
        R"({"payment":"cash","tip":null,"fare":7,"distance_mi":1,"dropoff_zone":2,)"
        R"("pickup_zone":1,"dropoff_at":"2026-11-03 08:40:30","pickup_at":"2026-11-03 08:15:00",)"
        R"("trip_id":"T10"})");
    REQUIRE(r.ok);
    CHECK(r.repaired ==
          ((1u << unsigned(repair::missing_tip)) | (1u << unsigned(repair::missing_passengers))));
    CHECK(r.t.vendor.empty());
    for (const char* line :
         {R"({"trip_id":"T1")", R"(["T1"])", R"({"trip_id":"T1"} x)", "{\"trip_id\":\"caf\xE9\"}",
          R"({"a":01})", R"({"a":"\x"})", "", R"({"a":[1,2,}})"}) {
        CAPTURE(line);
        r = jsonl(line);
        CHECK_FALSE(r.ok);
        CHECK(r.reason == drop_reason::malformed);
    }
    r = jsonl(
        R"({"trip_id":"T","pickup_at":"2026-11-03 08:15:00","dropoff_at":"2026-11-03 08:40:30",)"
        R"("pickup_zone":1.5,"dropoff_zone":2,"distance_mi":1,"fare":7,"payment":"cash"})");
    CHECK(r.reason == drop_reason::bad_type);
    r = jsonl(
        R"({"trip_id":"T","pickup_at":"2026-11-03 08:15:00","dropoff_at":"2026-11-03 08:40:30",)"
        R"("pickup_zone":{"id":1},"dropoff_zone":2,"distance_mi":1,"fare":7,"payment":"cash"})");
    CHECK(r.reason == drop_reason::bad_type);
}

TEST_CASE("JSON numbers are exact decimals; times and text must be JSON strings") {
    auto row = [](std::string fare, std::string pickup = "\"2026-11-03 08:15:00\"") {
        return R"({"trip_id":"T","pickup_at":)" + pickup +
               R"(,"dropoff_at":"2026-11-03 08:40:30","pickup_zone":1,"dropoff_zone":2,)"
               R"("distance_mi":1,"fare":)" +
               fare + R"(,"payment":"cash"})";
    };
    struct c {
        const char* fare;
        std::int64_t cents;
    };
    for (auto x :
         {c{"12.345", 1235}, c{"12.344", 1234}, c{"0.005", 1}, c{"0.0049", 0}, c{"1.5e1", 1500},
          c{"125E-1", 1250}, c{"7", 700}, c{"0", 0}, c{"1e-9", 0}, c{"999.995", 100000}}) {
        CAPTURE(x.fare);
        auto r = jsonl(row(x.fare));
        if (x.cents <= 100'000) {
            REQUIRE(r.ok);
            CHECK(r.t.fare_cents == x.cents);
        }
    }
    CHECK(jsonl(row("1000.005")).reason == drop_reason::out_of_range);  // rounds to 1000.01
    CHECK(jsonl(row("1e9999")).reason == drop_reason::bad_type);
    CHECK(jsonl(row("7", "1793693700")).reason == drop_reason::bad_type);
    CHECK(jsonl(row("7", "true")).reason == drop_reason::bad_type);
    // A text with more than 2 decimals does not parse.
    CHECK(jsonl(row("\"12.345\"")).reason == drop_reason::bad_type);
}

TEST_CASE("dates: days from the civil calendar, leap years, formatting") {
    CHECK(days_from_civil(1970, 1, 1) == 0);
    CHECK(days_from_civil(2000, 3, 1) == 11'017);
    CHECK(days_from_civil(2024, 2, 29) == 19'782);
    CHECK(format_time(0) == "1970-01-01 00:00:00");
    CHECK(format_time(1'709'251'199) == "2024-02-29 23:59:59");
    auto r = csv("T,v,2024-02-29 10:00:00,2024-02-29 10:00:00,1,1,1,1,1,1,card");
    CHECK(r.ok);
    r = csv("T,v,2026-02-29 10:00:00,2026-02-29 10:00:00,1,1,1,1,1,1,card");
    CHECK(r.reason == drop_reason::bad_type);
}
