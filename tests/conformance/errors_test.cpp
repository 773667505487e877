// Errors: S3's codes and statuses, whatever the backend; credentials where the store checks them.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "conformance.hpp"

using namespace conformance;

namespace {

void check_error(const std::optional<storage::storage_error>& e, const std::string& code,
                 int status) {
    REQUIRE_MESSAGE(e.has_value(), "expected " << code << " (" << status << "), nothing thrown");
    INFO("message: " << e->what());
    CHECK(e->code() == code);
    CHECK(e->http_status() == status);
}

}  // namespace

TEST_CASE("errors: NoSuchKey") {
    const auto& store = the_store();
    const auto& b = bucket("errors");

    SUBCASE("get") {
        check_error(error_of([&] { store.get(b, "no/such/key"); }), "NoSuchKey", 404);
    }
    SUBCASE("streamed get; the sink is never called") {
        bool called = false;
        check_error(error_of([&] {
                        store.get(b, "no/such/key", [&](std::string_view) { called = true; });
                    }),
                    "NoSuchKey", 404);
        CHECK_FALSE(called);
    }
    SUBCASE("head") {
        check_error(error_of([&] { store.head(b, "no/such/key"); }), "NoSuchKey", 404);
    }
    SUBCASE("a key that is only a prefix of others") {
        store.put(b, "dir/child", "x");
        check_error(error_of([&] { store.get(b, "dir"); }), "NoSuchKey", 404);
        check_error(error_of([&] { store.head(b, "dir"); }), "NoSuchKey", 404);
    }
}

TEST_CASE("errors: NoSuchBucket") {
    const auto& store = the_store();
    const std::string missing = missing_bucket_name();

    SUBCASE("get") {
        check_error(error_of([&] { store.get(missing, "k"); }), "NoSuchBucket", 404);
    }
    SUBCASE("list") {
        check_error(error_of([&] { store.list(missing); }), "NoSuchBucket", 404);
    }
    SUBCASE("list_all") {
        check_error(error_of([&] { store.list_all(missing); }), "NoSuchBucket", 404);
    }
    SUBCASE("put") {
        check_error(error_of([&] { store.put(missing, "k", "bytes"); }), "NoSuchBucket", 404);
    }
    SUBCASE("writer") {
        check_error(error_of([&] {
                        auto writer = store.writer(missing, "k");
                        writer.write("bytes");
                        writer.close();
                    }),
                    "NoSuchBucket", 404);
    }
    SUBCASE("copy into it") {
        const auto& b = bucket("errors");
        store.put(b, "copy-source", "bytes");
        check_error(error_of([&] { store.copy(b, "copy-source", missing, "k"); }), "NoSuchBucket",
                    404);
    }
    SUBCASE("remove") {
        check_error(error_of([&] { store.remove(missing, "k"); }), "NoSuchBucket", 404);
    }
    SUBCASE("head: 404 (HEAD has no body, so the code is only derived from the status)") {
        auto e = error_of([&] { store.head(missing, "k"); });
        REQUIRE(e);
        CHECK(e->http_status() == 404);
    }
    SUBCASE("trying to write did not create it") {
        CHECK(error_of([&] { store.list(missing); }).has_value());
    }
}

TEST_CASE("errors: SignatureDoesNotMatch: the right key id with a wrong secret") {
    if (!verifies_credentials()) {
        skip(
            "SignatureDoesNotMatch",
            "this store verifies no credentials (LAMBDAPORT_CONFORMANCE_AUTH is not 1): local disk "
            "has no signatures, and a server may run without verification");
        return;
    }
    if (skipped_for_quirk("SignatureDoesNotMatch", "sigv4-unverified")) {
        return;
    }
    const auto& b = bucket("errors");
    the_store().put(b, "auth/object", "secret bytes");
    const char* key_id = std::getenv("AWS_ACCESS_KEY_ID");
    REQUIRE(key_id);
    auto wrong = store_with_credentials(key_id, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGSECRET");
    check_error(error_of([&] { wrong.get(b, "auth/object"); }), "SignatureDoesNotMatch", 403);
    check_error(error_of([&] { wrong.list(b); }), "SignatureDoesNotMatch", 403);
    check_error(error_of([&] { wrong.put(b, "auth/object", "overwritten"); }),
                "SignatureDoesNotMatch", 403);
    CHECK(the_store().get(b, "auth/object") == "secret bytes");
}

TEST_CASE("errors: InvalidAccessKeyId: a key id the store does not know") {
    if (!verifies_credentials()) {
        skip(
            "InvalidAccessKeyId",
            "this store verifies no credentials (LAMBDAPORT_CONFORMANCE_AUTH is not 1): local disk "
            "has no key ids, and a server may run without verification");
        return;
    }
    const auto& b = bucket("errors");
    the_store().put(b, "auth/object", "secret bytes");
    auto unknown = store_with_credentials("AKIAZZZZZZZZZZZZZZZZ", "whatever-secret");
    check_error(error_of([&] { unknown.get(b, "auth/object"); }), "InvalidAccessKeyId", 403);
    check_error(error_of([&] { unknown.list(b); }), "InvalidAccessKeyId", 403);
    check_error(error_of([&] { unknown.put(b, "auth/object", "overwritten"); }),
                "InvalidAccessKeyId", 403);
    CHECK(the_store().get(b, "auth/object") == "secret bytes");
}

TEST_CASE("errors: AccessDenied: an identity whose policy denies reads and writes") {
    if (!verifies_credentials()) {
        skip(
            "AccessDenied",
            "this store verifies no credentials (LAMBDAPORT_CONFORMANCE_AUTH is not 1): local disk "
            "has no identities (and file permissions do not deny a root user), and a server may "
            "run without verification");
        return;
    }
    if (skipped_for_quirk("AccessDenied", "no-policies")) {
        return;
    }
    auto denied_id = denied_identity();
    REQUIRE_MESSAGE(denied_id.has_value(),
                    "a store that verifies credentials needs LAMBDAPORT_CONFORMANCE_DENIED_KEY_ID "
                    "and _SECRET (or the quirk no-policies)");
    const auto& b = bucket("errors");
    the_store().put(b, "auth/guarded", "guarded bytes");
    auto denied = store_with_credentials(denied_id->key_id, denied_id->secret);

    // The identity itself is valid: its policy allows listing.
    auto listed = keys_of(denied.list(b).objects);
    CHECK(std::find(listed.begin(), listed.end(), "auth/guarded") != listed.end());
    check_error(error_of([&] { denied.get(b, "auth/guarded"); }), "AccessDenied", 403);
    check_error(error_of([&] { denied.put(b, "auth/guarded", "overwritten"); }), "AccessDenied",
                403);
    check_error(error_of([&] { denied.put(b, "auth/new", "new"); }), "AccessDenied", 403);
    CHECK(the_store().get(b, "auth/guarded") == "guarded bytes");
    CHECK(error_of([&] { the_store().head(b, "auth/new"); }).has_value());
}

TEST_CASE("errors: a storage_error is a std::runtime_error with a message") {
    const auto& b = bucket("errors");
    try {
        the_store().get(b, "no/such/key");
        FAIL("no exception");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).size() > 0);
    }
}
