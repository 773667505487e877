// The local-disk store through the public API, on real temporary directories.

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "lambdaport/storage.hpp"
#include "storage/aws.hpp"
#include "temp_root.hpp"

using namespace lambdaport::storage;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t mib = 1024 * 1024;

// A store on a fresh root with bucket "bkt".
struct fixture {
    temp_root root;
    store s;
    explicit fixture(const store_options& options = {}) : s(store::local(root.path, options)) {
        s.create_bucket("bkt");
    }
    fs::path file(const std::string& key) const { return root.path / "bkt" / key; }
};

template <typename Operation>
std::optional<storage_error> error_of(const Operation& operation) {
    try {
        operation();
    } catch (const storage_error& e) {
        return e;
    }
    return std::nullopt;
}

#define CHECK_STORAGE_ERROR(operation, expected_code, expected_status)      \
    do {                                                                    \
        const auto caught = error_of([&] { operation; });                   \
        REQUIRE_MESSAGE(caught.has_value(), "no error from " #operation);   \
        CHECK(caught->code() == (expected_code));                           \
        CHECK(caught->http_status() == (expected_status));                  \
        CHECK(std::string(caught->what()).find('\n') == std::string::npos); \
    } while (false)

std::string quoted_md5(std::string_view bytes) {
    return "\"" + lambdaport::storage::detail::md5_hex(bytes) + "\"";
}

std::string multipart_etag(std::string_view bytes, std::size_t part_size) {
    std::string md5s;
    std::size_t parts = 0;
    for (std::size_t at = 0; at < bytes.size(); at += part_size) {
        lambdaport::storage::detail::digest part(
            lambdaport::storage::detail::digest::algorithm::md5);
        part.update(bytes.substr(at, part_size));
        md5s += part.finish();
        ++parts;
    }
    return "\"" + lambdaport::storage::detail::md5_hex(md5s) + "-" + std::to_string(parts) + "\"";
}

std::string pattern(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<char>((i * 31 + i / 4093) & 0xff);
    }
    return bytes;
}

void write_foreign(const fs::path& path, std::string_view bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> entries_of(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    return names;
}

bool near_now(std::chrono::system_clock::time_point when) {
    const auto gap = std::chrono::system_clock::now() - when;
    return gap < std::chrono::seconds(5) && gap > -std::chrono::seconds(5);
}

}  // namespace

TEST_CASE("put, get and head round-trip bytes and metadata") {
    fixture f;
    const std::string body("binary\0bytes\xff", 13);
    const object_info put = f.s.put("bkt", "dir/sub/file.bin", body);
    CHECK(put.key == "dir/sub/file.bin");
    CHECK(put.size == body.size());
    CHECK(put.etag == quoted_md5(body));
    CHECK(put.content_type == "application/octet-stream");
    CHECK(near_now(put.last_modified));

    CHECK(f.s.get("bkt", "dir/sub/file.bin") == body);
    const object_info head = f.s.head("bkt", "dir/sub/file.bin");
    CHECK(head.key == put.key);
    CHECK(head.size == put.size);
    CHECK(head.etag == put.etag);
    CHECK(head.content_type == "application/octet-stream");
    CHECK(head.last_modified == put.last_modified);
    // The object is a plain file where one would look for it.
    std::ifstream in(f.file("dir/sub/file.bin"), std::ios::binary);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == body);

    f.s.put("bkt", "data.csv", "a,b\n", {.content_type = "text/csv"});
    CHECK(f.s.head("bkt", "data.csv").content_type == "text/csv");

    f.s.put("bkt", "data.csv", "replaced");
    CHECK(f.s.get("bkt", "data.csv") == "replaced");
    CHECK(f.s.head("bkt", "data.csv").etag == quoted_md5("replaced"));

    CHECK(f.s.describe() == "file://" + f.root.path.string());
}

TEST_CASE("the empty object") {
    fixture f;
    const object_info info = f.s.put("bkt", "empty", "");
    CHECK(info.size == 0);
    CHECK(info.etag == "\"d41d8cd98f00b204e9800998ecf8427e\"");
    CHECK(f.s.get("bkt", "empty").empty());
    CHECK_STORAGE_ERROR(f.s.get("bkt", "empty", byte_range{0, 0}), "InvalidRange", 416);
    CHECK_STORAGE_ERROR(f.s.get("bkt", "empty", byte_range{}), "InvalidRange", 416);
}

