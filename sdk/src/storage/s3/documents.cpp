#include "storage/s3/documents.hpp"

#include <charconv>

#include "storage/s3/times.hpp"
#include "storage/s3/xml.hpp"

namespace lambdaport::storage::detail::s3 {

namespace {

// The result element `name`: the root, as S3 sends it, or a child of the root, as some
// compatible stores wrap it (moto answers CompleteMultipartUpload with
// <CompleteMultipartUploadResponse> around the result's fields, or with the result inside).
xml_element result_named(std::string_view body, std::string_view name,
                         std::string_view alternative_root = {}) {
    xml_element root = parse_xml(body);
    if (root.name == name || (!alternative_root.empty() && root.name == alternative_root)) {
        return root;
    }
    if (root.name != "Error") {
        if (const xml_element* inner = root.child(name)) {
            return *inner;
        }
    }
    throw xml_error("expected <" + std::string(name) + ">, got <" + root.name + ">");
}

std::uint64_t parse_size(const std::string& text, const std::string& key) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || text.empty()) {
        throw xml_error("listing: key '" + key + "' has a malformed <Size> '" + text + "'");
    }
    return value;
}

bool parse_bool(const std::string& text) {
    return text == "true" || text == "True";
}

}  // namespace

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::optional<error_document> parse_error_document(std::string_view body) {
    // Cheap test first: most answers checked this way are successes.
    if (body.find("<Error") == std::string_view::npos) {
        return std::nullopt;
    }
    try {
        xml_element root = parse_xml(body);
        if (root.name != "Error") {
            return std::nullopt;
        }
        return error_document{root.child_text("Code"), root.child_text("Message")};
    } catch (const xml_error&) {
        return std::nullopt;
    }
}

list_page parse_list_objects(std::string_view body) {
    const xml_element root = result_named(body, "ListBucketResult");
    list_page page;
    for (const auto& child : root.children) {
        if (child.name == "Contents") {
            object_info info;
            const xml_element* key = child.child("Key");
            if (!key) {
                throw xml_error("listing: <Contents> without <Key>");
            }
            info.key = key->text;
            info.size = parse_size(child.child_text("Size"), info.key);
            info.etag = quoted_etag(child.child_text("ETag"));
            if (const xml_element* modified = child.child("LastModified")) {
                auto time = parse_iso8601(modified->text);
                if (!time) {
                    throw xml_error("listing: key '" + info.key +
                                    "' has a malformed <LastModified> '" + modified->text + "'");
                }
                info.last_modified = *time;
            }
            page.objects.push_back(std::move(info));
        } else if (child.name == "CommonPrefixes") {
            for (const auto& prefix : child.children) {
                if (prefix.name == "Prefix") {
                    page.common_prefixes.push_back(prefix.text);
                }
            }
        } else if (child.name == "IsTruncated") {
            page.truncated = parse_bool(child.text);
        } else if (child.name == "NextContinuationToken") {
            page.next_continuation_token = child.text;
        }
    }
    return page;
}

std::string parse_upload_id(std::string_view body) {
    const xml_element root = result_named(body, "InitiateMultipartUploadResult");
    std::string id = root.child_text("UploadId");
    if (id.empty()) {
        throw xml_error("<InitiateMultipartUploadResult> without <UploadId>");
    }
    return id;
}

std::string parse_complete_etag(std::string_view body) {
    const xml_element root =
        result_named(body, "CompleteMultipartUploadResult", "CompleteMultipartUploadResponse");
    return quoted_etag(root.child_text("ETag"));
}

copy_result parse_copy_result(std::string_view body) {
    const xml_element root = result_named(body, "CopyObjectResult");
    copy_result result;
    result.etag = quoted_etag(root.child_text("ETag"));
    if (const xml_element* modified = root.child("LastModified")) {
        auto time = parse_iso8601(modified->text);
        if (!time) {
            throw xml_error("<CopyObjectResult> has a malformed <LastModified> '" + modified->text +
                            "'");
        }
        result.last_modified = *time;
    }
    return result;
}

std::string complete_multipart_body(const std::vector<std::string>& etags) {
    std::string body =
        "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    body.reserve(body.size() + etags.size() * 96 + 32);
    for (std::size_t i = 0; i < etags.size(); ++i) {
        body += "<Part><PartNumber>";
        body += std::to_string(i + 1);
        body += "</PartNumber><ETag>";
        body += xml_escape(etags[i]);
        body += "</ETag></Part>";
    }
    body += "</CompleteMultipartUpload>";
    return body;
}

std::string create_bucket_body(std::string_view region) {
    if (region.empty() || region == "us-east-1") {
        return {};
    }
    return "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
           "<LocationConstraint>" +
           xml_escape(region) + "</LocationConstraint></CreateBucketConfiguration>";
}

std::string quoted_etag(std::string etag) {
    if (!etag.empty() && etag.front() != '"') {
        etag = '"' + etag + '"';
    }
    return etag;
}

}  // namespace lambdaport::storage::detail::s3
