// One storage transfer through the SDK, as a process of its own (as `aws s3 cp` is), for
// bench/storage_bench.py:
//
//   lambdaport_storage_transfer get    BUCKET KEY FILE   streamed GET into FILE
//   lambdaport_storage_transfer put    BUCKET KEY FILE   put_file (multipart above 8 MiB)
//   lambdaport_storage_transfer stream BUCKET KEY DEST   streamed GET of BUCKET/KEY piped into a
//                                                        streamed upload to BUCKET/DEST
//
// `stream` is what a data-processing handler does: read an object piece by piece and write
// another through `store.writer`, never holding either whole; it checks that the sizes match.
//
// The store comes from the environment (store::from_environment). Prints one JSON line:
// {"op", "bytes", "seconds", "peak_rss_kb"}; exits 1 with a message on failure.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <lambdaport/storage.hpp>
#include <string>

namespace {

long peak_rss_kb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: lambdaport_storage_transfer get|put BUCKET KEY FILE | stream BUCKET "
                     "KEY DEST_KEY\n";
        return 2;
    }
    const std::string op = argv[1], bucket = argv[2], key = argv[3], file = argv[4];
    try {
        auto store = lambdaport::storage::store::from_environment();
        auto start = std::chrono::steady_clock::now();
        std::uint64_t bytes = 0;
        if (op == "get") {
            int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd < 0) {
                std::cerr << file << ": " << std::strerror(errno) << "\n";
                return 1;
            }
            store.get(bucket, key, [&](std::string_view piece) {
                while (!piece.empty()) {
                    ssize_t n = ::write(fd, piece.data(), piece.size());
                    if (n < 0) {
                        throw std::runtime_error(file + ": " + std::strerror(errno));
                    }
                    piece.remove_prefix(std::size_t(n));
                    bytes += std::uint64_t(n);
                }
            });
            ::close(fd);
        } else if (op == "put") {
            bytes = store.put_file(bucket, key, file).size;
        } else if (op == "stream") {
            auto writer = store.writer(bucket, file);
            auto source = store.get(bucket, key, [&](std::string_view piece) {
                writer.write(piece);
                bytes += piece.size();
            });
            auto written = writer.close();
            if (written.size != source.size || bytes != source.size) {
                std::cerr << "stream: read " << bytes << " of " << source.size << " bytes, wrote "
                          << written.size << "\n";
                return 1;
            }
        } else {
            std::cerr << "unknown operation '" << op << "' (get, put or stream)\n";
            return 2;
        }
        std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        std::cout << "{\"op\": \"" << op << "\", \"bytes\": " << bytes
                  << ", \"seconds\": " << elapsed.count() << ", \"peak_rss_kb\": " << peak_rss_kb()
                  << "}\n";
        return 0;
    } catch (const lambdaport::storage::storage_error& e) {
        std::cerr << op << " " << bucket << "/" << key << ": " << e.code() << " ("
                  << e.http_status() << "): " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << op << " " << bucket << "/" << key << ": " << e.what() << "\n";
        return 1;
    }
}
