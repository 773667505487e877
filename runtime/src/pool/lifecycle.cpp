#include "pool/lifecycle.hpp"

namespace lambdaport::runtime::pool {

verdict lifecycle::next() {
    if (phase_ == phase::initializing || phase_ == phase::responded) {
        initialized_ = true;
        phase_ = phase::waiting;
        return verdict::accepted;
    }
    return verdict::invalid_state;
}

void lifecycle::deliver(std::string request_id) {
    request_id_ = std::move(request_id);
    phase_ = phase::busy;
}

verdict lifecycle::answer(std::string_view request_id) {
    if (request_id_.empty() || request_id != request_id_) {
        return verdict::unknown_request;
    }
    if (phase_ != phase::busy) {
        return verdict::invalid_state;  // answered already, or the instance is ending
    }
    phase_ = phase::responded;
    return verdict::accepted;
}

verdict lifecycle::init_error() {
    if (phase_ != phase::initializing) {
        return verdict::invalid_state;
    }
    phase_ = phase::init_failed;
    return verdict::accepted;
}

}  // namespace lambdaport::runtime::pool
