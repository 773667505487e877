// pipeline_plain: the whole pipeline as one plain process, no engine — the baseline the pipeline's
// benchmark compares against. It runs the very steps the functions run (clean every raw object
// whole, analyse every cleaned part, build the report), one after the other, on one core.
//
//   pipeline_plain [--storage DIR]      (default: LAMBDAPORT_STORAGE, as a handler would)
//
// Prints the final statistics' headline on standard output.
#include <cstring>
#include <iostream>
#include <lambdaport/storage.hpp>

#include "steps.hpp"

int main(int argc, char** argv) {
    using lambdaport::storage::store;
    try {
        store s = argc == 3 && std::strcmp(argv[1], "--storage") == 0 ? store::local(argv[2])
                                                                      : store::from_environment();
        if (argc != 1 && argc != 3) {
            std::cerr << "usage: pipeline_plain [--storage DIR]\n";
            return 2;
        }
        const auto where = pipeline::buckets::from_environment();
        for (const auto& o : s.list_all(where.raw, "trips/")) {
            pipeline::part_job job{where.raw, o.key, o.size, 0, 1};
            auto quality = pipeline::clean_part(s, job, where);
            pipeline::analyse_part(s, quality["output"]["key"].get<std::string>(), where);
        }
        auto stats = pipeline::build_report(s, where);
        std::cout << "trips " << stats["trips"]["count"] << ", rows " << stats["quality"]["rows"]
                  << ", average fare $" << stats["averages"]["fare"] << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "pipeline_plain: " << e.what() << "\n";
        return 1;
    }
}
