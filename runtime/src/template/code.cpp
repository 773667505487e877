#include "template/code.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "template/intrinsics.hpp"

extern char** environ;

namespace lambdaport::runtime::sam {
namespace {

namespace fs = std::filesystem;

bool is_executable_file(const fs::path& p) {
    std::error_code ec;
    auto status = fs::status(p, ec);
    return !ec && fs::is_regular_file(status) &&
           (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
}

bool looks_like_zip(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::array<char, 4> magic{};
    in.read(magic.data(), magic.size());
    return in.gcount() == 4 && std::memcmp(magic.data(), "PK\x03\x04", 4) == 0;
}

void check_bootstrap(const fs::path& bootstrap, const std::string& where) {
    std::error_code ec;
    if (!fs::is_regular_file(bootstrap, ec)) {
        throw reason_error(where + " holds no bootstrap at its root");
    }
    if (!is_executable_file(bootstrap)) {
        throw reason_error(bootstrap.string() + " is not executable");
    }
}

// Runs `unzip -q -o ZIP -d FOLDER` and returns its exit status, with the first line it printed.
std::pair<int, std::string> run_unzip(const fs::path& zip, const fs::path& folder) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) {
        return {-1, std::strerror(errno)};
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out[1], 2);
    std::string zip_arg = zip.string();
    std::string folder_arg = folder.string();
    std::array<char*, 7> argv{const_cast<char*>("unzip"),
                              const_cast<char*>("-q"),
                              const_cast<char*>("-o"),
                              zip_arg.data(),
                              const_cast<char*>("-d"),
                              folder_arg.data(),
                              nullptr};
    pid_t pid = 0;
    int spawned = posix_spawnp(&pid, "unzip", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    std::string output;
    char buffer[4096];
    for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            break;
        }
        output.append(buffer, std::size_t(n));
    }
    ::close(out[0]);
    if (spawned != 0) {
        return {-1, std::string("cannot run unzip: ") + std::strerror(spawned) +
                        " (scripts/setup.sh installs it)"};
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    auto first_line = output.substr(0, output.find('\n'));
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), first_line};
}

}  // namespace

code_location locate_code(const std::string& uri, const fs::path& base_dir) {
    fs::path p = uri;
    if (p.is_relative()) {
        p = (base_dir / p).lexically_normal();
    }
    std::error_code ec;
    auto status = fs::status(p, ec);
    if (ec || !fs::exists(status)) {
        throw reason_error(p.string() + " does not exist");
    }
    if (fs::is_directory(status)) {
        check_bootstrap(p / "bootstrap", "the folder " + p.string());
        return {code_location::kind::folder, p / "bootstrap"};
    }
    if (!fs::is_regular_file(status)) {
        throw reason_error(p.string() + " is neither a folder nor a file");
    }
    if (looks_like_zip(p)) {
        return {code_location::kind::zip, p};
    }
    if (is_executable_file(p)) {
        return {code_location::kind::executable, p};
    }
    throw reason_error(p.string() + " is neither a zip nor an executable");
}

void unpack_zip(const fs::path& zip, const fs::path& folder) {
    std::error_code ec;
    fs::remove_all(folder, ec);
    fs::create_directories(folder, ec);
    if (ec) {
        throw reason_error("cannot create " + folder.string() + ": " + ec.message());
    }
    auto [status, output] = run_unzip(zip, folder);
    if (status != 0) {
        throw reason_error(
            "cannot unpack " + zip.string() + ": " +
            (output.empty() ? "unzip exited with status " + std::to_string(status) : output));
    }
    check_bootstrap(folder / "bootstrap", zip.string());
}

}  // namespace lambdaport::runtime::sam
