#include "cleaner.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pipeline;

namespace {

std::string row(int id, const char* payment = "card", int minute = 15) {
    char buf[160];
    std::snprintf(
        buf, sizeof buf,
        "T%06d,Vendor %d,2026-11-03 08:%02d:00,2026-11-03 09:00:00,%d,48,1,2.50,%d.25,1.00,%s", id,
        id % 7, minute, 1 + id % 263, 5 + id % 40, payment);
    return buf;
}

struct result {
    std::string csv;
    quality q;
};

// Cleans `data` as part `part` of `parts`, feeding it in pieces of `piece` bytes from the part's
// read start, as a streamed GET would.
result clean(const std::string& data, format f, unsigned part, unsigned parts,
             std::size_t piece = 4096) {
    auto range = range_of_part(data.size(), part, parts);
    auto start = part == 0 && parts == 1 ? 0 : read_start(range);
    result r;
    part_cleaner c(
        f, start, range, [&](std::string_view s) { r.csv.append(s); }, 1000);
    for (std::size_t at = start; at < data.size(); at += piece) {
        if (!c.feed(std::string_view(data).substr(at, piece))) {
            break;
        }
    }
    c.finish();
    r.q = c.counts();
    return r;
}

const std::string header(csv_header);

}  // namespace

TEST_CASE("a whole CSV object: header, BOM, blank lines, CRLF, duplicates, an overlong line") {
    std::string data = "\xEF\xBB\xBF" + header + "\r\n";
    data += row(1) + "\r\n";
    data += "\r\n";  // blank: not a row
    data += row(2) + "\r\n";
    data += row(1) + "\r\n";                 // duplicate of the first row
    data += "x,y\r\n";                       // malformed
    data += row(3, "CARD") + "\r\n";         // repaired label
    data += std::string(600, 'z') + "\r\n";  // overlong: malformed
    data += row(4);                          // no line end at the end of the object
    auto r = clean(data, format::csv, 0, 1);
    CHECK(r.q.rows == 7);
    CHECK(r.q.clean == 4);
    CHECK(r.q.dropped[std::size_t(drop_reason::duplicate)] == 1);
    CHECK(r.q.dropped[std::size_t(drop_reason::malformed)] == 2);
    CHECK(r.q.repaired[std::size_t(repair::payment_label)] == 1);
    CHECK(r.csv == header + "\n" + row(1) + "\n" + row(2) + "\n" + row(3) + "\n" + row(4) + "\n");
}

TEST_CASE("FORMAT.md's edges: any first CSV line is the header, long blank lines, a last \\r") {
    // The first line of a CSV file is never a row, whatever it holds.
    auto r = clean(row(1) + "\n" + row(2) + "\n", format::csv, 0, 1);
    CHECK(r.q.rows == 1);
    CHECK(r.csv == header + "\n" + row(2) + "\n");
    // A line of blanks is not a row however long it is.
    r = clean(header + "\n" + std::string(900, ' ') + "\t\r\n" + row(1) + "\n", format::csv, 0, 1);
    CHECK(r.q.rows == 1);
    CHECK(r.q.clean == 1);
    // Without a final '\n', a '\r' at the end of the last line is content: "card\r" is no label.
    r = clean(header + "\n" + row(1) + "\r\n" + row(2) + "\r", format::csv, 0, 1);
    CHECK(r.q.rows == 2);
    CHECK(r.q.clean == 1);
    CHECK(r.q.dropped[std::size_t(drop_reason::bad_type)] == 1);
    // A JSON Lines file may start with a byte order mark.
    r = clean(
        "\xEF\xBB\xBF"
        R"({"trip_id":"J","pickup_at":"2026-11-03 08:15:00",)"
        R"("dropoff_at":"2026-11-03 08:30:00","pickup_zone":1,"dropoff_zone":2,)"
        R"("distance_mi":1.5,"fare":9.5,"payment":"cash"})"
        "\n",
        format::jsonl, 0, 1);
    CHECK(r.q.clean == 1);
}

TEST_CASE("a line of exactly 512 bytes with its line end is kept; 513 is malformed") {
    std::string base = row(1);
    auto padded = [&](std::size_t total) {
        // Pad the vendor so that the line with its '\n' is `total` bytes.
        std::string line = base;
        auto comma = line.find(',');
        line.insert(comma + 1, std::string(total - 1 - line.size(), 'v'));
        return line;
    };
    auto r = clean(header + "\n" + padded(512) + "\n", format::csv, 0, 1);
    CHECK(r.q.clean == 1);
    r = clean(header + "\n" + padded(513) + "\n", format::csv, 0, 1);
    CHECK(r.q.dropped[std::size_t(drop_reason::malformed)] == 1);
}