TEST_CASE("byte ranges behave as S3's Range header") {
    fixture f;
    f.s.put("bkt", "digits", "0123456789");
    CHECK(f.s.get("bkt", "digits", byte_range{0, 0}) == "0");
    CHECK(f.s.get("bkt", "digits", byte_range{2, 5}) == "2345");
    CHECK(f.s.get("bkt", "digits", byte_range{7, std::nullopt}) == "789");
    CHECK(f.s.get("bkt", "digits", byte_range{9, 9}) == "9");
    CHECK(f.s.get("bkt", "digits", byte_range{8, 1000}) == "89");  // clamped
    CHECK(f.s.get("bkt", "digits", byte_range{4, UINT64_MAX}) == "456789");
    CHECK(f.s.get("bkt", "digits", byte_range{0, 9}) == "0123456789");
    CHECK(f.s.get("bkt", "digits", byte_range{5, 2}) == "0123456789");  // invalid: ignored
    CHECK_STORAGE_ERROR(f.s.get("bkt", "digits", byte_range{10, 12}), "InvalidRange", 416);
    CHECK_STORAGE_ERROR(f.s.get("bkt", "digits", byte_range{11, std::nullopt}), "InvalidRange",
                        416);

    std::string got;
    const object_info info = f.s.get(
        "bkt", "digits", [&](std::string_view piece) { got += piece; }, byte_range{3, 4});
    CHECK(got == "34");
    CHECK(info.size == 10);  // the whole object's size
    CHECK(info.etag == quoted_md5("0123456789"));
}

TEST_CASE("get streams a large object in pieces; a sink's exception propagates") {
    fixture f;
    const std::string body = pattern(3 * mib + 17);
    f.s.put("bkt", "big", body);
    std::string got;
    std::size_t pieces = 0;
    std::size_t largest = 0;
    const object_info info = f.s.get("bkt", "big", [&](std::string_view piece) {
        got += piece;
        ++pieces;
        largest = std::max(largest, piece.size());
    });
    CHECK(got == body);
    CHECK(pieces >= 4);
    CHECK(largest <= mib);
    CHECK(info.size == body.size());
    CHECK(info.etag == quoted_md5(body));

    std::size_t calls = 0;
    CHECK_THROWS_WITH_AS(f.s.get("bkt", "big",
                                 [&](std::string_view) {
                                     if (++calls == 2) {
                                         throw std::runtime_error("sink is full");
                                     }
                                 }),
                         "sink is full", std::runtime_error);
    CHECK(calls == 2);
}

TEST_CASE("ETags past the multipart threshold match S3's multipart formula") {
    store_options options;
    options.multipart_threshold = 5 * mib;
    options.part_size = 5 * mib;
    fixture f(options);
    const std::string body = pattern(12 * mib + 3);
    const std::string expected = multipart_etag(body, 5 * mib);
    CHECK(expected.ends_with("-3\""));

    CHECK(f.s.put("bkt", "put", body).etag == expected);

    object_writer writer = f.s.writer("bkt", "writer");
    for (std::size_t at = 0; at < body.size(); at += 777777) {
        writer.write(std::string_view(body).substr(at, 777777));
    }
    CHECK(writer.close().etag == expected);

    const fs::path source = f.root.path / "source.bin";
    write_foreign(source, body);
    CHECK(f.s.put_file("bkt", "put_file", source).etag == expected);

    // What was written is what is reported later, and the bytes are intact.
    CHECK(f.s.head("bkt", "writer").etag == expected);
    CHECK(f.s.list("bkt").objects.at(0).etag == expected);
    CHECK(f.s.get("bkt", "put_file") == body);

    // Exactly at the threshold: one request, plain MD5.
    const std::string at_threshold = body.substr(0, 5 * mib);
    CHECK(f.s.put("bkt", "exact", at_threshold).etag == quoted_md5(at_threshold));
    // Two full parts: no empty third.
    CHECK(f.s.put("bkt", "two", body.substr(0, 10 * mib)).etag ==
          multipart_etag(body.substr(0, 10 * mib), 5 * mib));
}

