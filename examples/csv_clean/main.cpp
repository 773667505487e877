// csv_clean: streams a CSV object from storage, normalises it and writes the result back.
//
// Event: {"bucket": "raw", "key": "trips.csv", "output_bucket": "clean", "output_key": "..."}
// (output_* optional: default bucket $CLEAN_BUCKET or "clean", same key), or an S3 notification
// ({"Records": [{"s3": {"bucket": {"name"}, "object": {"key"}}}]}, key form-encoded as S3 sends
// it).
//
// Cleaning: the first line is the header and fixes the number of columns; every field is trimmed
// of surrounding blanks and re-quoted only where CSV needs it; CR line ends become LF; blank lines
// are dropped; rows with the wrong number of fields or a broken quote are dropped and counted. The
// object is never held whole: it is parsed as it streams in, and written through a streamed
// upload (multipart when large). Where the data lives comes from the environment alone, so the
// same binary gives the same bytes on local disk, MinIO and S3.
#include <cstdlib>
#include <lambdaport/events.hpp>
#include <lambdaport/runtime.hpp>
#include <lambdaport/storage.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using lambdaport::storage::object_writer;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

// Splits one CSV line into fields (RFC 4180 quoting, no line breaks inside quotes).
bool split(std::string_view line, std::vector<std::string>& fields) {
    fields.clear();
    std::size_t i = 0;
    for (;;) {
        std::string field;
        std::size_t start = i;
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
            ++i;
        }
        if (i < line.size() && line[i] == '"') {
            ++i;
            for (;;) {
                if (i >= line.size()) {
                    return false;  // unterminated quote
                }
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field.push_back('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field.push_back(line[i++]);
            }
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
                ++i;
            }
            if (i < line.size() && line[i] != ',') {
                return false;  // text after a closing quote
            }
            field = std::string(trim(field));
        } else {
            i = start;
            auto end = line.find(',', i);
            if (end == std::string_view::npos) {
                end = line.size();
            }
            field = std::string(trim(line.substr(i, end - i)));
            if (field.find('"') != std::string::npos) {
                return false;  // stray quote
            }
            i = end;
        }
        fields.push_back(std::move(field));
        if (i >= line.size()) {
            return true;
        }
        ++i;  // the comma
    }
}

void append_field(std::string& out, const std::string& field) {
    if (field.find_first_of(",\"\n\r") == std::string::npos) {
        out += field;
        return;
    }
    out.push_back('"');
    for (char c : field) {
        if (c == '"') {
            out.push_back('"');
        }
        out.push_back(c);
    }
    out.push_back('"');
}

class cleaner {
  public:
    explicit cleaner(object_writer& out) : out_(out) {}

    void feed(std::string_view bytes) {
        for (;;) {
            auto nl = bytes.find('\n');
            if (nl == std::string_view::npos) {
                partial_.append(bytes);
                return;
            }
            if (partial_.empty()) {
                line(bytes.substr(0, nl));
            } else {
                partial_.append(bytes.substr(0, nl));
                line(partial_);
                partial_.clear();
            }
            bytes.remove_prefix(nl + 1);
        }
    }

    void finish() {
        if (!partial_.empty()) {
            line(partial_);
            partial_.clear();
        }
        flush();
    }

    nlohmann::json counts() const {
        return {{"rows_in", rows_in_},
                {"rows_out", rows_out_},
                {"rejected", rejected_},
                {"blank", blank_},
                {"columns", columns_}};
    }

  private:
    void line(std::string_view text) {
        if (!text.empty() && text.back() == '\r') {
            text.remove_suffix(1);
        }
        if (trim(text).empty()) {
            ++blank_;
            return;
        }
        bool ok = split(text, fields_);
        if (columns_ == 0) {  // the header
            if (!ok) {
                throw lambdaport::function_error("Csv.BadHeader", "the header is not valid CSV");
            }
            columns_ = fields_.size();
        } else {
            ++rows_in_;
            if (!ok || fields_.size() != columns_) {
                ++rejected_;
                return;
            }
            ++rows_out_;
        }
        for (std::size_t i = 0; i < fields_.size(); ++i) {
            if (i > 0) {
                buffer_.push_back(',');
            }
            append_field(buffer_, fields_[i]);
        }
        buffer_.push_back('\n');
        if (buffer_.size() >= 1 << 20) {
            flush();
        }
    }

    void flush() {
        out_.write(buffer_);
        buffer_.clear();
    }

    object_writer& out_;
    std::string partial_;
    std::string buffer_;
    std::vector<std::string> fields_;
    std::size_t columns_ = 0;
    std::uint64_t rows_in_ = 0, rows_out_ = 0, rejected_ = 0, blank_ = 0;
};

}  // namespace

int main() {
    auto store = lambdaport::storage::store::from_environment();
    const char* env_bucket = std::getenv("CLEAN_BUCKET");
    const std::string default_output = env_bucket && *env_bucket ? env_bucket : "clean";

    return lambdaport::run([&](const nlohmann::json& event, const lambdaport::context&) {
        std::string bucket, key;
        if (lambdaport::events::kind_of(event) == lambdaport::events::event_kind::s3) {
            const auto records = lambdaport::events::s3_event::parse(event).records;
            if (records.empty()) {
                throw std::invalid_argument("an S3 notification without records");
            }
            bucket = records.front().bucket_name;
            key = records.front().key;  // decoded from S3's form encoding
        } else {
            bucket = event.at("bucket").get<std::string>();
            key = event.at("key").get<std::string>();
        }
        std::string output_bucket = event.value("output_bucket", default_output);
        std::string output_key = event.value("output_key", key);

        object_writer writer =
            store.writer(output_bucket, output_key, {.content_type = "text/csv"});
        cleaner c(writer);
        auto input = store.get(bucket, key, [&](std::string_view piece) { c.feed(piece); });
        c.finish();
        auto output = writer.close();

        nlohmann::json result = c.counts();
        result["input"] = {{"bucket", bucket}, {"key", key}, {"size", input.size}};
        result["output"] = {{"bucket", output_bucket},
                            {"key", output_key},
                            {"size", output.size},
                            {"etag", output.etag}};
        return result;
    });
}
