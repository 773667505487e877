// ListObjectsV2 on local disk, checked against the semantics spelled out in a few lines below.

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "lambdaport/storage.hpp"
#include "storage/file_names.hpp"
#include "temp_root.hpp"

using namespace lambdaport::storage;
namespace fs = std::filesystem;

namespace {

struct fixture {
    temp_root root;
    store s = store::local(root.path);
    fixture() { s.create_bucket("bkt"); }
    void put_all(const std::vector<std::string>& keys) const {
        for (const std::string& key : keys) {
            s.put("bkt", key, key);
        }
    }
};

// One listing entry in S3's merged order: a key, or a common prefix (ending with '/').
struct entry {
    std::string name;
    bool common_prefix;
    bool operator==(const entry&) const = default;
};

// ListObjectsV2 as S3 documents it, over an in-memory key set: every entry of the listing, in
// order, before paging.
std::vector<entry> reference(std::vector<std::string> keys, const std::string& prefix,
                             const std::string& delimiter, const std::string& start_after) {
    std::sort(keys.begin(), keys.end());
    std::vector<entry> out;
    for (const std::string& key : keys) {
        if (!key.starts_with(prefix) || key <= start_after) {
            continue;
        }
        const std::size_t at =
            delimiter.empty() ? std::string::npos : key.find(delimiter, prefix.size());
        if (at == std::string::npos) {
            out.push_back({key, false});
            continue;
        }
        entry rolled{key.substr(0, at + delimiter.size()), true};
        if (out.empty() || !(out.back() == rolled)) {
            out.push_back(rolled);
        }
    }
    return out;
}

// Every page of one listing, flattened into entries in order; checks the paging on the way.
std::vector<entry> paged(const store& s, list_options options) {
    std::vector<entry> out;
    for (int page_number = 0;; ++page_number) {
        REQUIRE(page_number < 10000);
        const list_page page = s.list("bkt", options);
        const std::size_t count = page.objects.size() + page.common_prefixes.size();
        CHECK(count <= static_cast<std::size_t>(options.max_keys));
        // Merge the two sorted halves back into one sequence.
        std::vector<entry> merged;
        for (const object_info& info : page.objects) {
            merged.push_back({info.key, false});
        }
        for (const std::string& prefix : page.common_prefixes) {
            merged.push_back({prefix, true});
        }
        std::sort(merged.begin(), merged.end(),
                  [](const entry& a, const entry& b) { return a.name < b.name; });
        out.insert(out.end(), merged.begin(), merged.end());
        if (!page.truncated) {
            CHECK(page.next_continuation_token.empty());
            return out;
        }
        CHECK(count == static_cast<std::size_t>(options.max_keys));
        REQUIRE_FALSE(page.next_continuation_token.empty());
        options.continuation_token = page.next_continuation_token;
        options.start_after = "ignored with a token";
    }
}

std::vector<std::string> keys_of(const std::vector<object_info>& objects) {
    std::vector<std::string> keys;
    for (const object_info& info : objects) {
        keys.push_back(info.key);
    }
    return keys;
}

}  // namespace

TEST_CASE("keys are listed in byte order of the whole key, not in directory order") {
    fixture f;
    // '/' (0x2f) sorts after ' ', '-' and '.', before '0' and letters; UTF-8 after ASCII.
    std::vector<std::string> keys = {"a/b",   "a-b",     "a.b",   "a0",  "a b", "a/c/d",
                                     "a/b-c", "a/c.txt", "ab",    "é",   "z",   "Z",
                                     "文件",  "a~",      "a/c-d", "b/a", "b-"};
    f.put_all(keys);
    std::sort(keys.begin(), keys.end());
    CHECK(keys_of(f.s.list_all("bkt")) == keys);
    for (int max_keys : {1, 2, 3, 7, 1000}) {
        CAPTURE(max_keys);
        CHECK(paged(f.s, {.max_keys = max_keys}) == reference(keys, "", "", ""));
        CHECK(paged(f.s, {.delimiter = "/", .max_keys = max_keys}) == reference(keys, "", "/", ""));
    }
    const list_page page = f.s.list("bkt");
    REQUIRE_FALSE(page.objects.empty());
    CHECK(page.objects[0].content_type.empty());  // S3 lists no content types
    CHECK(page.objects[0].etag == f.s.head("bkt", page.objects[0].key).etag);
}