TEST_CASE("a threshold above the part size keeps single-request ETags up to the threshold") {
    store_options options;
    options.multipart_threshold = 12 * mib;
    options.part_size = 5 * mib;
    fixture f(options);
    const std::string small = pattern(11 * mib);
    CHECK(f.s.put("bkt", "small", small).etag == quoted_md5(small));
    const std::string large = pattern(13 * mib);
    object_writer writer = f.s.writer("bkt", "large");
    writer.write(std::string_view(large).substr(0, 1));
    writer.write(std::string_view(large).substr(1));
    CHECK(writer.close().etag == multipart_etag(large, 5 * mib));
}

TEST_CASE("a writer's object appears whole at close; one never closed leaves nothing") {
    fixture f;
    {
        object_writer writer =
            f.s.writer("bkt", "streamed/out.txt", {.content_type = "text/plain"});
        writer.write("part one, ");
        CHECK(f.s.list("bkt").objects.empty());
        CHECK_STORAGE_ERROR(f.s.head("bkt", "streamed/out.txt"), "NoSuchKey", 404);
        CHECK(entries_of(f.root.path / "bkt").empty());  // not even the folder yet
        writer.write("part two");
        const object_info info = writer.close();
        CHECK(info.etag == quoted_md5("part one, part two"));
        CHECK(info.content_type == "text/plain");
    }
    CHECK(f.s.get("bkt", "streamed/out.txt") == "part one, part two");
    CHECK(f.s.head("bkt", "streamed/out.txt").content_type == "text/plain");

    {
        object_writer abandoned = f.s.writer("bkt", "abandoned");
        abandoned.write("never finished");
    }
    CHECK_STORAGE_ERROR(f.s.head("bkt", "abandoned"), "NoSuchKey", 404);
    CHECK(f.s.list("bkt").objects.size() == 1);
    CHECK(entries_of(f.root.path / ".lambdaport-tmp").empty());
}

TEST_CASE("a watcher on the bucket directory sees only complete objects moved in") {
    fixture f;
    const int inotify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    REQUIRE(inotify >= 0);
    REQUIRE(::inotify_add_watch(inotify, (f.root.path / "bkt").c_str(),
                                IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO) >= 0);
    f.s.put("bkt", "watched.json", "{\"complete\":true}");
    object_writer writer = f.s.writer("bkt", "streamed.json");
    writer.write("{}");
    writer.close();

    alignas(inotify_event) char buffer[4096];
    std::vector<std::pair<std::uint32_t, std::string>> events;
    for (;;) {
        const ssize_t size = ::read(inotify, buffer, sizeof buffer);
        if (size <= 0) {
            break;
        }
        for (ssize_t at = 0; at < size;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
            events.emplace_back(event->mask, event->len ? event->name : "");
            at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
        }
    }
    ::close(inotify);
    REQUIRE(events.size() == 2);
    CHECK(events[0] == std::pair<std::uint32_t, std::string>(IN_MOVED_TO, "watched.json"));
    CHECK(events[1] == std::pair<std::uint32_t, std::string>(IN_MOVED_TO, "streamed.json"));
}

TEST_CASE("keys that cannot be files are refused, with S3's codes where S3 has one") {
    fixture f;
    for (const std::string& key :
         {std::string("../escape"), std::string("a/../b"), std::string("./a"), std::string("a/./b"),
          std::string("/absolute"), std::string("nul\0byte", 8), std::string("a//b"),
          std::string("folder/"), std::string(""), std::string("\xff\xfe"),
          "long/" + std::string(256, 'n')}) {
        CAPTURE(key);
        CHECK_STORAGE_ERROR(f.s.put("bkt", key, "x"), "InvalidObjectKey", 400);
        CHECK_STORAGE_ERROR(f.s.get("bkt", key), "InvalidObjectKey", 400);
        CHECK_STORAGE_ERROR(f.s.writer("bkt", key), "InvalidObjectKey", 400);
        CHECK_STORAGE_ERROR(f.s.remove("bkt", key), "InvalidObjectKey", 400);
    }
    CHECK_STORAGE_ERROR(f.s.put("bkt", std::string(1025, 'k'), "x"), "KeyTooLongError", 400);
    CHECK(entries_of(f.root.path / "bkt").empty());
    CHECK_FALSE(fs::exists(f.root.path / "escape"));
}

