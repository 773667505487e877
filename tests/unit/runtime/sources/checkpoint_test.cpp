#include "sources/checkpoint.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

using lambdaport::runtime::sources::checkpoint;

namespace {

struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        char name[] = "/tmp/lambdaport-checkpoint-XXXXXX";
        path = ::mkdtemp(name);
    }
    ~temp_dir() { std::filesystem::remove_all(path); }
};

std::string read(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("a checkpoint remembers keys with their ETags across reopening") {
    temp_dir dir;
    {
        checkpoint c(dir.path / "a");
        CHECK(c.fresh());
        CHECK_FALSE(c.contains("k", "\"e1\""));
        c.record("k", "\"e1\"");
        c.record("odd\nkey\twith \"quotes\" and é", "\"e2\"");
        CHECK(c.contains("k", "\"e1\""));
        CHECK_FALSE(c.contains("k", "\"e9\""));  // a new ETag is a new object
    }
    checkpoint again(dir.path / "a");
    CHECK_FALSE(again.fresh());
    CHECK(again.size() == 2);
    CHECK(again.contains("k", "\"e1\""));
    CHECK(again.contains("odd\nkey\twith \"quotes\" and é", "\"e2\""));
}

TEST_CASE("reopening compacts to one line per key, the latest ETag winning") {
    temp_dir dir;
    {
        checkpoint c(dir.path);
        c.record("k", "\"1\"");
        c.record("k", "\"2\"");
        c.record("j", "\"3\"");
    }
    {
        checkpoint c(dir.path);
        CHECK(c.contains("k", "\"2\""));
        CHECK_FALSE(c.contains("k", "\"1\""));
    }
    auto text = read(dir.path / "objects.log");
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);
}

TEST_CASE("a torn last line (a kill in the middle of a write) is ignored, not fatal") {
    temp_dir dir;
    {
        checkpoint c(dir.path);
        c.record("whole", "\"1\"");
    }
    {
        std::ofstream out(dir.path / "objects.log", std::ios::app | std::ios::binary);
        out << R"(["\"2\"","tor)";
    }
    checkpoint c(dir.path);
    CHECK(c.torn_lines() == 1);
    CHECK(c.contains("whole", "\"1\""));
    CHECK(c.size() == 1);
    c.record("after", "\"3\"");
    checkpoint reopened(dir.path);
    CHECK(reopened.contains("after", "\"3\""));
    CHECK(reopened.torn_lines() == 0);
}
