// Keys with characters that URLs, signatures, XML and file systems treat specially: each one
// round-trips and is listed exactly as written. Only keys every backend can hold: no "." or ".."
// segments, no "//", no leading or trailing "/".

#include <doctest/doctest.h>

#include <mutex>
#include <string>
#include <vector>

#include "conformance.hpp"

using namespace conformance;

namespace {

const std::vector<std::string>& awkward_keys() {
    static const std::vector<std::string> keys{
        "awkward/with space.txt",
        "awkward/ leading and trailing spaces ",
        "awkward/plus+sign+and+more",
        "awkward/percent%sign%",
        "awkward/literally%20not-a-space",
        "awkward/percent%2Fslash-and%2525",
        "awkward/caf\xc3\xa9 cr\xc3\xa8me",  // café crème
        "awkward/\xe6\x97\xa5\xe6\x9c\xac/\xe3\x83\x95\xe3\x82\xa1\xe3\x82\xa4\xe3\x83\xab",  // 日本/ファイル
        "awkward/emoji \xf0\x9f\x98\x80\xf0\x9f\x8e\x89",  // 😀🎉
        "awkward/question?hash#amp&equals=",
        "awkward/query?x=1&y=2#frag",
        "awkward/tilde~home",
        "awkward/bang!quote'paren()star*",
        "awkward/at@colon:comma,semi;dollar$",
        "awkward/deep/a/b/c/d/e/f/g/h/i/j/leaf.txt",
        "awkward/dots...in.the.name.",
        "awkward/-dash_underscore",
        "awkward/UPPER lower MiXeD",
    };
    return keys;
}

// The awkward keys the server under test can verify requests for (all of them, unless quirk
// sigv4-iri is declared).
std::vector<std::string> usable_keys() {
    std::vector<std::string> usable;
    for (const auto& key : awkward_keys()) {
        if (!unverifiable(key, false)) {
            usable.push_back(key);
        }
    }
    return usable;
}

// Says which keys `check` leaves out, and why.
void report_unusable(std::string_view check) {
    std::string left_out;
    for (const auto& key : awkward_keys()) {
        if (unverifiable(key, false)) {
            left_out += (left_out.empty() ? "'" : ", '") + key + "'";
        }
    }
    if (!left_out.empty()) {
        skip(check, "keys " + left_out + ": server quirk sigv4-iri: " + *quirk("sigv4-iri"));
    }
}

const std::string& keys_bucket() {
    static std::once_flag once;
    const auto& b = bucket("keys");
    std::call_once(once, [&] {
        for (const auto& key : usable_keys()) {
            the_store().put(b, key, "body of " + key, {.content_type = "text/plain"});
        }
    });
    return b;
}

}  // namespace

TEST_CASE("keys: awkward keys round-trip through put, get, head and copy") {
    report_unusable("keys: round trip");
    const auto& store = the_store();
    const auto& b = keys_bucket();
    for (const auto& key : usable_keys()) {
        CAPTURE(key);
        CHECK(store.get(b, key) == "body of " + key);
        CHECK(store.get(b, key, {.first = 0, .last = 3}) == "body");
        auto info = store.head(b, key);
        CHECK(info.size == ("body of " + key).size());
        CHECK(info.etag == single_part_etag("body of " + key));
    }

    SUBCASE("copied from and to awkward keys") {
        std::string left_out;
        for (const auto& key : usable_keys()) {
            if (copy_source_mangled(key)) {
                left_out += (left_out.empty() ? "'" : ", '") + key + "'";
                continue;
            }
            CAPTURE(key);
            store.copy(b, key, b, "copied/" + key);
            CHECK(store.get(b, "copied/" + key) == "body of " + key);
            store.remove(b, "copied/" + key);
        }
        if (!left_out.empty()) {
            skip("keys: copy", "keys " + left_out +
                                   " as copy sources: server quirk copy-source-decodeuri: " +
                                   *quirk("copy-source-decodeuri"));
        }
    }
}

TEST_CASE("keys: awkward keys are listed exactly as written, in S3's order") {
    auto queried = awkward_keys();
    queried.push_back("awkward/");
    if (skipped_for_unverifiable("keys: listed", awkward_keys(), queried)) {
        return;
    }
    const auto& store = the_store();
    const auto& b = keys_bucket();
    auto expected = s3_order(awkward_keys());
    CHECK(keys_of(store.list_all(b, "awkward/")) == expected);

    SUBCASE("each key as its own prefix finds itself") {
        for (const auto& key : awkward_keys()) {
            CAPTURE(key);
            auto page = store.list(b, {.prefix = key});
            REQUIRE(page.objects.size() == 1);
            CHECK(page.objects[0].key == key);
        }
    }
    SUBCASE("with a delimiter, directories with awkward names are common prefixes") {
        if (!skipped_for_quirk("keys: listed with a delimiter", "delimiter-listing")) {
            auto page = store.list(b, {.prefix = "awkward/", .delimiter = "/"});
            CHECK(page.common_prefixes ==
                  std::vector<std::string>{"awkward/deep/", "awkward/\xe6\x97\xa5\xe6\x9c\xac/"});
        }
    }
    SUBCASE("start_after an awkward key") {
        auto page = store.list(b, {.prefix = "awkward/", .start_after = expected[4]});
        CHECK(keys_of(page.objects) ==
              std::vector<std::string>(expected.begin() + 5, expected.end()));
    }
}

TEST_CASE("keys: removing awkward keys") {
    report_unusable("keys: removing");
    const auto& store = the_store();
    const auto& b = bucket("keys-removed");
    for (const auto& key : usable_keys()) {
        store.put(b, key, "x");
    }
    for (const auto& key : usable_keys()) {
        CAPTURE(key);
        store.remove(b, key);
        CHECK(error_of([&] { store.head(b, key); }).has_value());
    }
    CHECK(store.list_all(b).empty());
}