TEST_CASE("an object cannot also be a folder of keys, and the error says so") {
    fixture f;
    f.s.put("bkt", "a", "object a");
    const auto under_object = error_of([&] { f.s.put("bkt", "a/b", "x"); });
    REQUIRE(under_object);
    CHECK(under_object->code() == "InvalidObjectKey");
    CHECK(std::string(under_object->what()).find("'a' is an object") != std::string::npos);
    const auto deeper = error_of([&] { f.s.put("bkt", "a/b/c", "x"); });
    REQUIRE(deeper);
    CHECK(std::string(deeper->what()).find("'a' is an object") != std::string::npos);

    f.s.put("bkt", "x/y/z", "deep");
    for (const char* key : {"x", "x/y"}) {
        CAPTURE(key);
        const auto over_folder = error_of([&] { f.s.put("bkt", key, "x"); });
        REQUIRE(over_folder);
        CHECK(over_folder->code() == "InvalidObjectKey");
        CHECK(std::string(over_folder->what()).find("keys under '" + std::string(key) + "/'") !=
              std::string::npos);
        // Reading a folder is reading a key that does not exist.
        CHECK_STORAGE_ERROR(f.s.get("bkt", key), "NoSuchKey", 404);
        CHECK_STORAGE_ERROR(f.s.head("bkt", key), "NoSuchKey", 404);
    }
    CHECK_STORAGE_ERROR(f.s.get("bkt", "a/b"), "NoSuchKey", 404);
    CHECK(f.s.get("bkt", "x/y/z") == "deep");

    // An empty folder left by another tool holds no keys: it gives way.
    fs::create_directories(f.file("empty/folder"));
    f.s.put("bkt", "empty/folder", "now an object");
    CHECK(f.s.get("bkt", "empty/folder") == "now an object");
}

TEST_CASE("any key that is a plain file name is stored as one") {
    fixture f;
    const std::vector<std::string> keys = {
        "with space.txt", "plus+sign", "100%",   "q?#&=~!$'()*,;:@[]", "ünïcødé/文件.txt",
        "🎉/party",        ".hidden",   "..dots", "tab\tand\nnewline",  "a./.b"};
    for (const std::string& key : keys) {
        CAPTURE(key);
        f.s.put("bkt", key, "body of " + key);
        CHECK(f.s.get("bkt", key) == "body of " + key);
        CHECK(fs::exists(f.file(key)));
    }
    std::vector<std::string> listed;
    for (const object_info& info : f.s.list_all("bkt")) {
        listed.push_back(info.key);
    }
    std::vector<std::string> sorted = keys;
    std::sort(sorted.begin(), sorted.end());
    CHECK(listed == sorted);
}

TEST_CASE("missing buckets, missing keys and bad bucket names") {
    fixture f;
    CHECK_STORAGE_ERROR(f.s.get("bkt", "nothing"), "NoSuchKey", 404);
    CHECK_STORAGE_ERROR(f.s.head("bkt", "nothing"), "NoSuchKey", 404);
    CHECK_STORAGE_ERROR(f.s.get("bkt", "no/such/folder"), "NoSuchKey", 404);
    CHECK_STORAGE_ERROR(f.s.copy("bkt", "nothing", "bkt", "copy"), "NoSuchKey", 404);
    const auto missing_key = error_of([&] { f.s.get("bkt", "nothing"); });
    REQUIRE(missing_key);
    CHECK(missing_key->bucket() == "bkt");
    CHECK(missing_key->key() == "nothing");
    CHECK(std::string(missing_key->what()).find("'nothing'") != std::string::npos);
    CHECK(std::string(missing_key->what()).find("'bkt'") != std::string::npos);

    CHECK_STORAGE_ERROR(f.s.get("missing", "k"), "NoSuchBucket", 404);
    CHECK_STORAGE_ERROR(f.s.head("missing", "k"), "NoSuchBucket", 404);
    CHECK_STORAGE_ERROR(f.s.put("missing", "k", "x"), "NoSuchBucket", 404);
    CHECK_STORAGE_ERROR(f.s.writer("missing", "k"), "NoSuchBucket", 404);
    CHECK_STORAGE_ERROR(f.s.list("missing"), "NoSuchBucket", 404);
    CHECK_STORAGE_ERROR(f.s.remove("missing", "k"), "NoSuchBucket", 404);
    f.s.put("bkt", "source", "x");
    CHECK_STORAGE_ERROR(f.s.copy("bkt", "source", "missing", "k"), "NoSuchBucket", 404);
    CHECK_STORAGE_ERROR(f.s.copy("missing", "k", "bkt", "k"), "NoSuchBucket", 404);
    CHECK_FALSE(fs::exists(f.root.path / "missing"));

    for (const char* bad : {"UPPER", "ab", "has_underscore", "10.0.0.1", ".lambdaport-tmp"}) {
        CAPTURE(bad);
        CHECK_STORAGE_ERROR(f.s.create_bucket(bad), "InvalidBucketName", 400);
        CHECK_STORAGE_ERROR(f.s.get(bad, "k"), "InvalidBucketName", 400);
        CHECK_STORAGE_ERROR(f.s.list(bad), "InvalidBucketName", 400);
    }
    CHECK_NOTHROW(f.s.create_bucket("bkt"));  // already ours
    f.s.create_bucket("my.other-bucket");
    CHECK(fs::is_directory(f.root.path / "my.other-bucket"));
}

