#include "sources/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "async/event_queue.hpp"
#include "util/json.hpp"
#include "util/json_dump.hpp"

namespace lambdaport::runtime::sources {
namespace {

std::string line_of(const std::string& key, const std::string& etag) {
    return util::dump_json(nlohmann::json::array({etag, key})) + "\n";
}

}  // namespace

checkpoint::checkpoint(std::filesystem::path dir) : file_(dir / "objects.log") {
    std::filesystem::create_directories(dir);
    {
        std::ifstream in(file_, std::ios::binary);
        if (in) {
            fresh_ = false;
            std::string line;
            while (std::getline(in, line)) {
                const auto v = util::parse_json(line).value_or(nullptr);
                if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_string()) {
                    ++torn_;
                    continue;
                }
                etags_[v[1].get<std::string>()] = v[0].get<std::string>();
            }
        }
    }
    // Compact: the same content, one line per key, replacing the old file atomically.
    std::string text;
    for (const auto& [key, etag] : etags_) {
        text += line_of(key, etag);
    }
    async::write_atomically(file_, text);
    fd_ = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd_ < 0) {
        throw std::system_error(errno, std::generic_category(), "cannot open " + file_.string());
    }
}

checkpoint::~checkpoint() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool checkpoint::contains(std::string_view key, std::string_view etag) const {
    auto it = etags_.find(std::string(key));
    return it != etags_.end() && it->second == etag;
}

void checkpoint::record(const std::string& key, const std::string& etag) {
    auto line = line_of(key, etag);
    // One write: the page cache keeps it through a kill -9 of the engine.
    ssize_t n;
    do {
        n = ::write(fd_, line.data(), line.size());
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(line.size())) {
        throw std::system_error(n < 0 ? errno : EIO, std::generic_category(),
                                "cannot write " + file_.string());
    }
    etags_[key] = etag;
}

}  // namespace lambdaport::runtime::sources
