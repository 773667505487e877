#pragma once

// A fresh folder under the system's temp directory for one test, removed with everything in it
// when the test ends.

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

struct temp_root {
    std::filesystem::path path;
    temp_root() {
        std::string name = (std::filesystem::temp_directory_path() / "lp-storage-XXXXXX").string();
        REQUIRE(::mkdtemp(name.data()) != nullptr);
        path = name;
    }
    temp_root(const temp_root&) = delete;
    temp_root& operator=(const temp_root&) = delete;
    ~temp_root() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};
