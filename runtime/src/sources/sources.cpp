#include "sources/sources.hpp"

#include <algorithm>

#include "sources/bucket_source.hpp"
#include "sources/schedule_source.hpp"
#include "sources/sqs_source.hpp"

namespace lambdaport::runtime::sources {

source_set::~source_set() {
    request_stop();
    join();
}

void source_set::add(const config::function_config& fn, delivery& to,
                     const source_environment& env) {
    for (const auto& ev : fn.events) {
        if (!ev.enabled) {
            continue;
        }
        using kind = config::event_source_config::kind;
        switch (ev.type) {
            case kind::bucket:
                sources_.push_back(make_bucket_source(fn, ev, to, env));
                break;
            case kind::sqs:
                sources_.push_back(make_sqs_source(fn, ev, to, env));
                break;
            case kind::schedule:
                sources_.push_back(make_schedule_source(fn, ev, to, env));
                break;
        }
        if (sources_.back()->takes_pushes()) {
            push_targets_[fn.name + "/" + ev.name] = sources_.back().get();
        }
        if (std::find(deliveries_.begin(), deliveries_.end(), &to) == deliveries_.end()) {
            deliveries_.push_back(&to);
        }
    }
}

void source_set::start() {
    for (auto& s : sources_) {
        s->start();
    }
}

void source_set::request_stop() {
    for (auto* d : deliveries_) {
        d->stop();
    }
    for (auto& s : sources_) {
        s->request_stop();
    }
}

void source_set::join() {
    for (auto& s : sources_) {
        s->join();
    }
}

source* source_set::push_target(std::string_view function, std::string_view event) const {
    std::string key;
    key.reserve(function.size() + 1 + event.size());
    key.append(function).append("/").append(event);
    auto it = push_targets_.find(key);
    return it == push_targets_.end() ? nullptr : it->second;
}

nlohmann::json source_set::status() const {
    auto out = nlohmann::json::array();
    for (const auto& s : sources_) {
        out.push_back(s->status());
    }
    return out;
}

}  // namespace lambdaport::runtime::sources
