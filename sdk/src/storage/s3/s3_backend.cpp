// The S3 backend: every operation of detail::backend as S3 REST requests over libcurl, signed
// with SigV4 by curl (CURLOPT_AWS_SIGV4). Request plumbing lives beside this file: client (send
// with retries), transfer (one exchange), download (streamed GET), upload and multipart (PUT),
// documents (XML answers), uri (canonical URLs).

#include <memory>
#include <string>

#include "storage/backend.hpp"
#include "storage/aws.hpp"
#include "storage/s3/client.hpp"
#include "storage/s3/documents.hpp"
#include "storage/s3/download.hpp"
#include "storage/s3/upload.hpp"
#include "storage/s3/xml.hpp"

namespace lambdaport::storage::detail {

namespace {

using namespace s3;

// CopyObject takes sources up to 5 GiB; larger ones need a multipart copy, not done here.
constexpr std::uint64_t max_copy_source = 5ULL * 1024 * 1024 * 1024;

class s3_backend final : public backend {
  public:
    s3_backend(const store::s3_settings& settings, const store_options& options)
        : client_(std::make_shared<client>(settings, options)) {}

    std::string describe() const override { return "s3 " + client_->where().base(); }

    object_info get(const std::string& bucket, const std::string& key,
                    const std::function<void(std::string_view)>& sink,
                    std::optional<byte_range> range) override {
        return download(*client_, bucket, key, sink, range);
    }

    object_info put(const std::string& bucket, const std::string& key, std::string_view bytes,
                    const put_options& options) override {
        return put_bytes(client_, bucket, key, bytes, options);
    }

    object_info put_file(const std::string& bucket, const std::string& key,
                         const std::filesystem::path& file, const put_options& options) override {
        return s3::put_file(client_, bucket, key, file, options);
    }

    std::unique_ptr<upload> start_upload(const std::string& bucket, const std::string& key,
                                         const put_options& options) override {
        return start_writer(client_, bucket, key, options);
    }

    object_info head(const std::string& bucket, const std::string& key) override {
        return head_object({"HeadObject", bucket, key});
    }

    list_page list(const std::string& bucket, const list_options& options) override {
        const operation op{"ListObjectsV2", bucket, {}};
        check_bucket(op);
        query q;
        q.add("list-type", "2");
        if (!options.prefix.empty()) {
            q.add("prefix", options.prefix);
        }
        if (!options.delimiter.empty()) {
            q.add("delimiter", options.delimiter);
        }
        if (!options.continuation_token.empty()) {
            q.add("continuation-token", options.continuation_token);
        }
        if (!options.start_after.empty()) {
            q.add("start-after", options.start_after);
        }
        if (options.max_keys != 1000) {
            q.add("max-keys", std::to_string(options.max_keys));
        }
        request req;
        req.url = client_->where().url(bucket, {}, q);
        const response answer = client_->send_ok(op, req);
        try {
            return parse_list_objects(answer.body);
        } catch (const xml_error& e) {
            throw invalid_response(op, answer.status, e.what());
        }
    }

    void remove(const std::string& bucket, const std::string& key) override {
        const operation op{"DeleteObject", bucket, key};
        check_key(op);
        request req;
        req.method = "DELETE";
        req.url = client_->where().url(bucket, key);
        const response answer = client_->send(op, req);
        if (answer.status >= 200 && answer.status < 300) {
            return;
        }
        storage_error error = response_error(op, answer.status, answer.body);
        if (error.code() == "NoSuchKey") {
            return;  // as S3 itself answers: deleting what is not there succeeds
        }
        throw error;
    }

    object_info copy(const std::string& source_bucket, const std::string& source_key,
                     const std::string& bucket, const std::string& key) override {
        const operation op{"CopyObject", bucket, key};
        check_key(op);
        // The source's size and type, which CopyObject's answer does not give (and the check
        // that it is small enough for one CopyObject).
        const object_info source = head_object({"CopyObject", source_bucket, source_key});
        if (source.size > max_copy_source) {
            throw client_error({"CopyObject", source_bucket, source_key}, "EntityTooLarge", 400,
                               "the source is " + std::to_string(source.size) +
                                   " bytes; one CopyObject copies at most 5 GiB");
        }
        request req;
        req.method = "PUT";
        req.url = client_->where().url(bucket, key);
        req.headers.push_back("x-amz-copy-source: " + copy_source(source_bucket, source_key));
        const response answer = client_->send_ok(op, req);
        // A 200 may carry an <Error>: the copy failed after the answer began.
        if (parse_error_document(answer.body)) {
            throw response_error(op, answer.status, answer.body);
        }
        copy_result result;
        try {
            result = parse_copy_result(answer.body);
        } catch (const xml_error& e) {
            throw invalid_response(op, answer.status, e.what());
        }
        if (result.etag != source.etag) {
            // The source changed between the two requests (or the store gives copies ETags of
            // their own): ask what was written.
            return head_object({"CopyObject", bucket, key});
        }
        object_info info = source;
        info.key = key;
        info.etag = result.etag;
        if (result.last_modified != std::chrono::system_clock::time_point{}) {
            info.last_modified = result.last_modified;
        }
        return info;
    }

    void create_bucket(const std::string& bucket) override {
        const operation op{"CreateBucket", bucket, {}};
        check_bucket(op);
        const std::string body = create_bucket_body(client_->region());
        request req;
        req.method = "PUT";
        req.url = client_->where().url(bucket, {});
        if (!body.empty()) {
            req.headers.push_back("Content-Type: application/xml");
            req.body = body_source::memory(body);
        }
        const response answer = client_->send(op, req);
        if (answer.status >= 200 && answer.status < 300) {
            return;
        }
        storage_error error = response_error(op, answer.status, answer.body);
        if (error.code() == "BucketAlreadyOwnedByYou") {
            return;
        }
        throw error;
    }

  private:
    // HeadObject; `op` names the operation the caller does (HeadObject, or CopyObject for its
    // source). HEAD answers have no body: a 404 is told apart (NoSuchBucket / NoSuchKey) with
    // one HeadBucket, only when it happens.
    object_info head_object(const operation& op) {
        check_key(op);
        request req;
        req.method = "HEAD";
        req.url = client_->where().url(op.bucket, op.key);
        const response answer = client_->send(op, req);
        if (answer.status == 200) {
            object_info info = info_from_headers(answer, op.key);
            if (!answer.content_length) {
                throw invalid_response(op, answer.status, "the answer has no Content-Length");
            }
            info.size = *answer.content_length;
            return info;
        }
        if (answer.status == 404) {
            request bucket_req;
            bucket_req.method = "HEAD";
            bucket_req.url = client_->where().url(op.bucket, {});
            const response bucket_answer = client_->send({"HeadBucket", op.bucket, {}}, bucket_req);
            if (bucket_answer.status == 404) {
                throw client_error(op, "NoSuchBucket", 404, "the bucket does not exist");
            }
            throw client_error(op, "NoSuchKey", 404, "the object does not exist");
        }
        if (answer.status == 403) {
            throw client_error(op, "AccessDenied", 403,
                               "forbidden (a HEAD answer has no body to say whether the "
                               "credentials, the signature or a policy refused it)");
        }
        throw response_error(op, answer.status, answer.body);
    }

    std::shared_ptr<client> client_;
};

}  // namespace

std::shared_ptr<backend> make_s3_backend(const store::s3_settings& settings,
                                         const store_options& options) {
    return std::make_shared<s3_backend>(settings, options);
}

}  // namespace lambdaport::storage::detail
