#pragma once

// S3 multipart upload: CreateMultipartUpload, then the parts — up to `max_concurrency` in flight
// at once on one curl multi handle, driven by a thread of the upload's own so that parts keep
// moving while the caller prepares the next — then CompleteMultipartUpload (or
// AbortMultipartUpload).
//
// Memory: parts from memory or a file hold nothing beyond curl's buffers; parts a streamed
// writer fills are owned buffers, at most `max_concurrency` of them at once (those in flight,
// the one being filled, and one sent buffer kept for reuse).

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lambdaport/storage.hpp"
#include "storage/aws.hpp"

namespace lambdaport::storage::detail::s3 {

class client;

/// One part: its body (memory the caller keeps alive, a buffer the part owns, or a file range)
/// and the hex SHA-256 of that body.
struct part {
    int number = 0;
    body_source body;
    /// When the part owns its bytes: `body` views this.
    std::string owned;
    std::string sha256;
};

class multipart_upload {
  public:
    /// Starts the upload (CreateMultipartUpload, with the object's content type).
    /// @throws storage_error.
    multipart_upload(std::shared_ptr<client> c, std::string bucket, std::string key,
                     std::string content_type);
    /// Aborts the upload unless it was completed.
    ~multipart_upload();
    multipart_upload(const multipart_upload&) = delete;
    multipart_upload& operator=(const multipart_upload&) = delete;

    /// Queues the next part (numbers 1, 2, ... in order); blocks while `limit` parts (at most
    /// `max_concurrency`; 0 = that) are unfinished. @throws the storage_error of a part that
    /// failed.
    void submit(part p, int limit = 0);
    /// A buffer of a part already sent (empty if none), to be filled again instead of allocated.
    std::string spare_buffer();
    /// Waits for every part, then CompleteMultipartUpload. @throws storage_error.
    object_info complete(std::uint64_t size);
    /// Stops the parts and AbortMultipartUpload; never throws.
    void abort() noexcept;

  private:
    struct in_flight;
    void drive() noexcept;
    void start_part(std::unique_ptr<in_flight> part, CURL* easy);
    bool finished_part(in_flight& part, CURLcode code);
    void fail(std::exception_ptr error);
    void stop_driver() noexcept;

    std::shared_ptr<client> client_;
    std::string bucket_;
    std::string key_;
    std::string content_type_;
    std::string upload_id_;
    int max_in_flight_;

    // Shared with the driver thread.
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<part> queued_;
    std::vector<std::string> etags_;  // by part number - 1
    std::vector<std::string> spares_;
    int unfinished_ = 0;
    std::exception_ptr failure_;
    bool stopping_ = false;

    std::unique_ptr<session_pool::lease> session_;
    std::thread driver_;
    bool done_ = false;
};

}  // namespace lambdaport::storage::detail::s3