TEST_CASE("files put there by other tools get S3's ETag, computed once") {
    fixture f;
    const std::string body = pattern(2 * mib + 5);
    write_foreign(f.file("dropped/in.bin"), body);

    const object_info head = f.s.head("bkt", "dropped/in.bin");
    CHECK(head.etag == quoted_md5(body));
    CHECK(head.size == body.size());
    CHECK(head.content_type == "application/octet-stream");
    char value[512];
    CHECK(::getxattr(f.file("dropped/in.bin").c_str(), "user.lambdaport", value, sizeof value) > 0);

    write_foreign(f.file("listed.txt"), "listed first");
    CHECK(f.s.list_all("bkt").at(1).etag == quoted_md5("listed first"));

    write_foreign(f.file("read.txt"), "read whole");
    std::string got;
    CHECK(f.s.get("bkt", "read.txt", [&](std::string_view piece) { got += piece; }).etag ==
          quoted_md5("read whole"));
    CHECK(f.s.head("bkt", "read.txt").etag == quoted_md5("read whole"));

    // Rewritten in place by the other tool: the cached ETag no longer applies.
    write_foreign(f.file("dropped/in.bin"), "shorter now");
    CHECK(f.s.head("bkt", "dropped/in.bin").etag == quoted_md5("shorter now"));
    CHECK(f.s.get("bkt", "dropped/in.bin", byte_range{0, 6}) == "shorter");
}

TEST_CASE("remove deletes the object and the folders it leaves empty") {
    fixture f;
    CHECK_NOTHROW(f.s.remove("bkt", "never/existed"));
    f.s.put("bkt", "a/b/c", "deep");
    f.s.put("bkt", "a/keep", "sibling");
    f.s.remove("bkt", "a/b/c");
    CHECK_STORAGE_ERROR(f.s.head("bkt", "a/b/c"), "NoSuchKey", 404);
    CHECK_FALSE(fs::exists(f.file("a/b")));
    CHECK(fs::exists(f.file("a/keep")));
    f.s.remove("bkt", "a/keep");
    CHECK_FALSE(fs::exists(f.file("a")));
    CHECK(fs::is_directory(f.root.path / "bkt"));

    f.s.put("bkt", "a", "a is an object now");
    CHECK(f.s.get("bkt", "a") == "a is an object now");
    CHECK_NOTHROW(f.s.remove("bkt", "a"));
    CHECK_NOTHROW(f.s.remove("bkt", "a"));

    // Removing a "key" that is a folder of other keys removes nothing.
    f.s.put("bkt", "dir/file", "x");
    CHECK_NOTHROW(f.s.remove("bkt", "dir"));
    CHECK(f.s.get("bkt", "dir/file") == "x");
}

