#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"

using namespace lambdaport::runtime::config;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_json(text, "cfg.json", "/base");
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}

std::string exposure_error(const std::string& host, const auth_config& auth) {
    engine_config cfg;
    cfg.listen_host = host;
    cfg.listen_port = 3001;
    cfg.auth = auth;
    try {
        check_exposure(cfg, "--listen");
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("engine.auth: the credential callers sign with") {
    auto cfg = parse_json(R"({"engine": {"auth": {"access_key_id": "lambdaport",
                                                   "secret_access_key": "a-secret-of-16+chars"}}})",
                          "cfg.json", "/base");
    CHECK(cfg.auth.access_key_id == "lambdaport");
    CHECK(cfg.auth.secret_access_key == "a-secret-of-16+chars");
    CHECK(cfg.auth.source == "cfg.json: engine.auth");
    CHECK(cfg.auth.verify());
    CHECK_FALSE(parse_json("{}", "cfg.json", "/base").auth.configured());

    CHECK(error_of(R"({"engine": {"auth": "key:secret"}})") ==
          "cfg.json: engine.auth: must be an object");
    CHECK(error_of(R"({"engine": {"auth": {"access_key_id": "k"}}})") ==
          "cfg.json: engine.auth.secret_access_key: missing");
    CHECK(error_of(R"({"engine": {"auth": {"access_key_id": "k", "secret_access_key": "s",
                                           "token": "t"}}})") ==
          "cfg.json: engine.auth.token: unknown key");
    CHECK(error_of(R"({"engine": {"auth": {"access_key_id": "a/b",
                                           "secret_access_key": "a-secret-of-16+chars"}}})") ==
          "cfg.json: engine.auth.access_key_id: must be 1 to 128 letters, digits, '-' or '_'");
    CHECK(
        error_of(R"({"engine": {"auth": {"access_key_id": "k", "secret_access_key": "short"}}})") ==
        "cfg.json: engine.auth.secret_access_key: must be 16 to 128 printable ASCII characters "
        "without blanks");
}

TEST_CASE("LAMBDAPORT_ACCESS_KEY_ID and LAMBDAPORT_SECRET_ACCESS_KEY replace engine.auth") {
    engine_config cfg;
    cfg.auth = {"from-file", "file-secret-of-16-chars", "cfg.json: engine.auth", false};
    apply_auth_environment(cfg, nullptr, "");
    CHECK(cfg.auth.access_key_id == "from-file");
    apply_auth_environment(cfg, "from-env", "env-secret-of-16-chars");
    CHECK(cfg.auth.access_key_id == "from-env");
    CHECK(cfg.auth.secret_access_key == "env-secret-of-16-chars");
    CHECK(cfg.auth.source == "LAMBDAPORT_ACCESS_KEY_ID");

    std::string error;
    try {
        apply_auth_environment(cfg, "only-the-key", nullptr);
    } catch (const config_error& e) {
        error = e.what();
    }
    CHECK(error ==
          "LAMBDAPORT_ACCESS_KEY_ID is set but LAMBDAPORT_SECRET_ACCESS_KEY is not: set both, or "
          "neither");
    CHECK_THROWS_AS(apply_auth_environment(cfg, "key", "short"), config_error);
}

TEST_CASE("loopback addresses") {
    CHECK(is_loopback("127.0.0.1"));
    CHECK(is_loopback("127.0.0.2"));
    CHECK(is_loopback("127.255.255.254"));
    CHECK(is_loopback("::1"));
    CHECK(is_loopback("::ffff:127.0.0.1"));
    CHECK_FALSE(is_loopback("0.0.0.0"));
    CHECK_FALSE(is_loopback("::"));
    CHECK_FALSE(is_loopback("192.168.1.10"));
    CHECK_FALSE(is_loopback("::ffff:10.0.0.1"));
    CHECK_FALSE(is_loopback("localhost"));  // not an address
}

TEST_CASE("an Invoke API on the network needs a credential or --no-auth") {
    const auth_config none;
    const auth_config key{"k", "a-secret-of-16+chars", "env", false};
    const auth_config no_auth{"", "", "", true};
    CHECK(exposure_error("127.0.0.1", none) == "");
    CHECK(exposure_error("::1", none) == "");
    CHECK(exposure_error("0.0.0.0", key) == "");
    CHECK(exposure_error("0.0.0.0", no_auth) == "");
    CHECK(exposure_error("not-an-address", none) == "");  // the bind says why
    const auto refused = exposure_error("0.0.0.0", none);
    CHECK(
        refused.starts_with("--listen: 0.0.0.0:3001 is not a loopback address and no credential "
                            "is configured: set engine.auth"));
    CHECK(refused.find("--no-auth") != std::string::npos);
    CHECK(refused.find('\n') == std::string::npos);
    CHECK(exposure_error("::", none) != "");
}
