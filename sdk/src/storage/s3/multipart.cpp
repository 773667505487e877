#include "storage/s3/multipart.hpp"

#include <algorithm>
#include <chrono>

#include "storage/aws.hpp"
#include "storage/s3/client.hpp"
#include "storage/s3/documents.hpp"
#include "storage/s3/xml.hpp"

namespace lambdaport::storage::detail::s3 {

namespace {

using steady = std::chrono::steady_clock;

// Buffers of sent parts kept for reuse (a streamed upload fills them again): one, so that the
// buffers alive stay within the writer's budget (see multipart.hpp).
constexpr std::size_t max_spares = 1;

// The ETag S3 gives a completed multipart upload: MD5 of the parts' binary MD5s, "-", count.
// Nothing when a part's ETag is not a plain MD5.
std::optional<std::string> multipart_etag(const std::vector<std::string>& etags) {
    std::string digests;
    for (const auto& etag : etags) {
        std::string_view hex = etag;
        if (hex.size() == 34 && hex.front() == '"' && hex.back() == '"') {
            hex = hex.substr(1, 32);
        }
        if (hex.size() != 32) {
            return std::nullopt;
        }
        for (std::size_t i = 0; i < 32; i += 2) {
            auto nibble = [](char c) -> int {
                if (c >= '0' && c <= '9')
                    return c - '0';
                if (c >= 'a' && c <= 'f')
                    return c - 'a' + 10;
                if (c >= 'A' && c <= 'F')
                    return c - 'A' + 10;
                return -1;
            };
            const int high = nibble(hex[i]), low = nibble(hex[i + 1]);
            if (high < 0 || low < 0) {
                return std::nullopt;
            }
            digests.push_back(char(high * 16 + low));
        }
    }
    return "\"" + md5_hex(digests) + "-" + std::to_string(etags.size()) + "\"";
}

}  // namespace

struct multipart_upload::in_flight {
    part body;
    request req;
    std::unique_ptr<transfer> exchange;
    int attempt = 0;
    steady::time_point not_before{};
    CURL* easy = nullptr;
};

multipart_upload::multipart_upload(std::shared_ptr<client> c, std::string bucket, std::string key,
                                   std::string content_type)
    : client_(std::move(c)),
      bucket_(std::move(bucket)),
      key_(std::move(key)),
      content_type_(std::move(content_type)),
      max_in_flight_(std::max(1, client_->options().max_concurrency)) {
    const operation op{"CreateMultipartUpload", bucket_, key_};
    request req;
    req.method = "POST";
    req.url = client_->where().url(bucket_, key_, query().add("uploads"));
    req.headers.push_back("Content-Type: " + content_type_);
    response answer = client_->send_ok(op, req);
    try {
        upload_id_ = parse_upload_id(answer.body);
    } catch (const xml_error& e) {
        throw invalid_response(op, answer.status, e.what());
    }
    try {
        session_ = std::make_unique<session_pool::lease>(client_->pool().acquire());
        // Every handle the driver will need, made here where a failure can still throw.
        for (int i = 0; i < max_in_flight_; ++i) {
            (*session_)->easy(std::size_t(i));
        }
        driver_ = std::thread([this] { drive(); });
    } catch (...) {
        abort();
        throw;
    }
}

multipart_upload::~multipart_upload() {
    abort();
}

void multipart_upload::submit(part p, int limit) {
    limit = limit <= 0 ? max_in_flight_ : std::min(limit, max_in_flight_);
    {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return unfinished_ < limit || failure_; });
        if (failure_) {
            std::rethrow_exception(failure_);
        }
        if (etags_.size() < std::size_t(p.number)) {
            etags_.resize(std::size_t(p.number));
        }
        ++unfinished_;
        queued_.push_back(std::move(p));
    }
    curl_multi_wakeup((*session_)->multi());
}

std::string multipart_upload::spare_buffer() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (spares_.empty()) {
        return {};
    }
    std::string buffer = std::move(spares_.back());
    spares_.pop_back();
    buffer.clear();
    return buffer;
}

void multipart_upload::fail(std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!failure_) {
        failure_ = std::move(error);
    }
    changed_.notify_all();
}

void multipart_upload::start_part(std::unique_ptr<in_flight> part, CURL* easy) {
    in_flight* f = part.release();  // owned by the handle's CURLOPT_PRIVATE until it finishes
    f->easy = easy;
    ++f->attempt;
    f->exchange->prepare(easy);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, f);
    if (curl_multi_add_handle((*session_)->multi(), easy) != CURLM_OK) {
        delete f;
        throw std::runtime_error("curl_multi_add_handle failed");
    }
}