TEST_CASE("a duplicate is seen only within the 2048 lines before it") {
    std::string data = header + "\n" + row(0) + "\n";
    for (int i = 1; i <= 2047; ++i) {
        data += row(i) + "\n";
    }
    data += row(0) + "\n";  // 2048 lines after the first row: the window's last line
    for (int i = 3000; i <= 3001; ++i) {
        data += row(i) + "\n";
    }
    data += row(0) + "\n";  // the copy above is a duplicate, so it counts; the original has left
    auto r = clean(data, format::csv, 0, 1);
    CHECK(r.q.dropped[std::size_t(drop_reason::duplicate)] == 2);

    data = header + "\n" + row(0) + "\n";
    for (int i = 1; i <= 2048; ++i) {
        data += row(i) + "\n";
    }
    data += row(0) + "\n";  // 2049 lines after: outside the window
    r = clean(data, format::csv, 0, 1);
    CHECK(r.q.dropped[std::size_t(drop_reason::duplicate)] == 0);
}

TEST_CASE("cleaning in parts gives the same rows and counts as cleaning whole") {
    std::string data = header + "\n";
    for (int i = 0; i < 20'000; ++i) {
        if (i % 97 == 0) {
            data += "broken \"line\n";
        }
        if (i % 53 == 0 && i > 10) {
            data += row(i - 1 - i % 11) + "\n";  // a duplicate a few lines back
        }
        if (i % 501 == 0) {
            data += "\n";
        }
        data += row(i, i % 13 == 0 ? "Credit Card" : "cash") + "\n";
    }
    auto whole = clean(data, format::csv, 0, 1);
    CHECK(whole.q.dropped[std::size_t(drop_reason::duplicate)] > 300);
    CHECK(whole.q.dropped[std::size_t(drop_reason::malformed)] > 200);
    for (unsigned parts : {1u, 2u, 3u, 8u, 61u}) {
        CAPTURE(parts);
        quality total;
        std::string rows;
        for (unsigned p = 0; p < parts; ++p) {
            auto r = clean(data, format::csv, p, parts, 1 + p * 977);
            total.merge(r.q);
            rows += r.csv.substr(header.size() + 1);
        }
        CHECK(total.to_json() == whole.q.to_json());
        CHECK(rows == whole.csv.substr(header.size() + 1));
    }
}

TEST_CASE("JSON Lines objects have no header and split the same way") {
    std::string data;
    for (int i = 0; i < 3000; ++i) {
        // Rows 1500.. repeat the ids of the rows 1500 lines before them: inside the window.
        data += R"({"trip_id":"J)" + std::to_string(i % 1500) +
                R"(","pickup_at":"2026-11-03 08:15:00","dropoff_at":"2026-11-03 08:30:00",)"
                R"("pickup_zone":1,"dropoff_zone":2,"distance_mi":1.5,"fare":9.5,"payment":"cash"})"
                "\n";
    }
    auto whole = clean(data, format::jsonl, 0, 1);
    CHECK(whole.q.rows == 3000);
    CHECK(whole.q.clean == 1500);
    CHECK(whole.q.dropped[std::size_t(drop_reason::duplicate)] == 1500);
    for (unsigned parts : {2u, 5u}) {
        quality total;
        for (unsigned p = 0; p < parts; ++p) {
            total.merge(clean(data, format::jsonl, p, parts).q);
        }
        CHECK(total.to_json() == whole.q.to_json());
    }
}

TEST_CASE("quality documents round-trip; missing keys are named") {
    quality q;
    q.rows = 10;
    q.clean = 7;
    q.dropped[1] = 3;
    q.repaired[5] = 2;
    CHECK(quality::from_json(q.to_json()).to_json() == q.to_json());
    auto j = q.to_json();
    j["dropped"].erase("duplicate");
    CHECK_THROWS_WITH_AS(quality::from_json(j), "quality: 'duplicate' is missing or not a count",
                         std::invalid_argument);
}

TEST_CASE("part ranges cover the object exactly once") {
    for (std::uint64_t size : {0ull, 1ull, 7ull, 1000ull, 123'457ull}) {
        for (unsigned parts : {1u, 3u, 8u}) {
            std::uint64_t next = 0;
            for (unsigned p = 0; p < parts; ++p) {
                auto r = range_of_part(size, p, parts);
                CHECK(r.first == next);
                next = r.end;
            }
            CHECK(next == size);
        }
    }
    CHECK_THROWS_AS(range_of_part(10, 3, 3), std::invalid_argument);
}
