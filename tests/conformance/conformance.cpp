#include "conformance.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

namespace conformance {

namespace {

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

// Known deviations of real servers from S3. The driver names the ones of the server it runs; each
// check a quirk covers is skipped there, saying why. A name missing here is a mistake in the
// driver and stops the suite.
const std::map<std::string, std::string, std::less<>>& known_quirks() {
    static const std::map<std::string, std::string, std::less<>> quirks{
        {"sigv4-unverified",
         "s3rver 3.7.1 checks access key ids but never verifies SigV4 signatures "
         "(lib/middleware/authentication.js: 'Signature version 4 calculation is "
         "unimplemented'), so a wrong secret is accepted where S3 answers 403 "
         "SignatureDoesNotMatch"},
        {"sigv4-iri",
         "moto 5.2.1 (with Werkzeug 3.1) checks a SigV4 signature against a canonical request "
         "rebuilt from the decoded IRI of the request instead of the bytes sent, so a correctly "
         "signed request (the AWS CLI v2's too) gets 403 SignatureDoesNotMatch when its path has "
         "a character other than A-Z a-z 0-9 and ' #-.?_~/' (any non-ASCII one included) or a "
         "query value one other than A-Z a-z 0-9 and ' #%&+-.=_~' (e.g. prefix=dir/, "
         "delimiter=/); the same checks run against moto without signature verification"},
        {"bucket-already-exists",
         "s3rver 3.7.1 answers CreateBucket for a bucket its one identity already owns with 409 "
         "BucketAlreadyExists (S3's answer when someone else owns it) where S3 answers 200 in "
         "us-east-1 and 409 BucketAlreadyOwnedByYou elsewhere"},
        {"multipart-etag",
         "s3rver 3.7.1 gives a multipart upload the plain MD5 of the whole object as its ETag, "
         "where S3 gives '\"<md5 of the parts' MD5s>-<parts>\"'"},
        {"path-order",
         "s3rver 3.7.1 lists keys in the order of a walk of its directory tree, so 'a/b' comes "
         "before 'a b', 'a!', 'a-b' and 'a.b', where S3 lists in byte order ('/' is 0x2f)"},
        {"delimiter-listing",
         "s3rver 3.7.1 does not count common prefixes against max-keys, repeats them on every "
         "page, and loses a common prefix whose keys all lie two or more delimiters deeper "
         "(lib/stores/filesystem.js skips those directories)"},
        {"copy-source-decodeuri",
         "s3rver 3.7.1 decodes x-amz-copy-source with JavaScript's decodeURI, which leaves the "
         "escapes of '#$&+,:;=?@' encoded, so copying a key with one of those looks for another "
         "key and fails with NoSuchKey, where S3 decodes every escape"},
        {"no-policies",
         "s3rver 3.7.1 has a single identity and no access policies, so no request can be "
         "denied AccessDenied"},
    };
    return quirks;
}

std::map<std::string, std::string, std::less<>> declared_quirks() {
    std::map<std::string, std::string, std::less<>> declared;
    std::string list = environment("LAMBDAPORT_CONFORMANCE_QUIRKS");
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = std::min(list.find(',', start), list.size());
        std::string name = list.substr(start, end - start);
        if (!name.empty()) {
            auto known = known_quirks().find(name);
            if (known == known_quirks().end()) {
                throw std::invalid_argument("LAMBDAPORT_CONFORMANCE_QUIRKS: unknown quirk '" +
                                            name + "'");
            }
            declared.emplace(name, known->second);
        }
        start = end + 1;
    }
    return declared;
}

// Bucket names: lower-case letters, digits and '-', at most 63 characters (S3's rules).
std::string run_prefix() {
    std::string prefix = environment("LAMBDAPORT_CONFORMANCE_BUCKET_PREFIX");
    if (prefix.empty()) {
        prefix = "lp-conformance";
    }
    std::random_device device;
    std::uniform_int_distribution<int> digit(0, 35);
    std::string run_id;
    for (int i = 0; i < 8; ++i) {
        int d = digit(device);
        run_id += static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    }
    return prefix + "-" + run_id;
}

const std::string& the_run_prefix() {
    static const std::string prefix = run_prefix();
    return prefix;
}

std::string digest_hex(const EVP_MD* algorithm, std::string_view bytes) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), out, &size, algorithm, nullptr) != 1) {
        throw std::runtime_error("EVP_Digest failed");
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < size; ++i) {
        text += hex[out[i] >> 4];
        text += hex[out[i] & 0xf];
    }
    return text;
}

