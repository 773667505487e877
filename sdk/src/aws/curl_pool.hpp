#pragma once

// libcurl handles, reused: a session is one multi handle (and with it a cache of keep-alive
// connections) plus the easy handles that run on it; a pool lends sessions to whichever thread
// needs one, so connections survive from one operation to the next. Sessions share one DNS and
// TLS-session cache. (Connections themselves are not shared between sessions: libcurl does not
// support sharing them between threads working at the same time.)

#include <curl/curl.h>

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace lambdaport::detail::aws {

/// curl_global_init, once per process, whichever thread gets here first.
void ensure_curl_initialised();

/// One multi handle and its easy handles; used by one thread at a time.
class session {
  public:
    explicit session(CURLSH* share);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    CURLM* multi() const noexcept { return multi_; }
    /// The `index`-th easy handle of this session, created on first use.
    CURL* easy(std::size_t index);
    /// Runs the transfer set up on `easy` to its end on this thread; returns curl's result.
    CURLcode run(CURL* easy);

  private:
    CURLSH* share_;
    CURLM* multi_;
    std::vector<CURL*> easies_;
};

class session_pool {
  public:
    session_pool();
    ~session_pool();
    session_pool(const session_pool&) = delete;
    session_pool& operator=(const session_pool&) = delete;

    /// A session on loan; returned to the pool when destroyed.
    class lease {
      public:
        lease(session_pool& pool, std::unique_ptr<session> s) noexcept
            : pool_(&pool), session_(std::move(s)) {}
        lease(lease&&) noexcept = default;
        lease& operator=(lease&&) = delete;
        ~lease();
        session& operator*() const noexcept { return *session_; }
        session* operator->() const noexcept { return session_.get(); }

      private:
        session_pool* pool_;
        std::unique_ptr<session> session_;
    };

    lease acquire();

  private:
    static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self);
    static void unlock(CURL*, curl_lock_data data, void* self);
    void release(std::unique_ptr<session> s) noexcept;

    std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks_;
    CURLSH* share_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<session>> idle_;
};

}  // namespace lambdaport::detail::aws
