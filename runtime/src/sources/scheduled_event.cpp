#include "sources/scheduled_event.hpp"
#include "util/json_dump.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace lambdaport::runtime::sources {

std::string event_time(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    auto secs = floor<seconds>(t);
    auto day = floor<days>(secs);
    year_month_day ymd{day};
    hh_mm_ss hms{secs - day};
    char out[32];
    std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                  int(hms.minutes().count()), int(hms.seconds().count()));
    return out;
}

std::string rule_arn(const std::string& region, const std::string& account,
                     const std::string& rule) {
    return "arn:aws:events:" + region + ":" + account + ":rule/" + rule;
}

std::string make_scheduled_event(const std::string& id, std::chrono::system_clock::time_point time,
                                 const std::string& region, const std::string& account,
                                 const std::string& rule) {
    // ordered_json: a reader comparing with a real event sees the keys where EventBridge puts
    // them.
    nlohmann::ordered_json event{
        {"version", "0"},
        {"id", id},
        {"detail-type", "Scheduled Event"},
        {"source", "aws.events"},
        {"account", account},
        {"time", event_time(time)},
        {"region", region},
        {"resources", nlohmann::ordered_json::array({rule_arn(region, account, rule)})},
        {"detail", nlohmann::ordered_json::object()}};
    return util::dump_json(event);
}

}  // namespace lambdaport::runtime::sources