// True when the part is done with (sent, or failed for good); false when it is to be tried again.
bool multipart_upload::finished_part(in_flight& f, CURLcode code) {
    const operation op{"UploadPart", bucket_, key_};
    transfer& t = *f.exchange;
    t.finish(code);
    const bool last = f.attempt >= client_->options().max_attempts;
    const std::string which = "part " + std::to_string(f.body.number) + ": ";
    if (!t.body_error().empty()) {
        fail(std::make_exception_ptr(client_error(op, "LocalIOError", 0, which + t.body_error())));
        return true;
    }
    if (t.sink_error()) {
        fail(t.sink_error());
        return true;
    }
    if (code != CURLE_OK) {
        if (retryable_transport(code) && !last) {
            return false;
        }
        fail(std::make_exception_ptr(network_error(
            op, which + t.curl_error() + " (after " + std::to_string(f.attempt) + " tries)")));
        return true;
    }
    const response& answer = t.answer();
    if (answer.status >= 200 && answer.status < 300) {
        if (answer.etag.empty()) {
            fail(std::make_exception_ptr(
                invalid_response(op, answer.status, which + "the answer has no ETag")));
            return true;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        etags_[std::size_t(f.body.number - 1)] = quoted_etag(answer.etag);
        --unfinished_;
        if (!f.body.owned.empty() && spares_.size() < max_spares) {
            spares_.push_back(std::move(f.body.owned));
        }
        changed_.notify_all();
        return true;
    }
    if (!last && retryable_answer(answer.status, client::error_code(answer))) {
        return false;
    }
    fail(std::make_exception_ptr(response_error(op, answer.status, answer.body)));
    return true;
}

void multipart_upload::drive() noexcept {
    CURLM* multi = (*session_)->multi();
    std::vector<CURL*> free_handles;
    for (int i = max_in_flight_ - 1; i >= 0; --i) {
        free_handles.push_back((*session_)->easy(std::size_t(i)));
    }
    std::vector<std::unique_ptr<in_flight>> waiting;  // to be tried again after a pause
    try {
        for (;;) {
            std::deque<part> fresh;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (stopping_ || failure_) {
                    break;
                }
                fresh.swap(queued_);
            }
            // submit() keeps unfinished parts at most max_in_flight_, one handle each: there
            // is always a free handle here.
            if (waiting.size() + fresh.size() > free_handles.size()) {
                throw std::logic_error("multipart: more parts than handles");
            }
            const auto now = steady::now();
            for (auto it = waiting.begin(); it != waiting.end();) {
                if ((*it)->not_before <= now) {
                    CURL* easy = free_handles.back();
                    free_handles.pop_back();
                    start_part(std::move(*it), easy);
                    it = waiting.erase(it);
                } else {
                    ++it;
                }
            }
            for (part& p : fresh) {
                auto f = std::make_unique<in_flight>();
                f->body = std::move(p);
                if (!f->body.owned.empty()) {
                    f->body.body = body_source::memory(f->body.owned);
                }
                f->req.method = "PUT";
                f->req.url =
                    client_->where().url(bucket_, key_,
                                         query()
                                             .add("partNumber", std::to_string(f->body.number))
                                             .add("uploadId", upload_id_));
                f->req.body = f->body.body;
                f->req.payload_sha256 = f->body.sha256;
                f->exchange = std::make_unique<transfer>(client_->sign(), f->req);
                CURL* easy = free_handles.back();
                free_handles.pop_back();
                start_part(std::move(f), easy);
            }

            int running = 0;
            if (curl_multi_perform(multi, &running) != CURLM_OK) {
                throw std::runtime_error("curl_multi_perform failed");
            }
            int queued = 0;
            while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
                if (message->msg != CURLMSG_DONE) {
                    continue;
                }
                CURL* easy = message->easy_handle;
                const CURLcode code = message->data.result;
                char* pointer = nullptr;
                curl_easy_getinfo(easy, CURLINFO_PRIVATE, &pointer);
                std::unique_ptr<in_flight> f(reinterpret_cast<in_flight*>(pointer));
                curl_multi_remove_handle(multi, easy);
                curl_easy_setopt(easy, CURLOPT_PRIVATE, nullptr);
                free_handles.push_back(easy);
                if (!finished_part(*f, code)) {
                    f->not_before = steady::now() + client_->backoff(f->attempt);
                    waiting.push_back(std::move(f));
                }
            }

            auto timeout = std::chrono::milliseconds(1000);
            const auto after = steady::now();
            for (const auto& w : waiting) {
                timeout =
                    std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::max(w->not_before - after, steady::duration(0))));
            }
            if (curl_multi_poll(multi, nullptr, 0, int(timeout.count()), nullptr) != CURLM_OK) {
                throw std::runtime_error("curl_multi_poll failed");
            }
        }
    } catch (...) {
        fail(std::current_exception());
    }
    // Whatever is still running stops here (its connection is closed).
    for (int i = 0; i < max_in_flight_; ++i) {
        CURL* easy = (*session_)->easy(std::size_t(i));
        char* pointer = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &pointer);
        if (pointer) {
            curl_multi_remove_handle(multi, easy);
            curl_easy_setopt(easy, CURLOPT_PRIVATE, nullptr);
            delete reinterpret_cast<in_flight*>(pointer);
        }
    }
}

