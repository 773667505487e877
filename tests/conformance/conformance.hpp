#pragma once

// Shared by the storage conformance suite: the store under test, fresh buckets, test data,
// digests, and how a check that cannot run on this backend is skipped (out loud).
//
// The store is opened with `store::from_environment()`, exactly as a handler opens it. Beyond the
// store's own variables (LAMBDAPORT_STORAGE, AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, ...), the
// suite reads only these, set by its driver (tests/integration/test_storage_conformance.py):
//
//   LAMBDAPORT_CONFORMANCE_BUCKET_PREFIX  start of every bucket name (default "lp-conformance");
//                                         a random run id follows, so runs never share a bucket
//   LAMBDAPORT_CONFORMANCE_AUTH=1         the store verifies credentials: the InvalidAccessKeyId
//                                         and SignatureDoesNotMatch checks run
//   LAMBDAPORT_CONFORMANCE_DENIED_KEY_ID  a second identity, allowed to list but denied
//   LAMBDAPORT_CONFORMANCE_DENIED_SECRET  s3:GetObject and s3:PutObject: the AccessDenied check
//   runs LAMBDAPORT_CONFORMANCE_QUIRKS         comma-separated names of known deviations of the
//   server
//                                         under test from S3 (see `quirks` in conformance.cpp);
//                                         only the checks a quirk names are skipped, saying so
//
// A skipped check prints a doctest MESSAGE "SKIPPED: [<check>] <reason>"; the driver
// reports each as a skipped subtest, so nothing passes silently.

#include <chrono>
#include <cstdint>
#include <functional>
#include <lambdaport/storage.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace conformance {

namespace storage = lambdaport::storage;

/// The store the environment names (opened once, shared by every test case and thread).
const storage::store& the_store();

/// A bucket of this run for `purpose` ("objects", "listing", ...): created (with
/// `store.create_bucket`) on first use, the same name afterwards.
const std::string& bucket(const std::string& purpose);

/// A bucket name of this run that is never created.
std::string missing_bucket_name();

/// LAMBDAPORT_CONFORMANCE_AUTH=1.
bool verifies_credentials();

/// The restricted identity, if the driver gave one.
struct identity {
    std::string key_id;
    std::string secret;
};
std::optional<identity> denied_identity();

/// The same place and region as the store under test, with other credentials
/// (`store::s3` built from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and AWS_REGION).
storage::store store_with_credentials(const std::string& key_id, const std::string& secret);

/// The reason a declared quirk of the server under test gives, or nothing if it was not declared.
std::optional<std::string> quirk(std::string_view name);

/// Prints "SKIPPED: [<check>] <reason>" as a doctest MESSAGE (reported by the driver).
void skip(std::string_view check, std::string_view reason);

/// Skips `check` (returning true) when the server under test has quirk `name`. Inside a SUBCASE,
/// guard the checks with `if (!skipped_for_quirk(...)) { ... }` rather than returning: a return
/// from a subcase keeps doctest from discovering (and running) the subcases after it.
bool skipped_for_quirk(std::string_view check, std::string_view name);

/// Whether the server under test would refuse a correctly signed request with `key` in its path
/// (`in_query` false) or `value` in its query string (true), by quirk "sigv4-iri"; always false
/// when that quirk is not declared.
bool unverifiable(std::string_view value, bool in_query);

/// Whether the server under test would look for another source object than `key` in a copy, by
/// quirk "copy-source-decodeuri"; always false when that quirk is not declared.
bool copy_source_mangled(std::string_view key);

/// Skips `check` (returning true) when the server could not verify a request for one of `keys`
/// or with one of `query_values` (quirk "sigv4-iri").
bool skipped_for_unverifiable(std::string_view check, const std::vector<std::string>& keys,
                              const std::vector<std::string>& query_values);

/// `count` pseudo-random bytes, the same for the same seed; every byte value occurs, NUL included.
std::string random_bytes(std::size_t count, std::uint32_t seed);

/// Lower-case hex digests.
std::string md5_hex(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);

/// `"<md5 hex>"`: the ETag S3 gives an object written in one request.
std::string single_part_etag(std::string_view bytes);

/// `"<md5 of the parts' md5s>-<parts>"`: the ETag S3 gives `bytes` uploaded in parts of
/// `part_size`.
std::string multipart_etag(std::string_view bytes, std::size_t part_size);

/// Incremental SHA-256.
class sha256 {
  public:
    sha256();
    sha256(const sha256&) = delete;
    sha256& operator=(const sha256&) = delete;
    ~sha256();
    void update(std::string_view bytes);
    std::string hex();

  private:
    void* context_;
};

/// The storage_error `action` throws, or nothing if it throws none (other exceptions propagate).
std::optional<storage::storage_error> error_of(const std::function<void()>& action);

/// True when `time` is within `slack` of now.
bool near_now(std::chrono::system_clock::time_point time,
              std::chrono::seconds slack = std::chrono::minutes(5));

/// Runs `task(i)` for i in [0, count) on `threads` threads; rethrows the first exception.
void parallel_for(std::size_t count, int threads, const std::function<void(std::size_t)>& task);

/// Keys sorted as S3 lists them: ascending UTF-8 bytes.
std::vector<std::string> s3_order(std::vector<std::string> keys);

/// The keys of a listing, in its order.
std::vector<std::string> keys_of(const std::vector<storage::object_info>& objects);

}  // namespace conformance