TEST_CASE("copy is atomic, keeps the content type, and gives the MD5 ETag") {
    store_options options;
    options.multipart_threshold = 5 * mib;
    options.part_size = 5 * mib;
    fixture f(options);
    f.s.create_bucket("other");
    f.s.put("bkt", "src.csv", "x,y\n1,2\n", {.content_type = "text/csv"});
    const object_info copied = f.s.copy("bkt", "src.csv", "other", "copies/dst.csv");
    CHECK(copied.key == "copies/dst.csv");
    CHECK(copied.etag == quoted_md5("x,y\n1,2\n"));
    CHECK(copied.size == 8);
    CHECK(copied.content_type == "text/csv");
    CHECK(f.s.get("other", "copies/dst.csv") == "x,y\n1,2\n");
    CHECK(f.s.head("other", "copies/dst.csv").content_type == "text/csv");
    CHECK(f.s.get("bkt", "src.csv") == "x,y\n1,2\n");

    // A multipart source copied in one request gets the plain MD5, as S3's CopyObject does.
    const std::string large = pattern(11 * mib);
    CHECK(f.s.put("bkt", "large", large).etag.ends_with("-3\""));
    CHECK(f.s.copy("bkt", "large", "bkt", "large-copy").etag == quoted_md5(large));

    CHECK_STORAGE_ERROR(f.s.copy("bkt", "src.csv", "bkt", "src.csv"), "InvalidRequest", 400);
    CHECK_STORAGE_ERROR(f.s.copy("bkt", "src.csv", "bkt", "src.csv/under"), "InvalidObjectKey",
                        400);
    CHECK(entries_of(f.root.path / ".lambdaport-tmp").empty());
}

TEST_CASE("put_file uploads a file; a missing one is a local error") {
    fixture f;
    const fs::path source = f.root.path / "upload.txt";
    write_foreign(source, "from a file");
    const object_info info = f.s.put_file("bkt", "up/loaded.txt", source, {.content_type = "x/y"});
    CHECK(info.etag == quoted_md5("from a file"));
    CHECK(f.s.get("bkt", "up/loaded.txt") == "from a file");
    CHECK(f.s.head("bkt", "up/loaded.txt").content_type == "x/y");
    CHECK_STORAGE_ERROR(f.s.put_file("bkt", "k", f.root.path / "absent.txt"), "LocalIOError", 0);
    CHECK_STORAGE_ERROR(f.s.put_file("bkt", "k", f.root.path), "LocalIOError", 0);
}

TEST_CASE("temp files older than an hour are cleaned when a store opens the root") {
    temp_root root;
    store::local(root.path);
    const fs::path temp = root.path / ".lambdaport-tmp";
    REQUIRE(fs::is_directory(temp));
    write_foreign(temp / "old.part", "crashed writer");
    write_foreign(temp / "recent.part", "live writer");
    fs::last_write_time(temp / "old.part",
                        fs::file_time_type::clock::now() - std::chrono::hours(2));
    store::local(root.path);
    CHECK_FALSE(fs::exists(temp / "old.part"));
    CHECK(fs::exists(temp / "recent.part"));
}

TEST_CASE("store::local creates a missing root") {
    temp_root root;
    const fs::path nested = root.path / "not" / "yet";
    store s = store::local(nested);
    s.create_bucket("made");
    CHECK(fs::is_directory(nested / "made"));
    write_foreign(root.path / "file", "x");
    CHECK_STORAGE_ERROR(store::local(root.path / "file"), "LocalIOError", 0);
}

TEST_CASE("many threads writing, reading and removing under shared folders") {
    fixture f;
    constexpr int threads = 4;
    constexpr int rounds = 150;
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            try {
                for (int i = 0; i < rounds; ++i) {
                    // Every thread uses the same folders, so one thread's remove empties a
                    // folder another is about to write into.
                    const std::string key = "shared/" + std::to_string(i % 3) + "/t" +
                                            std::to_string(t) + "-" + std::to_string(i);
                    const std::string body = key + " body";
                    if (f.s.put("bkt", key, body).etag != quoted_md5(body) ||
                        f.s.get("bkt", key) != body) {
                        ++failures;
                    }
                    f.s.put("bkt", "same-key", body);  // last writer wins, never a torn file
                    const std::string same = f.s.get("bkt", "same-key");
                    if (!same.ends_with(" body")) {
                        ++failures;
                    }
                    f.s.list("bkt", {.prefix = "shared/", .max_keys = 10});
                    f.s.remove("bkt", key);
                }
            } catch (const std::exception& e) {
                MESSAGE(e.what());
                ++failures;
            }
        });
    }
    for (std::thread& worker : workers) {
        worker.join();
    }
    CHECK(failures == 0);
    const auto left = f.s.list_all("bkt");
    REQUIRE(left.size() == 1);
    CHECK(left[0].key == "same-key");
    CHECK_FALSE(fs::exists(f.file("shared")));
    CHECK(entries_of(f.root.path / ".lambdaport-tmp").empty());
}