void multipart_upload::stop_driver() noexcept {
    if (!driver_.joinable()) {
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    curl_multi_wakeup((*session_)->multi());
    driver_.join();
    session_.reset();
}

object_info multipart_upload::complete(std::uint64_t size) {
    {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return unfinished_ == 0 || failure_; });
        if (failure_) {
            std::rethrow_exception(failure_);
        }
    }
    stop_driver();

    const operation op{"CompleteMultipartUpload", bucket_, key_};
    request req;
    req.method = "POST";
    req.url = client_->where().url(bucket_, key_, query().add("uploadId", upload_id_));
    req.headers.push_back("Content-Type: application/xml");
    const std::string body = complete_multipart_body(etags_);
    req.body = body_source::memory(body);
    for (int attempt = 1;; ++attempt) {
        response answer = client_->send(op, req);
        if (answer.status < 200 || answer.status >= 300) {
            storage_error error = response_error(op, answer.status, answer.body);
            // A completion that succeeded but whose answer was lost, then tried again, finds the
            // upload gone: the object with the ETag these parts make is the proof.
            if (error.code() == "NoSuchUpload") {
                auto expected = multipart_etag(etags_);
                request head;
                head.method = "HEAD";
                head.url = client_->where().url(bucket_, key_);
                response found = client_->send({"HeadObject", bucket_, key_}, head);
                if (expected && found.status == 200 && quoted_etag(found.etag) == *expected) {
                    done_ = true;
                    object_info info = info_from_headers(found, key_);
                    info.size = size;
                    return info;
                }
            }
            throw error;
        }
        // S3 may answer 200 and put an <Error> in the body (the completion failed after the
        // answer began); InternalError there is worth another try.
        if (auto error = parse_error_document(answer.body)) {
            if (attempt < client_->options().max_attempts &&
                retryable_answer(answer.status, error->code)) {
                std::this_thread::sleep_for(client_->backoff(attempt));
                continue;
            }
            throw response_error(op, 200, answer.body);
        }
        object_info info = info_from_headers(answer, key_);
        try {
            info.etag = parse_complete_etag(answer.body);
        } catch (const xml_error& e) {
            throw invalid_response(op, answer.status, e.what());
        }
        if (info.etag.empty()) {
            // Ceph's radosgw 16.2 answers <ETag></ETag>: the object itself says what it is.
            request head;
            head.method = "HEAD";
            head.url = client_->where().url(bucket_, key_);
            response found = client_->send({"HeadObject", bucket_, key_}, head);
            if (found.status == 200) {
                info.etag = quoted_etag(found.etag);
            }
            if (info.etag.empty()) {
                throw invalid_response(op, answer.status,
                                       "<CompleteMultipartUploadResult> has an empty <ETag> and a "
                                       "HEAD of the object gave none (status " +
                                           std::to_string(found.status) + ")");
            }
        }
        info.size = size;
        info.content_type = content_type_;
        done_ = true;
        return info;
    }
}

void multipart_upload::abort() noexcept {
    if (done_) {
        return;
    }
    done_ = true;
    stop_driver();
    try {
        const operation op{"AbortMultipartUpload", bucket_, key_};
        request req;
        req.method = "DELETE";
        req.url = client_->where().url(bucket_, key_, query().add("uploadId", upload_id_));
        client_->send(op, req);
    } catch (...) {
        // Best effort: an upload left behind is removed by the store's lifecycle rules.
    }
}

}  // namespace lambdaport::storage::detail::s3
