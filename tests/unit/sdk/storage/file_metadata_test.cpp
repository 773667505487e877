#include "storage/file_metadata.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "storage/aws.hpp"
#include "storage/file_io.hpp"
#include "temp_root.hpp"

using namespace lambdaport::storage::detail;

namespace {

// Bytes that differ from part to part, so a part mixed up with another changes the ETag.
std::string pattern(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
    }
    return bytes;
}

// The multipart ETag spelled out: MD5 of the concatenated binary MD5s of each part, then
// "-<parts>".
std::string multipart_etag(const std::string& bytes, std::size_t part_size) {
    std::string md5s;
    std::size_t parts = 0;
    for (std::size_t at = 0; at < bytes.size(); at += part_size) {
        digest part(digest::algorithm::md5);
        part.update(std::string_view(bytes).substr(at, part_size));
        md5s += part.finish();
        ++parts;
    }
    return "\"" + md5_hex(md5s) + "-" + std::to_string(parts) + "\"";
}

std::string etag_of(const std::string& bytes, std::uint64_t threshold, std::uint64_t part_size,
                    std::size_t write_size) {
    etag_builder etag(threshold, part_size);
    for (std::size_t at = 0; at < bytes.size(); at += write_size) {
        etag.update(std::string_view(bytes).substr(at, write_size));
    }
    return etag.finish();
}

}  // namespace

TEST_CASE("a single-request ETag is the quoted MD5") {
    etag_builder empty;
    CHECK(empty.finish() == "\"d41d8cd98f00b204e9800998ecf8427e\"");
    etag_builder hello;
    hello.update("hel");
    hello.update("");
    hello.update("lo");
    CHECK(hello.finish() == "\"5d41402abc4b2a76b9719d911017c592\"");
}

TEST_CASE("uploads past the threshold get the multipart ETag, whatever the write sizes") {
    const std::string bytes = pattern(103);
    for (std::size_t write_size : {1, 3, 10, 64, 103}) {
        CAPTURE(write_size);
        // threshold == part size (the default shape)
        CHECK(etag_of(bytes, 10, 10, write_size) == multipart_etag(bytes, 10));
        // threshold above the part size
        CHECK(etag_of(bytes, 50, 20, write_size) == multipart_etag(bytes, 20));
        // threshold below the part size
        CHECK(etag_of(bytes, 10, 40, write_size) == multipart_etag(bytes, 40));
        // an exact multiple of the part size has no empty last part
        CHECK(etag_of(bytes.substr(0, 100), 10, 10, write_size) ==
              multipart_etag(bytes.substr(0, 100), 10));
    }
    CHECK(multipart_etag(bytes, 10).ends_with("-11\""));
    CHECK(multipart_etag(bytes.substr(0, 100), 10).ends_with("-10\""));
}

TEST_CASE("up to the threshold the ETag is the plain MD5, even across several parts") {
    const std::string bytes = pattern(100);
    const std::string md5 = "\"" + md5_hex(bytes) + "\"";
    for (std::size_t write_size : {1, 7, 100}) {
        CAPTURE(write_size);
        CHECK(etag_of(bytes, 100, 100, write_size) == md5);  // exactly the threshold
        CHECK(etag_of(bytes, 100, 30, write_size) == md5);   // four parts' worth, one request
        CHECK(etag_of(bytes, 150, 10, write_size) == md5);
        CHECK(etag_of(bytes, 99, 30, write_size) == multipart_etag(bytes, 30));  // one past
    }
}

TEST_CASE("the metadata attribute round-trips and rejects anything else") {
    const file_metadata metadata{12345, 1'700'000'000'123'456'789, "\"abc-2\"", "text/csv"};
    const auto decoded = decode_metadata(encode_metadata(metadata));
    REQUIRE(decoded);
    CHECK(decoded->size == metadata.size);
    CHECK(decoded->mtime_ns == metadata.mtime_ns);
    CHECK(decoded->etag == metadata.etag);
    CHECK(decoded->content_type == metadata.content_type);

    const file_metadata no_type{0, 1, "\"x\"", ""};
    REQUIRE(decode_metadata(encode_metadata(no_type)));
    CHECK(decode_metadata(encode_metadata(no_type))->content_type.empty());

    CHECK_FALSE(decode_metadata(""));
    CHECK_FALSE(decode_metadata("something else\n1\n2\n\"e\"\n"));
    CHECK_FALSE(decode_metadata("lambdaport-metadata-1\nx\n2\n\"e\"\n"));
    CHECK_FALSE(decode_metadata("lambdaport-metadata-1\n1\n2\n"));
}

TEST_CASE("cached metadata is trusted only while size and mtime match") {
    temp_root dir;
    const std::string path = (dir.path / "object").string();
    unique_fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    REQUIRE(fd);
    write_all(fd.get(), "hello", path);
    struct stat st {};
    REQUIRE(::fstat(fd.get(), &st) == 0);

    // Nothing cached yet: computed from the bytes, then cached.
    CHECK_FALSE(cached_metadata(fd.get(), st));
    const file_metadata computed = current_metadata(fd.get(), st, path);
    CHECK(computed.etag == "\"5d41402abc4b2a76b9719d911017c592\"");
    CHECK(computed.size == 5);
    CHECK(computed.content_type == default_content_type);
    REQUIRE(cached_metadata(fd.get(), st));
    REQUIRE(cached_metadata(path, st));
    CHECK(cached_metadata(path, st)->etag == computed.etag);

    // Changed behind our back: the cache no longer applies.
    write_all(fd.get(), " world", path);
    struct stat changed {};
    REQUIRE(::fstat(fd.get(), &changed) == 0);
    CHECK_FALSE(cached_metadata(fd.get(), changed));
    CHECK(current_metadata(fd.get(), changed, path).etag == "\"" + md5_hex("hello world") + "\"");

    // Same size, other mtime: stale too.
    timespec times[2] = {{0, UTIME_OMIT}, {changed.st_mtim.tv_sec + 10, 0}};
    REQUIRE(::futimens(fd.get(), times) == 0);
    struct stat touched {};
    REQUIRE(::fstat(fd.get(), &touched) == 0);
    CHECK_FALSE(cached_metadata(fd.get(), touched));
}
