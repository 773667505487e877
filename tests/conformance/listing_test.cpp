// Listings: pages and continuation tokens, S3's key order, prefix, delimiter, start_after.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "conformance.hpp"

using namespace conformance;

namespace {

constexpr std::size_t many = 1'105;  // more than one page of 1,000

std::string many_key(std::size_t i) {
    char key[16];
    std::snprintf(key, sizeof key, "k%04zu", i);
    return key;
}

std::string many_body(std::size_t i) {
    return "body of " + many_key(i) + std::string(i % 7, '+');
}

// A bucket holding exactly k0000 ... k1104, filled once, in parallel.
const std::string& many_bucket() {
    static std::once_flag once;
    const auto& b = bucket("many");
    std::call_once(once, [&] {
        parallel_for(many, 8,
                     [&](std::size_t i) { the_store().put(b, many_key(i), many_body(i)); });
    });
    return b;
}

std::vector<std::string> many_keys(std::size_t from, std::size_t to) {
    std::vector<std::string> keys;
    for (std::size_t i = from; i < to; ++i) {
        keys.push_back(many_key(i));
    }
    return keys;
}

// Siblings that sort differently by bytes, by code point, by UTF-16 unit or "naturally", and
// one ("order/a/b") whose '/' must sort as the byte 0x2f between '.' and '0'.
const std::vector<std::string>& order_keys() {
    static const std::vector<std::string> keys{"order/a/b",
                                               "order/a-b",
                                               "order/a.b",
                                               "order/a0",
                                               "order/a b",
                                               "order/aB",
                                               "order/ab",
                                               "order/a~",
                                               "order/a_b",
                                               "order/A",
                                               "order/a!",
                                               "order/a\xc3\xa9",                  // é U+00E9
                                               "order/a\xe6\x97\xa5\xe6\x9c\xac",  // 日本
                                               "order/a\xef\xbd\x9a",              // ｚ U+FF5A
                                               "order/a\xf0\x9f\x98\x80",          // 😀 U+1F600
                                               "order/a\xc2\xa0",  // no-break space U+00A0
                                               "order/a10",
                                               "order/a9"};
    return keys;
}

// Keys and, in S3's order, what a delimiter "/" listing under "tree/" shows.
const std::vector<std::string>& tree_keys() {
    static const std::vector<std::string> keys{"tree/a/1",   "tree/a/2", "tree/b/1",   "tree/c",
                                               "tree/e/f/g", "tree/z",   "tree/a-file"};
    return keys;
}

std::vector<std::string> listing_keys() {
    std::vector<std::string> keys = order_keys();
    keys.insert(keys.end(), tree_keys().begin(), tree_keys().end());
    return keys;
}

const std::string& listing_bucket() {
    static std::once_flag once;
    const auto& b = bucket("listing");
    std::call_once(once, [&] {
        auto keys = listing_keys();
        parallel_for(keys.size(), 8, [&](std::size_t i) { the_store().put(b, keys[i], keys[i]); });
    });
    return b;
}

// Pages through a listing with `options`; each page's objects and common prefixes are merged in
// S3 order (the API returns them apart) and appended.
struct paged {
    std::vector<std::string> entries;
    std::vector<std::size_t> page_sizes;
    bool every_token_present = true;
};

paged list_in_pages(const std::string& b, storage::list_options options) {
    paged result;
    for (int guard = 0; guard < 10'000; ++guard) {
        auto page = the_store().list(b, options);
        std::vector<std::string> entries = keys_of(page.objects);
        entries.insert(entries.end(), page.common_prefixes.begin(), page.common_prefixes.end());
        entries = s3_order(std::move(entries));
        result.entries.insert(result.entries.end(), entries.begin(), entries.end());
        result.page_sizes.push_back(entries.size());
        if (!page.truncated) {
            break;
        }
        if (page.next_continuation_token.empty()) {
            result.every_token_present = false;
            break;
        }
        options.continuation_token = page.next_continuation_token;
        options.start_after.clear();
    }
    return result;
}

}  // namespace

