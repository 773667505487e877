#include "sources/bucket_notifications.hpp"

#include <curl/curl.h>

#include <memory>
#include <stdexcept>
#include <string_view>

#include "aws/curl_pool.hpp"
#include "aws/digest.hpp"
#include "aws/transfer.hpp"
#include "aws/uri.hpp"
#include "storage/s3/documents.hpp"

namespace lambdaport::runtime::sources {
namespace {

namespace aws = lambdaport::detail::aws;
using lambdaport::storage::detail::s3::xml_escape;

// The text of the first <name> element, or empty.
std::string element_text(std::string_view xml, std::string_view name) {
    std::string open = "<" + std::string(name) + ">";
    std::string close = "</" + std::string(name) + ">";
    auto begin = xml.find(open);
    if (begin == std::string_view::npos) {
        return {};
    }
    begin += open.size();
    auto end = xml.find(close, begin);
    return end == std::string_view::npos ? std::string{}
                                         : std::string(xml.substr(begin, end - begin));
}

// At most `limit` bytes of a server's answer, on one line (an error message is one line).
std::string one_line(std::string_view text, std::size_t limit = 300) {
    std::string out;
    bool space = false;
    for (char c : text.substr(0, limit)) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) {
            out += ' ';
            space = false;
        }
        out += c;
    }
    return out;
}

aws::signing signing_for(const storage::store::s3_settings& s, const char* service) {
    aws::signing sign;
    sign.enabled = !s.access_key_id.empty();
    sign.sigv4 = "aws:amz:" + (s.region.empty() ? std::string("us-east-1") : s.region) + ":" +
                 service;
    sign.access_key_id = s.access_key_id;
    sign.secret_access_key = s.secret_access_key;
    sign.session_token = s.session_token;
    return sign;
}

aws::response send(const aws::signing& sign, const aws::request& req, const char* what) {
    aws::ensure_curl_initialised();
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), curl_easy_cleanup);
    if (!easy) {
        throw std::runtime_error(std::string(what) + ": curl_easy_init failed");
    }
    aws::transfer t(sign, req);
    t.prepare(easy.get());
    t.finish(curl_easy_perform(easy.get()));
    if (t.code() != CURLE_OK) {
        throw std::runtime_error(std::string(what) + ": " + req.url + ": " + t.curl_error());
    }
    const auto& answer = t.answer();
    if (answer.status < 200 || answer.status >= 300) {
        std::string code = element_text(answer.body, "Code");
        throw std::runtime_error(std::string(what) + " answered " + std::to_string(answer.status) +
                                 (code.empty() ? std::string() : " " + code) + ": " +
                                 one_line(answer.body));
    }
    return answer;
}

}  // namespace

void configure_notifications(const notification_setup& setup) {
    const auto& server = setup.server;
    if (server.endpoint.empty()) {
        throw std::runtime_error(
            "Amazon S3 pushes to SNS, SQS or Lambda, not to an HTTP endpoint: configure "
            "notifications by hand, or poll");
    }
    std::string base = server.endpoint;
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }

    // SNS CreateTopic (query protocol), as radosgw takes it: an HTTP push endpoint, not
    // persistent. radosgw 16.2 then POSTs during the object's PUT (about 3 ms here); a persistent
    // topic queues and re-sends, but it delivered 100 ms after the PUT at best, 28 s for the first
    // event and 98 s after a radosgw restart. What a synchronous push cannot deliver (the engine
    // down) the source's listing finds.
    aws::request topic;
    topic.method = "POST";
    topic.url = base + "/";
    topic.headers = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8"};
    const std::string form = "Action=CreateTopic&Name=" + aws::uri_encode(setup.id) +
                             "&Attributes.entry.1.key=push-endpoint&Attributes.entry.1.value=" +
                             aws::uri_encode(setup.push_url) +
                             "&Attributes.entry.2.key=persistent&Attributes.entry.2.value=false";
    topic.body = aws::body_source::memory(form);
    topic.payload_sha256 = aws::sha256_hex(form);
    auto created = send(signing_for(server, "sns"), topic, "SNS CreateTopic");
    std::string arn = element_text(created.body, "TopicArn");
    if (arn.empty()) {
        throw std::runtime_error("SNS CreateTopic answered without a TopicArn: " +
                                 one_line(created.body) +
                                 " (does this server push notifications? radosgw does)");
    }

    std::string filter;
    if (!setup.prefix.empty() || !setup.suffix.empty()) {
        filter = "<Filter><S3Key>";
        if (!setup.prefix.empty()) {
            filter += "<FilterRule><Name>prefix</Name><Value>" + xml_escape(setup.prefix) +
                      "</Value></FilterRule>";
        }
        if (!setup.suffix.empty()) {
            filter += "<FilterRule><Name>suffix</Name><Value>" + xml_escape(setup.suffix) +
                      "</Value></FilterRule>";
        }
        filter += "</S3Key></Filter>";
    }
    const std::string xml =
        "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<TopicConfiguration><Id>" +
        xml_escape(setup.id) + "</Id><Topic>" + xml_escape(arn) + "</Topic>" + filter +
        "<Event>s3:ObjectCreated:*</Event></TopicConfiguration></NotificationConfiguration>";
    aws::request put;
    put.method = "PUT";
    put.url = base + "/" + aws::uri_encode(setup.bucket) + "?notification=";
    put.headers = {"Content-Type: application/xml"};
    put.body = aws::body_source::memory(xml);
    put.payload_sha256 = aws::sha256_hex(xml);
    send(signing_for(server, "s3"), put, "PutBucketNotificationConfiguration");
}

}  // namespace lambdaport::runtime::sources
