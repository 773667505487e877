#pragma once

#include <string>
#include <string_view>

// The Runtime API state machine of one instance, kept free of I/O so it can be tested alone.
namespace lambdaport::runtime::pool {

/// What the Runtime API answers a runtime's call with.
enum class verdict {
    accepted,         // 200 / 202
    unknown_request,  // 400 InvalidRequestID
    invalid_state,    // 403 InvalidStateTransition
};

class lifecycle {
  public:
    enum class phase {
        initializing,  // started, has not asked for an invocation yet
        waiting,       // parked on GET /next
        busy,          // holds an invocation
        responded,     // answered it, has not asked for the next one yet
        init_failed,   // posted /init/error
        dead,          // killed or exited
    };

    phase current() const { return phase_; }
    /// The request id of the invocation held (busy) or last answered.
    const std::string& request_id() const { return request_id_; }
    bool initialized() const { return initialized_; }

    /// GET /next.
    verdict next();
    /// The pool hands the waiting instance an invocation. Precondition: current() == waiting.
    void deliver(std::string request_id);
    /// POST /invocation/{id}/response or /error.
    verdict answer(std::string_view request_id);
    /// POST /init/error.
    verdict init_error();
    /// The process is gone (exit, kill, timeout).
    void end() { phase_ = phase::dead; }

  private:
    phase phase_ = phase::initializing;
    bool initialized_ = false;
    std::string request_id_;
};

}  // namespace lambdaport::runtime::pool
