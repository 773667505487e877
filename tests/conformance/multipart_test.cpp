// Large objects: multipart uploads through a writer, put_file and put, and streamed reads of them.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include "conformance.hpp"

using namespace conformance;

namespace {

// At least 64 MiB, and not a whole number of parts.
constexpr std::size_t big_size = 64 * 1024 * 1024 + 12'345;

std::size_t part_size() {
    return storage::store_options{}.part_size;
}

std::size_t parts_of(std::size_t size) {
    return (size + part_size() - 1) / part_size();
}

const std::string& big_bytes() {
    static const std::string bytes = random_bytes(big_size, 6);
    return bytes;
}

const std::string& big_sha256() {
    static const std::string digest = sha256_hex(big_bytes());
    return digest;
}

const std::string& big_etag() {
    static const std::string etag = multipart_etag(big_bytes(), part_size());
    return etag;
}

// `"<32 hex>-<parts>"`
bool has_multipart_form(const std::string& etag, std::size_t parts) {
    std::string suffix = "-" + std::to_string(parts) + "\"";
    if (etag.size() != 1 + 32 + suffix.size() || etag.front() != '"' ||
        etag.compare(33, suffix.size(), suffix) != 0) {
        return false;
    }
    return std::all_of(etag.begin() + 1, etag.begin() + 33, [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
    });
}

// The ETag S3 gives an upload of `parts` parts whose ETag S3 would compute as `expected`.
void check_multipart_etag(std::string_view check, const std::string& etag,
                          const std::string& expected, std::size_t parts) {
    if (skipped_for_quirk(check, "multipart-etag")) {
        return;
    }
    INFO("ETag " << etag);
    CHECK(has_multipart_form(etag, parts));
    CHECK(etag == expected);
}

// Writes `bytes` to `writer` in pieces of awkward sizes (one byte, primes, just over a part).
void write_in_odd_pieces(storage::object_writer& writer, std::string_view bytes) {
    static constexpr std::array<std::size_t, 7> sizes{
        1, 4093, 999'983, 3 * 1024 * 1024 + 7, 65'537, 8 * 1024 * 1024 + 1, 12'345'679};
    std::size_t at = 0;
    for (std::size_t i = 0; at < bytes.size(); ++i) {
        std::size_t n = std::min(sizes[i % sizes.size()], bytes.size() - at);
        writer.write(bytes.substr(at, n));
        at += n;
    }
}

// Uploads big_bytes() through a writer once per key; later calls return the first result.
const storage::object_info& uploaded_with_writer(const std::string& key) {
    static std::mutex mutex;
    static std::map<std::string, storage::object_info> done;
    std::lock_guard lock(mutex);
    auto found = done.find(key);
    if (found == done.end()) {
        auto writer = the_store().writer(bucket("multipart"), key,
                                         {.content_type = "application/x-conformance"});
        write_in_odd_pieces(writer, big_bytes());
        found = done.emplace(key, writer.close()).first;
    }
    return found->second;
}

// Reads an object through a streaming sink: its SHA-256, length and the pieces it came in.
struct streamed {
    std::string sha256;
    std::size_t length = 0;
    std::size_t pieces = 0;
    std::size_t largest_piece = 0;
    storage::object_info info;
};

streamed read_streamed(const std::string& b, const std::string& key) {
    streamed result;
    conformance::sha256 digest;
    result.info = the_store().get(b, key, [&](std::string_view piece) {
        digest.update(piece);
        result.length += piece.size();
        ++result.pieces;
        result.largest_piece = std::max(result.largest_piece, piece.size());
    });
    result.sha256 = digest.hex();
    return result;
}

// A file removed when the test ends.
struct temp_file {
    std::filesystem::path path;
    explicit temp_file(std::string_view bytes) {
        std::random_device device;
        path = std::filesystem::temp_directory_path() /
               ("lambdaport-conformance-" + std::to_string(device()) + ".bin");
        std::ofstream out(path, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        REQUIRE(out.good());
    }
    ~temp_file() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
};

}  // namespace

TEST_CASE("multipart: a 64 MiB object written through a writer in odd-sized pieces") {
    const auto& store = the_store();
    const auto& b = bucket("multipart");
    const auto& info = uploaded_with_writer("big/writer-1.bin");

    CHECK(info.size == big_size);
    check_multipart_etag("multipart ETag of a writer", info.etag, big_etag(), parts_of(big_size));

    auto head = store.head(b, "big/writer-1.bin");
    CHECK(head.size == big_size);
    CHECK(head.etag == info.etag);
    CHECK(head.content_type == "application/x-conformance");
    CHECK(near_now(head.last_modified));

    std::string read = store.get(b, "big/writer-1.bin");
    CHECK(read.size() == big_size);
    CHECK(read == big_bytes());
}

TEST_CASE("multipart: the same bytes uploaded the same way twice get the same ETag") {
    const auto& first = uploaded_with_writer("big/writer-1.bin");
    const auto& second = uploaded_with_writer("big/writer-2.bin");
    CHECK(second.etag == first.etag);
    CHECK(the_store().head(bucket("multipart"), "big/writer-2.bin").etag == first.etag);
}

TEST_CASE("multipart: a 64 MiB file uploaded with put_file, read back piecewise") {
    const auto& store = the_store();
    const auto& b = bucket("multipart");
    temp_file file(big_bytes());

    auto info = store.put_file(b, "big/put-file.bin", file.path, {.content_type = "text/plain"});
    CHECK(info.size == big_size);
    check_multipart_etag("multipart ETag of put_file", info.etag, big_etag(), parts_of(big_size));

    // Streamed: the sink gets the bytes in order (same digest) in many pieces, never all at once.
    auto read = read_streamed(b, "big/put-file.bin");
    CHECK(read.length == big_size);
    CHECK(read.sha256 == big_sha256());
    CHECK(read.pieces > 1);
    CHECK(read.largest_piece < big_size);
    CHECK(read.info.size == big_size);
    CHECK(read.info.etag == info.etag);
    CHECK(store.head(b, "big/put-file.bin").content_type == "text/plain");
}

TEST_CASE("multipart: put of bytes above the threshold") {
    const auto& store = the_store();
    const auto& b = bucket("multipart");
    const std::string bytes = random_bytes(2 * part_size() + 5, 7);
    auto info = store.put(b, "mid/put.bin", bytes);
    CHECK(info.size == bytes.size());
    check_multipart_etag("multipart ETag of put", info.etag, multipart_etag(bytes, part_size()), 3);
    CHECK(store.head(b, "mid/put.bin").etag == info.etag);
    CHECK(store.get(b, "mid/put.bin") == bytes);
}

TEST_CASE("multipart: a writer below the threshold writes one plain object") {
    const auto& store = the_store();
    const auto& b = bucket("multipart");
    const std::string bytes = random_bytes(1024 * 1024 + 3, 8);
    auto writer = store.writer(b, "small/writer.bin");
    write_in_odd_pieces(writer, bytes);
    auto info = writer.close();
    CHECK(info.size == bytes.size());
    CHECK(info.etag == single_part_etag(bytes));
    CHECK(store.get(b, "small/writer.bin") == bytes);

    SUBCASE("an empty writer writes an empty object") {
        auto empty = store.writer(b, "small/empty-writer");
        auto empty_info = empty.close();
        CHECK(empty_info.size == 0);
        CHECK(empty_info.etag == single_part_etag(""));
        CHECK(store.get(b, "small/empty-writer").empty());
    }
}

TEST_CASE("multipart: a writer destroyed without close leaves nothing visible") {
    const auto& store = the_store();
    const auto& b = bucket("multipart");
    std::string key;
    std::size_t written = 0;

    SUBCASE("before the first part went out") {
        key = "aborted/small";
        written = 1000;
    }
    SUBCASE("after parts went out") {
        key = "aborted/large";
        written = 2 * part_size() + 1;
    }
    {
        auto writer = store.writer(b, key);
        write_in_odd_pieces(writer, std::string_view(big_bytes()).substr(0, written));
    }
    auto e = error_of([&] { store.head(b, key); });
    REQUIRE(e);
    CHECK(e->code() == "NoSuchKey");
    CHECK(e->http_status() == 404);
    auto keys = keys_of(store.list_all(b));
    CHECK(std::find(keys.begin(), keys.end(), key) == keys.end());
}

TEST_CASE("multipart: an aborted writer leaves an earlier object of that key as it was") {
    const auto& store = the_store();
    const auto& b = bucket("multipart");
    store.put(b, "aborted/existing", "the original");
    {
        auto writer = store.writer(b, "aborted/existing");
        write_in_odd_pieces(writer, std::string_view(big_bytes()).substr(0, part_size() + 1));
    }
    CHECK(store.get(b, "aborted/existing") == "the original");
}