TEST_CASE("listing: 1,105 keys come in pages of 1,000 with a continuation token") {
    const auto& store = the_store();
    const auto& b = many_bucket();

    auto first = store.list(b);
    CHECK(first.truncated);
    CHECK_FALSE(first.next_continuation_token.empty());
    CHECK(first.common_prefixes.empty());
    REQUIRE(first.objects.size() == 1000);
    CHECK(keys_of(first.objects) == many_keys(0, 1000));

    auto second = store.list(b, {.continuation_token = first.next_continuation_token});
    CHECK_FALSE(second.truncated);
    CHECK(keys_of(second.objects) == many_keys(1000, many));

    SUBCASE("every listed object has its size and ETag, and no content type") {
        auto objects = first.objects;
        objects.insert(objects.end(), second.objects.begin(), second.objects.end());
        REQUIRE(objects.size() == many);
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < many; ++i) {
            const auto& object = objects[i];
            std::string body = many_body(i);
            bool right = object.size == body.size() && object.etag == single_part_etag(body) &&
                         object.content_type.empty() && near_now(object.last_modified);
            if (!right && wrong++ < 3) {
                CHECK(object.key == many_key(i));
                CHECK(object.size == body.size());
                CHECK(object.etag == single_part_etag(body));
                CHECK(object.content_type == "");
                CHECK(near_now(object.last_modified));
            }
        }
        CHECK(wrong == 0);
    }
}

TEST_CASE("listing: list_all returns every key, in order") {
    const auto& b = many_bucket();
    CHECK(keys_of(the_store().list_all(b)) == many_keys(0, many));
}

TEST_CASE("listing: small pages (max_keys)") {
    const auto& b = many_bucket();

    SUBCASE("250 a page over 1,105 keys") {
        auto listed = list_in_pages(b, {.max_keys = 250});
        CHECK(listed.every_token_present);
        CHECK(listed.entries == many_keys(0, many));
        CHECK(listed.page_sizes == std::vector<std::size_t>{250, 250, 250, 250, 105});
    }
    SUBCASE("7 a page under a prefix") {
        auto listed = list_in_pages(b, {.prefix = "k10", .max_keys = 7});
        CHECK(listed.every_token_present);
        CHECK(listed.entries == many_keys(1000, 1100));
        CHECK(listed.page_sizes.size() == 15);
    }
    SUBCASE("1 a page") {
        auto listed = list_in_pages(b, {.prefix = "k110", .max_keys = 1});
        CHECK(listed.every_token_present);
        CHECK(listed.entries == many_keys(1100, many));
    }
    SUBCASE("a page exactly as large as what is left is not truncated") {
        auto page = the_store().list(b, {.prefix = "k110", .max_keys = 5});
        CHECK(keys_of(page.objects) == many_keys(1100, many));
        CHECK_FALSE(page.truncated);
    }
}

TEST_CASE("listing: prefix") {
    const auto& store = the_store();
    const auto& b = many_bucket();
    CHECK(keys_of(store.list_all(b, "k10")) == many_keys(1000, 1100));
    CHECK(keys_of(store.list_all(b, "k110")) == many_keys(1100, many));
    CHECK(keys_of(store.list_all(b, "k0999")) == std::vector<std::string>{"k0999"});
    CHECK(store.list_all(b, "k2").empty());
    CHECK(store.list_all(b, "k09999").empty());
    CHECK(store.list(b, {.prefix = "nothing-here"}).objects.empty());
}

TEST_CASE("listing: start_after") {
    const auto& store = the_store();
    const auto& b = many_bucket();
    CHECK(keys_of(store.list(b, {.start_after = "k1100"}).objects) == many_keys(1101, many));
    // A key that does not exist works as well: listing resumes after where it would sort.
    CHECK(keys_of(store.list(b, {.start_after = "k1099z"}).objects) == many_keys(1100, many));
    CHECK(keys_of(store.list(b, {.prefix = "k10", .start_after = "k1095"}).objects) ==
          many_keys(1096, 1100));
    auto after_all = store.list(b, {.start_after = "k9"});
    CHECK(after_all.objects.empty());
    CHECK_FALSE(after_all.truncated);

    SUBCASE("with pages") {
        auto listed = list_in_pages(b, {.start_after = "k0500", .max_keys = 300});
        CHECK(listed.every_token_present);
        CHECK(listed.entries == many_keys(501, many));
    }
}

