// Byte ranges and streamed reads.

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "conformance.hpp"

using namespace conformance;

namespace {

const std::string& thousand_bytes() {
    static const std::string bytes = random_bytes(1000, 3);
    return bytes;
}

// Thrown by a sink to stop a transfer.
struct sink_stopped : std::runtime_error {
    sink_stopped() : std::runtime_error("the sink stopped the transfer") {}
};

}  // namespace

TEST_CASE("ranges: parts of an object, as an HTTP Range header selects them") {
    const auto& store = the_store();
    const auto& b = bucket("ranges");
    const std::string& bytes = thousand_bytes();
    store.put(b, "range/thousand", bytes);

    SUBCASE("first to last, both included") {
        CHECK(store.get(b, "range/thousand", {.first = 10, .last = 19}) == bytes.substr(10, 10));
    }
    SUBCASE("from the start") {
        CHECK(store.get(b, "range/thousand", {.first = 0, .last = 99}) == bytes.substr(0, 100));
    }
    SUBCASE("open-ended: to the end") {
        CHECK(store.get(b, "range/thousand", {.first = 990}) == bytes.substr(990));
        CHECK(store.get(b, "range/thousand", {.first = 0}) == bytes);
    }
    SUBCASE("a single byte") {
        CHECK(store.get(b, "range/thousand", {.first = 5, .last = 5}) == bytes.substr(5, 1));
        CHECK(store.get(b, "range/thousand", {.first = 0, .last = 0}) == bytes.substr(0, 1));
        CHECK(store.get(b, "range/thousand", {.first = 999, .last = 999}) == bytes.substr(999));
        CHECK(store.get(b, "range/thousand", {.first = 999}) == bytes.substr(999));
    }
    SUBCASE("the whole object exactly") {
        CHECK(store.get(b, "range/thousand", {.first = 0, .last = 999}) == bytes);
    }
    SUBCASE("a last byte past the end is clamped to the end") {
        CHECK(store.get(b, "range/thousand", {.first = 995, .last = 5000}) == bytes.substr(995));
        CHECK(store.get(b, "range/thousand", {.first = 0, .last = 1000}) == bytes);
    }
    SUBCASE("a first byte at the end is InvalidRange (416)") {
        auto e = error_of([&] { store.get(b, "range/thousand", {.first = 1000}); });
        REQUIRE(e);
        CHECK(e->code() == "InvalidRange");
        CHECK(e->http_status() == 416);
    }
    SUBCASE("a first byte past the end is InvalidRange (416)") {
        auto e = error_of([&] { store.get(b, "range/thousand", {.first = 5000, .last = 6000}); });
        REQUIRE(e);
        CHECK(e->code() == "InvalidRange");
        CHECK(e->http_status() == 416);
    }
    SUBCASE("a range of a streamed get") {
        std::string read;
        auto info = store.get(
            b, "range/thousand", [&](std::string_view piece) { read.append(piece); },
            storage::byte_range{.first = 100, .last = 299});
        CHECK(read == bytes.substr(100, 200));
        // The metadata is the whole object's.
        CHECK(info.size == bytes.size());
        CHECK(info.etag == single_part_etag(bytes));
    }
    SUBCASE("a range of a missing object is NoSuchKey") {
        auto e = error_of([&] { store.get(b, "range/missing", {.first = 0, .last = 9}); });
        REQUIRE(e);
        CHECK(e->code() == "NoSuchKey");
        CHECK(e->http_status() == 404);
    }
}

TEST_CASE("streamed get: a multi-MiB object arrives in order, in several pieces") {
    const auto& store = the_store();
    const auto& b = bucket("ranges");
    const std::string bytes = random_bytes(6 * 1024 * 1024 + 1, 4);
    store.put(b, "stream/six-mib", bytes);

    std::string read;
    std::size_t pieces = 0;
    auto info = store.get(b, "stream/six-mib", [&](std::string_view piece) {
        ++pieces;
        read.append(piece);
    });
    CHECK(read.size() == bytes.size());
    CHECK(read == bytes);
    CHECK(pieces > 1);
    CHECK(info.size == bytes.size());
    CHECK(info.etag == single_part_etag(bytes));
}

TEST_CASE("streamed get: an exception from the sink stops the transfer and propagates") {
    const auto& store = the_store();
    const auto& b = bucket("ranges");
    const std::string bytes = random_bytes(6 * 1024 * 1024 + 1, 5);
    store.put(b, "stream/stopped", bytes);

    std::size_t received = 0;
    int calls = 0;
    auto stop_after_first = [&](std::string_view piece) {
        ++calls;
        received += piece.size();
        throw sink_stopped();
    };
    CHECK_THROWS_AS(store.get(b, "stream/stopped", stop_after_first), sink_stopped);
    CHECK(calls == 1);
    CHECK(received < bytes.size());

    // The store still works afterwards (whatever it did with the interrupted connection).
    CHECK(store.get(b, "stream/stopped", {.first = 10, .last = 19}) == bytes.substr(10, 10));
    CHECK(store.get(b, "stream/stopped") == bytes);
}