TEST_CASE("prefix, delimiter and common prefixes") {
    fixture f;
    f.put_all({"2026/01/a.csv", "2026/01/b.csv", "2026/02/a.csv", "2026/readme", "2027/x",
               "top.txt", "x-1", "x-2/y", "x.z"});

    const list_page top = f.s.list("bkt", {.delimiter = "/"});
    CHECK(top.common_prefixes == std::vector<std::string>{"2026/", "2027/", "x-2/"});
    CHECK(keys_of(top.objects) == std::vector<std::string>{"top.txt", "x-1", "x.z"});

    const list_page year = f.s.list("bkt", {.prefix = "2026/", .delimiter = "/"});
    CHECK(year.common_prefixes == std::vector<std::string>{"2026/01/", "2026/02/"});
    CHECK(keys_of(year.objects) == std::vector<std::string>{"2026/readme"});

    const list_page partial = f.s.list("bkt", {.prefix = "2026/0", .delimiter = "/"});
    CHECK(partial.common_prefixes == std::vector<std::string>{"2026/01/", "2026/02/"});
    CHECK(partial.objects.empty());

    const list_page dashes = f.s.list("bkt", {.prefix = "x", .delimiter = "-"});
    CHECK(dashes.common_prefixes == std::vector<std::string>{"x-"});
    CHECK(keys_of(dashes.objects) == std::vector<std::string>{"x.z"});

    CHECK(keys_of(f.s.list("bkt", {.prefix = "2026/01/"}).objects) ==
          std::vector<std::string>{"2026/01/a.csv", "2026/01/b.csv"});
    CHECK(keys_of(f.s.list_all("bkt", "2026/01/a")) == std::vector<std::string>{"2026/01/a.csv"});
    for (const char* nothing : {"2028/", "../", "/", "2026//", "2026/./", "nope"}) {
        CAPTURE(nothing);
        const list_page empty = f.s.list("bkt", {.prefix = nothing, .delimiter = "/"});
        CHECK(empty.objects.empty());
        CHECK(empty.common_prefixes.empty());
        CHECK_FALSE(empty.truncated);
    }

    // Common prefixes count toward max_keys, and paging goes on after them.
    const list_page first = f.s.list("bkt", {.delimiter = "/", .max_keys = 2});
    CHECK(first.common_prefixes.size() == 2);
    CHECK(first.objects.empty());
    CHECK(first.truncated);
    const list_page second = f.s.list(
        "bkt",
        {.delimiter = "/", .continuation_token = first.next_continuation_token, .max_keys = 2});
    CHECK(second.common_prefixes.empty());
    CHECK(keys_of(second.objects) == std::vector<std::string>{"top.txt", "x-1"});
}

TEST_CASE("start_after") {
    fixture f;
    const std::vector<std::string> keys = {"a/1", "a/2", "a/3/x", "b", "c/1"};
    f.put_all(keys);
    CHECK(keys_of(f.s.list("bkt", {.start_after = "a/2"}).objects) ==
          std::vector<std::string>{"a/3/x", "b", "c/1"});
    CHECK(keys_of(f.s.list("bkt", {.start_after = "a/20"}).objects) ==
          std::vector<std::string>{"a/3/x", "b", "c/1"});
    CHECK(f.s.list("bkt", {.start_after = "c/1"}).objects.empty());
    // A start inside a folder that rolls up still shows the folder when keys remain in it.
    const list_page rolled = f.s.list("bkt", {.delimiter = "/", .start_after = "a/2"});
    CHECK(rolled.common_prefixes == std::vector<std::string>{"a/", "c/"});
    CHECK(keys_of(rolled.objects) == std::vector<std::string>{"b"});
    const list_page past = f.s.list("bkt", {.delimiter = "/", .start_after = "a/3/x"});
    CHECK(past.common_prefixes == std::vector<std::string>{"c/"});
    for (const char* after : {"", "a", "a/", "a/1", "a/3", "a/3/", "b", "bb", "zzz"}) {
        CAPTURE(after);
        for (const char* delimiter : {"", "/"}) {
            CHECK(paged(f.s, {.delimiter = delimiter, .start_after = after, .max_keys = 2}) ==
                  reference(keys, "", delimiter, after));
        }
    }
}

