#include "util/json_dump.hpp"

#include <nlohmann/json.hpp>

namespace lambdaport::runtime::util {

std::string dump_json(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string dump_json(const nlohmann::ordered_json& value) {
    return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace lambdaport::runtime::util