TEST_CASE("listing: keys in S3's order, ascending UTF-8 bytes") {
    if (skipped_for_unverifiable("listing: keys in S3's order", listing_keys(), {"order/"}) ||
        skipped_for_quirk("listing: keys in S3's order", "path-order")) {
        return;
    }
    const auto& store = the_store();
    const auto& b = listing_bucket();
    auto expected = s3_order(order_keys());

    CHECK(keys_of(store.list_all(b, "order/")) == expected);
    SUBCASE("in pages of 3") {
        auto listed = list_in_pages(b, {.prefix = "order/", .max_keys = 3});
        CHECK(listed.every_token_present);
        CHECK(listed.entries == expected);
    }
    SUBCASE("every key reads back") {
        for (const auto& key : order_keys()) {
            CHECK(store.get(b, key) == key);
        }
    }
}

TEST_CASE("listing: delimiter and common prefixes") {
    if (skipped_for_unverifiable("listing: delimiter", listing_keys(), {"tree/", "/"})) {
        return;
    }
    const auto& store = the_store();
    const auto& b = listing_bucket();

    SUBCASE("one level under a prefix") {
        if (!skipped_for_quirk("listing: delimiter: one level under a prefix",
                               "delimiter-listing")) {
            auto page = store.list(b, {.prefix = "tree/", .delimiter = "/"});
            CHECK(keys_of(page.objects) ==
                  std::vector<std::string>{"tree/a-file", "tree/c", "tree/z"});
            CHECK(page.common_prefixes ==
                  std::vector<std::string>{"tree/a/", "tree/b/", "tree/e/"});
            CHECK_FALSE(page.truncated);
        }
    }
    SUBCASE("at the root") {
        auto page = store.list(b, {.delimiter = "/"});
        CHECK(page.objects.empty());
        CHECK(page.common_prefixes == std::vector<std::string>{"order/", "tree/"});
    }
    SUBCASE("a prefix that ends inside a name") {
        auto page = store.list(b, {.prefix = "tree/a", .delimiter = "/"});
        CHECK(keys_of(page.objects) == std::vector<std::string>{"tree/a-file"});
        CHECK(page.common_prefixes == std::vector<std::string>{"tree/a/"});
    }
    SUBCASE("deeper") {
        auto page = store.list(b, {.prefix = "tree/e/", .delimiter = "/"});
        CHECK(page.objects.empty());
        CHECK(page.common_prefixes == std::vector<std::string>{"tree/e/f/"});
        page = store.list(b, {.prefix = "tree/a/", .delimiter = "/"});
        CHECK(keys_of(page.objects) == std::vector<std::string>{"tree/a/1", "tree/a/2"});
        CHECK(page.common_prefixes.empty());
    }
    SUBCASE("pages count objects and common prefixes together, each prefix once") {
        if (!skipped_for_quirk("listing: delimiter: pages", "delimiter-listing")) {
            const std::vector<std::string> expected{"tree/a-file", "tree/a/", "tree/b/",
                                                    "tree/c",      "tree/e/", "tree/z"};
            for (int max_keys : {1, 2, 4}) {
                CAPTURE(max_keys);
                auto listed =
                    list_in_pages(b, {.prefix = "tree/", .delimiter = "/", .max_keys = max_keys});
                CHECK(listed.every_token_present);
                CHECK(listed.entries == expected);
                for (std::size_t size : listed.page_sizes) {
                    CHECK(size <= static_cast<std::size_t>(max_keys));
                }
            }
        }
    }
    SUBCASE("without a delimiter everything is listed") {
        if (!skipped_for_quirk("listing: delimiter: without a delimiter", "path-order")) {
            CHECK(keys_of(store.list_all(b, "tree/")) == s3_order(tree_keys()));
        }
    }
}