TEST_CASE("more than 1000 keys page with continuation tokens, with and without a delimiter") {
    fixture f;
    std::vector<std::string> keys;
    for (int i = 0; i < 2600; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "logs/%02d/%04d.log", i % 13, i);
        keys.emplace_back(name);
    }
    for (int i = 0; i < 30; ++i) {
        keys.push_back("tops/" + std::to_string(i));
    }
    f.put_all(keys);
    std::sort(keys.begin(), keys.end());

    const list_page first = f.s.list("bkt");
    CHECK(first.objects.size() == 1000);
    CHECK(first.truncated);
    const list_page second = f.s.list("bkt", {.continuation_token = first.next_continuation_token});
    CHECK(second.objects.size() == 1000);
    CHECK(second.objects.front().key > first.objects.back().key);
    CHECK(keys_of(f.s.list_all("bkt")) == keys);
    CHECK(keys_of(f.s.list_all("bkt", "logs/07/")).size() == 200);

    CHECK(paged(f.s, {.max_keys = 1000}) == reference(keys, "", "", ""));
    CHECK(paged(f.s, {.prefix = "logs/", .delimiter = "/", .max_keys = 5}) ==
          reference(keys, "logs/", "/", ""));
    CHECK(paged(f.s, {.delimiter = "/", .max_keys = 1}) == reference(keys, "", "/", ""));
    CHECK(paged(f.s, {.prefix = "logs/1", .max_keys = 333}) == reference(keys, "logs/1", "", ""));
}

TEST_CASE("a continuation token this store did not issue is refused") {
    fixture f;
    f.put_all({"a"});
    for (const char* bad : {"not base64!", "AAAA", "eA==", "k"}) {
        CAPTURE(bad);
        try {
            f.s.list("bkt", {.continuation_token = bad});
            FAIL("accepted");
        } catch (const storage_error& e) {
            CHECK(e.code() == "InvalidArgument");
            CHECK(e.http_status() == 400);
        }
    }
}

TEST_CASE("only regular files are objects: no temp files, folders, fifos or broken links") {
    fixture f;
    f.put_all({"real"});
    const fs::path bucket = f.root.path / "bkt";
    fs::create_directories(bucket / "empty" / "folders");
    REQUIRE(::mkfifo((bucket / "fifo").c_str(), 0644) == 0);
    fs::create_symlink(bucket / "nowhere", bucket / "broken-link");
    fs::create_symlink(bucket / "real", bucket / "link-to-real");
    fs::create_directory_symlink(bucket, bucket / "loop");
    {
        std::ofstream bad_name(bucket / "bad\xff-name");
        bad_name << "not UTF-8";
    }
    object_writer pending = f.s.writer("bkt", "pending");
    pending.write("not yet");
    CHECK(keys_of(f.s.list_all("bkt")) == std::vector<std::string>{"link-to-real", "real"});
    const list_page rolled = f.s.list("bkt", {.delimiter = "/"});
    CHECK(rolled.common_prefixes.empty());  // folders without keys roll up into nothing
    CHECK(keys_of(rolled.objects) == std::vector<std::string>{"link-to-real", "real"});
}

TEST_CASE("listing agrees with S3's semantics on random key sets and requests") {
    std::mt19937 random(20261123);
    const std::vector<std::string> alphabet = {"a", "b", "-", ".", "/", "0", "\xc3\xa9", " "};
    for (int round = 0; round < 4; ++round) {
        fixture f;
        std::set<std::string> chosen;
        while (chosen.size() < 120) {
            std::string key;
            const int length = 1 + static_cast<int>(random() % 7);
            for (int i = 0; i < length; ++i) {
                key += alphabet[random() % alphabet.size()];
            }
            if (!lambdaport::storage::detail::object_key_problem(key).empty()) {
                continue;
            }
            // Skip keys that would collide with a folder of another key.
            bool clash = false;
            for (const std::string& other : chosen) {
                if (other.starts_with(key + "/") || key.starts_with(other + "/")) {
                    clash = true;
                    break;
                }
            }
            if (!clash) {
                chosen.insert(key);
            }
        }
        const std::vector<std::string> keys(chosen.begin(), chosen.end());
        f.put_all(keys);
        for (int request = 0; request < 60; ++request) {
            auto pick = [&](int max_length) {
                std::string text;
                const int length = static_cast<int>(random() % (max_length + 1));
                for (int i = 0; i < length; ++i) {
                    text += alphabet[random() % alphabet.size()];
                }
                return text;
            };
            const std::string prefix = pick(2);
            const std::string delimiter = random() % 3 == 0 ? "" : random() % 2 ? "/" : pick(2);
            const std::string start_after = random() % 2 ? "" : pick(4);
            const int max_keys = 1 + static_cast<int>(random() % 9);
            CAPTURE(prefix);
            CAPTURE(delimiter);
            CAPTURE(start_after);
            CAPTURE(max_keys);
            CHECK(paged(f.s, {.prefix = prefix,
                              .delimiter = delimiter,
                              .start_after = start_after,
                              .max_keys = max_keys}) ==
                  reference(keys, prefix, delimiter, start_after));
        }
    }
}
