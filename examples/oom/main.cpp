// Allocates and touches event.megabytes MB (default 1024) in 1 MB chunks, all kept until the
// end, and returns how many it got. Under a memory limit the allocation fails and the runtime
// reports Runtime.OutOfMemory.

#include <cstddef>
#include <iostream>
#include <lambdaport/runtime.hpp>
#include <memory>
#include <vector>

int main() {
    return lambdaport::run([](const nlohmann::json& event, const lambdaport::context& ctx) {
        constexpr std::size_t chunk_bytes = 1024 * 1024;
        constexpr std::size_t page_bytes = 4096;
        std::size_t megabytes = 1024;
        if (event.is_object() && event.contains("megabytes") &&
            event["megabytes"].is_number_unsigned()) {
            megabytes = event["megabytes"].get<std::size_t>();
        }
        std::cout << "oom: " << ctx.request_id() << " allocating " << megabytes << " MB\n";
        std::vector<std::unique_ptr<char[]>> chunks;
        for (std::size_t i = 0; i < megabytes; ++i) {
            chunks.emplace_back(new char[chunk_bytes]);
            // Volatile writes: the pages must really be touched, whatever the optimiser thinks.
            volatile char* chunk = chunks.back().get();
            for (std::size_t offset = 0; offset < chunk_bytes; offset += page_bytes) {
                chunk[offset] = 1;
            }
        }
        return nlohmann::json(chunks.size());
    });
}
