#include "storage/file_names.hpp"

#include <doctest/doctest.h>

#include <string>

#include "lambdaport/storage.hpp"

using namespace lambdaport::storage;
using namespace lambdaport::storage::detail;

TEST_CASE("bucket names follow S3's rules") {
    for (const char* good : {"abc", "my-bucket", "my.bucket.1", "0to9", "a-b.c-d",
                             "a23456789012345678901234567890123456789012345678901234567890123"}) {
        CAPTURE(good);
        CHECK(bucket_name_problem(good).empty());
        CHECK_NOTHROW(check_bucket_name(good));
    }
    for (const char* bad :
         {"ab", "", "a234567890123456789012345678901234567890123456789012345678901234", "My-Bucket",
          "under_score", "-start", "end-", ".dot", "dot.", "two..dots", "192.168.1.10",
          "xn--bucket", "sthree-bucket", "bucket-s3alias", "bucket--ol-s3", "sp ace", "a/b",
          ".lambdaport-tmp"}) {
        CAPTURE(bad);
        CHECK_FALSE(bucket_name_problem(bad).empty());
        try {
            check_bucket_name(bad);
            FAIL("accepted");
        } catch (const storage_error& e) {
            CHECK(e.code() == "InvalidBucketName");
            CHECK(e.http_status() == 400);
            CHECK(e.bucket() == bad);
        }
    }
    // Numbers with dots that are not four parts are not IP-like.
    CHECK(bucket_name_problem("1.2.3").empty());
    CHECK(bucket_name_problem("1.2.3.4.5").empty());
    CHECK(bucket_name_problem("1.2.3.a4").empty());
}

TEST_CASE("keys that are just file names are accepted") {
    for (const char* good :
         {"a", "a/b/c", "with space", "plus+sign", "100%", "q?#&=~!$'()*,;:@[]", "ünïcødé/文件.txt",
          "🎉 party", ".hidden", "..double-dot-prefix", "a./.b", "...", "tab\there", "new\nline"}) {
        CAPTURE(good);
        CHECK(object_key_problem(good).empty());
        CHECK_NOTHROW(check_object_key("bucket", good));
    }
    CHECK(object_key_problem(std::string(255, 'x') + "/" + std::string(255, 'y')).empty());
    std::string longest;
    while (longest.size() < 1024) {
        longest += longest.empty() ? std::string(200, 'k') : "/" + std::string(200, 'k');
    }
    longest.resize(1024);
    CHECK(object_key_problem(longest).empty());
}

TEST_CASE("keys that cannot be stored safely are refused with the reason") {
    struct refused {
        std::string key;
        std::string reason;  // part of the message
    };
    const refused cases[] = {
        {"", "empty"},
        {"../escape", "'..' segment"},
        {"a/../../b", "'..' segment"},
        {"a/..", "'..' segment"},
        {"./a", "'.' segment"},
        {"a/./b", "'.' segment"},
        {"/absolute", "starts with '/'"},
        {std::string("nul\0byte", 8), "NUL"},
        {"a//b", "empty segment"},
        {"folder/", "ends with '/'"},
        {"bad\xff utf8", "not valid UTF-8"},
        {"overlong\xc0\xaf", "not valid UTF-8"},
        {"surrogate\xed\xa0\x80", "not valid UTF-8"},
        {"a/" + std::string(256, 's'), "longer than 255 bytes"},
    };
    for (const refused& c : cases) {
        CAPTURE(c.key);
        const std::string problem = object_key_problem(c.key);
        CHECK(problem.find(c.reason) != std::string::npos);
        try {
            check_object_key("bkt", c.key);
            FAIL("accepted");
        } catch (const storage_error& e) {
            CHECK(e.code() == "InvalidObjectKey");
            CHECK(e.http_status() == 400);
            CHECK(e.bucket() == "bkt");
            CHECK(e.key() == c.key);
            CHECK(std::string(e.what()).find(c.reason) != std::string::npos);
            CHECK(std::string(e.what()).find('\n') == std::string::npos);
        }
    }
}

TEST_CASE("a key over 1024 bytes is KeyTooLongError, as in S3") {
    try {
        check_object_key("bkt", std::string(1025, 'k'));
        FAIL("accepted");
    } catch (const storage_error& e) {
        CHECK(e.code() == "KeyTooLongError");
        CHECK(e.http_status() == 400);
    }
}

TEST_CASE("UTF-8 validation") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("\xc3\xa9"));          // é
    CHECK(is_valid_utf8("\xe6\x96\x87"));      // 文
    CHECK(is_valid_utf8("\xf0\x9f\x8e\x89"));  // 🎉
    CHECK(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
    CHECK_FALSE(is_valid_utf8("\x80"));
    CHECK_FALSE(is_valid_utf8("\xc3"));              // cut short
    CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xf8\x88\x80\x80\x80"));
}

TEST_CASE("names in messages stay on one line") {
    CHECK(quote_name("a\nb") == "'a\\x0ab'");
    CHECK(quote_name(std::string(300, 'x')) == "'" + std::string(200, 'x') + "...'");
}
