#include "storage/s3/download.hpp"

#include <charconv>
#include <thread>

#include "storage/s3/client.hpp"

namespace lambdaport::storage::detail::s3 {

namespace {

bool parse_number(std::string_view text, std::uint64_t& value) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

std::optional<content_range> parse_content_range(std::string_view header) {
    constexpr std::string_view unit = "bytes ";
    if (header.substr(0, unit.size()) != unit) {
        return std::nullopt;
    }
    header.remove_prefix(unit.size());
    const auto dash = header.find('-');
    const auto slash = header.find('/');
    if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
        return std::nullopt;
    }
    content_range range;
    if (!parse_number(header.substr(0, dash), range.first) ||
        !parse_number(header.substr(dash + 1, slash - dash - 1), range.last) ||
        range.last < range.first) {
        return std::nullopt;
    }
    const std::string_view total = header.substr(slash + 1);
    if (total != "*") {
        std::uint64_t value = 0;
        if (!parse_number(total, value)) {
            return std::nullopt;
        }
        range.total = value;
    }
    return range;
}

object_info download(client& c, const std::string& bucket, const std::string& key,
                     const std::function<void(std::string_view)>& sink,
                     std::optional<byte_range> range) {
    const operation op{"GetObject", bucket, key};
    check_key(op);
    const std::string url = c.where().url(bucket, key);
    const std::uint64_t want_first = range ? range->first : 0;
    const std::optional<std::uint64_t> want_last = range ? range->last : std::nullopt;

    // The next byte (in object offsets) the sink is to get, and what the first answer said.
    std::uint64_t next = want_first;
    std::optional<object_info> info;
    std::uint64_t expected_end = 0;  // one past the last byte the sink is to get

    session_pool::lease lease = c.pool().acquire();
    CURL* easy = lease->easy(0);
    for (int attempt = 1;; ++attempt) {
        const bool resuming = info.has_value();
        request req;
        req.url = url;
        if (range || resuming) {
            std::string header = "Range: bytes=" + std::to_string(next) + "-";
            if (want_last) {
                header += std::to_string(*want_last);
            }
            req.headers.push_back(std::move(header));
        }
        if (resuming && !info->etag.empty()) {
            req.headers.push_back("If-Match: " + info->etag);
        }

        // Where the answer's body starts in the object: known at its first byte.
        std::optional<std::uint64_t> position;
        transfer* current = nullptr;
        auto deliver = [&](std::string_view piece) {
            if (!position) {
                const response& answer = current->answer();
                if (answer.status == 206) {
                    auto served = parse_content_range(answer.content_range);
                    if (!served) {
                        throw invalid_response(
                            op, answer.status,
                            "206 without a usable Content-Range '" + answer.content_range + "'");
                    }
                    position = served->first;
                } else {
                    position = 0;  // a 200 is the whole object, whatever was asked
                }
                if (*position > next) {
                    throw invalid_response(op, answer.status,
                                           "the answer starts at byte " +
                                               std::to_string(*position) + ", after byte " +
                                               std::to_string(next) + " that was asked for");
                }
            }
            // Hand on only bytes [next, want_last]; skip what came before, drop what is after.
            const std::uint64_t start = *position;
            const std::uint64_t end = start + piece.size();
            *position = end;
            std::uint64_t from = std::max(start, next);
            std::uint64_t to = want_last ? std::min(end, *want_last + 1) : end;
            if (from < to) {
                sink(piece.substr(std::size_t(from - start), std::size_t(to - from)));
                next = to;
            }
        };
        transfer t(c.sign(), req, deliver);
        current = &t;
        t.prepare(easy);
        t.finish(lease->run(easy));
        if (t.sink_error()) {
            std::rethrow_exception(t.sink_error());
        }
        const response& answer = t.answer();
        const bool success = answer.status == 200 || answer.status == 206;
        if (success && !info) {
            info = info_from_headers(answer, key);
            if (answer.status == 206) {
                auto served = parse_content_range(answer.content_range);
                if (!served || !served->total) {
                    throw invalid_response(
                        op, answer.status,
                        "206 without a usable Content-Range '" + answer.content_range + "'");
                }
                info->size = *served->total;
            } else if (answer.content_length) {
                info->size = *answer.content_length;
            } else if (t.code() == CURLE_OK) {
                info->size = position.value_or(0);  // no length given (chunked): all arrived
            } else {
                // Cut short with no length known: nothing to resume against.
                info.reset();
            }
            if (info) {
                expected_end = want_last ? std::min(*want_last + 1, info->size) : info->size;
            }
        }
        const bool last = attempt >= c.options().max_attempts;
        if (t.code() != CURLE_OK) {
            if (!retryable_transport(t.code()) || last) {
                std::string what = t.curl_error();
                if (attempt > 1) {
                    what += " (after " + std::to_string(attempt) + " tries)";
                }
                if (next > want_first) {
                    what += "; " + std::to_string(next - want_first) + " bytes were delivered";
                }
                throw network_error(op, what);
            }
            if (next > want_first && !info) {
                throw network_error(op, t.curl_error() +
                                            "; cannot resume: the first answer gave "
                                            "no object size");
            }
            std::this_thread::sleep_for(c.backoff(attempt));
            continue;
        }
        if (success) {
            if (next < expected_end) {
                // The answer ended (cleanly) before the bytes it promised.
                if (last) {
                    throw invalid_response(op, answer.status,
                                           "the body ended at byte " + std::to_string(next) +
                                               " of " + std::to_string(expected_end));
                }
                std::this_thread::sleep_for(c.backoff(attempt));
                continue;
            }
            return *info;
        }
        if (resuming && answer.status == 412) {
            throw client_error(op, "PreconditionFailed", 412,
                               "the object changed while it was being read (ETag " + info->etag +
                                   " no longer matches); " + std::to_string(next - want_first) +
                                   " bytes were delivered");
        }
        if (!last && retryable_answer(answer.status, client::error_code(answer))) {
            std::this_thread::sleep_for(c.backoff(attempt));
            continue;
        }
        throw response_error(op, answer.status, answer.body);
    }
}

}  // namespace lambdaport::storage::detail::s3