std::string md5_raw(std::string_view bytes) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), out, &size, EVP_md5(), nullptr) != 1) {
        throw std::runtime_error("EVP_Digest failed");
    }
    return std::string(reinterpret_cast<const char*>(out), size);
}

}  // namespace

const storage::store& the_store() {
    static const storage::store store = storage::store::from_environment();
    return store;
}

const std::string& bucket(const std::string& purpose) {
    static std::mutex mutex;
    static std::map<std::string, std::string> created;
    std::lock_guard lock(mutex);
    auto found = created.find(purpose);
    if (found == created.end()) {
        std::string name = the_run_prefix() + "-" + purpose;
        the_store().create_bucket(name);
        found = created.emplace(purpose, std::move(name)).first;
    }
    return found->second;
}

std::string missing_bucket_name() {
    return the_run_prefix() + "-never-created";
}

bool verifies_credentials() {
    return environment("LAMBDAPORT_CONFORMANCE_AUTH") == "1";
}

std::optional<identity> denied_identity() {
    identity id{environment("LAMBDAPORT_CONFORMANCE_DENIED_KEY_ID"),
                environment("LAMBDAPORT_CONFORMANCE_DENIED_SECRET")};
    if (id.key_id.empty()) {
        return std::nullopt;
    }
    return id;
}

storage::store store_with_credentials(const std::string& key_id, const std::string& secret) {
    auto settings = storage::store::s3_settings::from_environment();
    settings.session_token.clear();
    settings.access_key_id = key_id;
    settings.secret_access_key = secret;
    // Retries would only repeat a refusal: one try each.
    storage::store_options options;
    options.max_attempts = 1;
    return storage::store::s3(settings, options);
}

std::optional<std::string> quirk(std::string_view name) {
    static const auto declared = declared_quirks();
    if (known_quirks().find(name) == known_quirks().end()) {
        throw std::logic_error("conformance: check asks for unknown quirk '" + std::string(name) +
                               "'");
    }
    auto found = declared.find(name);
    if (found == declared.end()) {
        return std::nullopt;
    }
    return found->second;
}

void skip(std::string_view check, std::string_view reason) {
    MESSAGE("SKIPPED: [" << std::string(check) << "] " << std::string(reason));
}

bool skipped_for_quirk(std::string_view check, std::string_view name) {
    if (auto reason = quirk(name)) {
        skip(check, "server quirk " + std::string(name) + ": " + *reason);
        return true;
    }
    return false;
}

bool unverifiable(std::string_view value, bool in_query) {
    if (!quirk("sigv4-iri")) {
        return false;
    }
    // Measured against moto 5.2.1 with Werkzeug 3.1.8: the characters that survive its
    // round trip through an IRI unchanged.
    std::string_view kept = in_query ? " #%&+-.=_~" : " #-.?_~/";
    for (char c : value) {
        auto byte = static_cast<unsigned char>(c);
        bool alphanumeric = (byte >= '0' && byte <= '9') || (byte >= 'A' && byte <= 'Z') ||
                            (byte >= 'a' && byte <= 'z');
        if (!alphanumeric && kept.find(c) == std::string_view::npos) {
            return true;
        }
    }
    return false;
}

bool copy_source_mangled(std::string_view key) {
    return quirk("copy-source-decodeuri") &&
           key.find_first_of("#$&+,:;=?@") != std::string_view::npos;
}

