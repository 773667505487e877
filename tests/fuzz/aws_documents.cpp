// What S3 and SQS (or a server that claims to be one) answer, as the SDK reads it and the engine's
// event sources use it. S3's XML: storage::detail::s3::parse_xml and the documents built on it
// (errors, ListObjectsV2 pages, multipart and copy results, response_error); a listing's objects
// then go the bucket source's way into an S3 notification payload. SQS's JSON 1.0 answers:
// sqs::detail::parse_messages (then the SQS source's Lambda event payload), parse_batch_result,
// parse_error, parse_queue_arn. Documented errors: xml_error, sqs_error; anything else escaping is
// a finding. Every input goes through both sides: the parsers reject the other's format at once.

#include <lambdaport/sqs.hpp>
#include <lambdaport/storage.hpp>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_support.hpp"
#include "sources/s3_event.hpp"
#include "sources/sqs_event.hpp"
#include "sqs/protocol.hpp"
#include "storage/s3/documents.hpp"
#include "storage/s3/errors.hpp"
#include "storage/s3/xml.hpp"
#include "util/json_dump.hpp"

namespace {

namespace fuzz = lambdaport::fuzz;
namespace s3 = lambdaport::storage::detail::s3;
namespace sqs = lambdaport::sqs;
namespace sources = lambdaport::runtime::sources;

void s3_side(std::string_view text) {
    try {
        s3::parse_xml(text);
    } catch (const s3::xml_error&) {
    }
    s3::parse_error_document(text);
    for (long status : {403L, 404L, 503L}) {
        s3::response_error({"GetObject", "bucket", "key"}, status, text);
    }
    try {
        auto page = s3::parse_list_objects(text);
        for (const auto& o : page.objects) {
            // As the bucket source delivers a listed object.
            sources::object_event event;
            event.bucket = "bucket";
            event.key = o.key;
            event.size = o.size;
            event.etag = o.etag;
            event.time = o.last_modified;
            lambdaport::runtime::util::dump_json(sources::make_s3_notification(event, "us-east-1", "fuzz"));
        }
    } catch (const s3::xml_error&) {
    }
    try {
        s3::parse_upload_id(text);
    } catch (const s3::xml_error&) {
    }
    try {
        s3::parse_complete_etag(text);
    } catch (const s3::xml_error&) {
    }
    try {
        s3::parse_copy_result(text);
    } catch (const s3::xml_error&) {
    }
}

void sqs_side(std::string_view text) {
    try {
        auto messages = sqs::detail::parse_messages(text);
        // As the SQS source invokes its function with a batch.
        // As the SQS source writes it (util::dump_json: a message body need not be UTF-8).
        lambdaport::runtime::util::dump_json(sources::make_sqs_event(
            messages, "arn:aws:sqs:us-east-1:123456789012:q", "us-east-1"));
    } catch (const sqs::sqs_error&) {
    }
    try {
        sqs::detail::parse_batch_result(text);
    } catch (const sqs::sqs_error&) {
    }
    std::vector<std::pair<std::string, std::string>> headers{
        {"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}};
    auto error = sqs::detail::parse_error(400, text, headers);
    sqs::detail::retryable(400, error.code());
    sqs::detail::parse_queue_arn(text);
    sources::arn_region(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto text = fuzz::as_text(data, size);
    s3_side(text);
    sqs_side(text);
    return 0;
}
