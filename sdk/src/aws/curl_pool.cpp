#include "aws/curl_pool.hpp"

#include <new>
#include <stdexcept>

namespace lambdaport::detail::aws {

namespace {

// Idle sessions kept, each with its keep-alive connections; more are closed when returned.
constexpr std::size_t max_idle_sessions = 16;
// Keep-alive connections one session keeps (its parts in flight at once, and some).
constexpr long max_connections_per_session = 16;

}  // namespace

void ensure_curl_initialised() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("curl_global_init failed");
        }
    });
}

session::session(CURLSH* share) : share_(share), multi_(curl_multi_init()) {
    if (!multi_) {
        throw std::bad_alloc();
    }
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, max_connections_per_session);
}

session::~session() {
    // Easy handles are no longer added to the multi handle here (run() and the multipart driver
    // remove them), so the order of clean-up is free.
    for (CURL* easy : easies_) {
        curl_easy_cleanup(easy);
    }
    curl_multi_cleanup(multi_);
}

CURL* session::easy(std::size_t index) {
    while (easies_.size() <= index) {
        CURL* easy = curl_easy_init();
        if (!easy) {
            throw std::bad_alloc();
        }
        // curl_easy_reset keeps the share, so it is set once here.
        curl_easy_setopt(easy, CURLOPT_SHARE, share_);
        easies_.push_back(easy);
    }
    return easies_[index];
}

CURLcode session::run(CURL* easy) {
    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
        return CURLE_FAILED_INIT;
    }
    CURLcode result = CURLE_OK;
    bool done = false;
    while (!done) {
        int running = 0;
        if (curl_multi_perform(multi_, &running) != CURLM_OK) {
            result = CURLE_FAILED_INIT;
            break;
        }
        int queued = 0;
        while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
            if (message->msg == CURLMSG_DONE && message->easy_handle == easy) {
                result = message->data.result;
                done = true;
            }
        }
        if (!done && curl_multi_poll(multi_, nullptr, 0, 1000, nullptr) != CURLM_OK) {
            result = CURLE_FAILED_INIT;
            break;
        }
    }
    curl_multi_remove_handle(multi_, easy);
    return result;
}

session_pool::session_pool() {
    ensure_curl_initialised();
    share_ = curl_share_init();
    if (!share_) {
        throw std::bad_alloc();
    }
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &session_pool::lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &session_pool::unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

session_pool::~session_pool() {
    idle_.clear();  // every easy handle using the share goes before the share
    curl_share_cleanup(share_);
}

void session_pool::lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<session_pool*>(self)->share_locks_[std::size_t(data)].lock();
}

void session_pool::unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<session_pool*>(self)->share_locks_[std::size_t(data)].unlock();
}

session_pool::lease session_pool::acquire() {
    {
        std::lock_guard<std::mutex> guard(mutex_);
        if (!idle_.empty()) {
            std::unique_ptr<session> s = std::move(idle_.back());
            idle_.pop_back();
            return lease(*this, std::move(s));
        }
    }
    return lease(*this, std::make_unique<session>(share_));
}

void session_pool::release(std::unique_ptr<session> s) noexcept {
    std::lock_guard<std::mutex> guard(mutex_);
    if (idle_.size() < max_idle_sessions) {
        try {
            idle_.push_back(std::move(s));
        } catch (...) {
            // Out of memory: the session (and its connections) is simply closed.
        }
    }
}

session_pool::lease::~lease() {
    if (session_) {
        pool_->release(std::move(session_));
    }
}

}  // namespace lambdaport::detail::aws