bool skipped_for_unverifiable(std::string_view check, const std::vector<std::string>& keys,
                              const std::vector<std::string>& query_values) {
    for (const auto& key : keys) {
        if (unverifiable(key, false)) {
            skip(check, "key '" + key + "': server quirk sigv4-iri: " + *quirk("sigv4-iri"));
            return true;
        }
    }
    for (const auto& value : query_values) {
        if (unverifiable(value, true)) {
            skip(check,
                 "query value '" + value + "': server quirk sigv4-iri: " + *quirk("sigv4-iri"));
            return true;
        }
    }
    return false;
}

std::string random_bytes(std::size_t count, std::uint32_t seed) {
    std::mt19937_64 engine(seed);
    std::string bytes(count, '\0');
    std::size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        std::uint64_t word = engine();
        for (int b = 0; b < 8; ++b) {
            bytes[i + b] = static_cast<char>(word >> (8 * b));
        }
    }
    std::uint64_t word = engine();
    for (; i < count; ++i, word >>= 8) {
        bytes[i] = static_cast<char>(word);
    }
    // Every byte value at least once (when there is room), NUL first.
    for (std::size_t v = 0; v < 256 && v < count; ++v) {
        bytes[v] = static_cast<char>(v);
    }
    return bytes;
}

std::string md5_hex(std::string_view bytes) {
    return digest_hex(EVP_md5(), bytes);
}

std::string sha256_hex(std::string_view bytes) {
    return digest_hex(EVP_sha256(), bytes);
}

std::string single_part_etag(std::string_view bytes) {
    return '"' + md5_hex(bytes) + '"';
}

std::string multipart_etag(std::string_view bytes, std::size_t part_size) {
    std::string part_digests;
    std::size_t parts = 0;
    for (std::size_t at = 0; at < bytes.size(); at += part_size, ++parts) {
        part_digests += md5_raw(bytes.substr(at, part_size));
    }
    return '"' + md5_hex(part_digests) + '-' + std::to_string(parts) + '"';
}

sha256::sha256() : context_(EVP_MD_CTX_new()) {
    if (!context_ ||
        EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("EVP_DigestInit_ex failed");
    }
}

sha256::~sha256() {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_));
}

void sha256::update(std::string_view bytes) {
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), bytes.data(), bytes.size());
}

std::string sha256::hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), out, &size);
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < size; ++i) {
        text += digits[out[i] >> 4];
        text += digits[out[i] & 0xf];
    }
    return text;
}

std::optional<storage::storage_error> error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const storage::storage_error& e) {
        return e;
    }
    return std::nullopt;
}

bool near_now(std::chrono::system_clock::time_point time, std::chrono::seconds slack) {
    auto now = std::chrono::system_clock::now();
    return time > now - slack && time < now + slack;
}

void parallel_for(std::size_t count, int threads, const std::function<void(std::size_t)>& task) {
    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    std::exception_ptr failure;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (std::size_t i; (i = next++) < count;) {
                try {
                    task(i);
                } catch (...) {
                    std::lock_guard lock(mutex);
                    if (!failure) {
                        failure = std::current_exception();
                    }
                    next = count;  // the others stop at their next item
                }
            }
        });
    }
    for (auto& thread : pool) {
        thread.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
}

std::vector<std::string> s3_order(std::vector<std::string> keys) {
    // std::string compares as unsigned bytes (char_traits<char>::compare), which for UTF-8 is
    // S3's order: by code point, not by UTF-16 unit.
    std::sort(keys.begin(), keys.end());
    return keys;
}

std::vector<std::string> keys_of(const std::vector<storage::object_info>& objects) {
    std::vector<std::string> keys;
    keys.reserve(objects.size());
    for (const auto& object : objects) {
        keys.push_back(object.key);
    }
    return keys;
}

}  // namespace conformance
