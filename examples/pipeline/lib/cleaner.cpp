#include "cleaner.hpp"

#include <stdexcept>

namespace pipeline {

namespace {

std::uint64_t count_at(const nlohmann::json& j, std::string_view key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned()) {
        throw std::invalid_argument("quality: '" + std::string(key) +
                                    "' is missing or not a count");
    }
    return it->get<std::uint64_t>();
}

constexpr std::string_view bom = "\xEF\xBB\xBF";

}  // namespace

void quality::merge(const quality& other) {
    rows += other.rows;
    clean += other.clean;
    for (std::size_t i = 0; i < drop_reasons; ++i) {
        dropped[i] += other.dropped[i];
    }
    for (std::size_t i = 0; i < repairs; ++i) {
        repaired[i] += other.repaired[i];
    }
}

nlohmann::json quality::to_json() const {
    nlohmann::json d = nlohmann::json::object();
    for (std::size_t i = 0; i < drop_reasons; ++i) {
        d[std::string(drop_names[i])] = dropped[i];
    }
    nlohmann::json r = nlohmann::json::object();
    for (std::size_t i = 0; i < repairs; ++i) {
        r[std::string(repair_names[i])] = repaired[i];
    }
    return {{"rows", rows}, {"clean", clean}, {"dropped", d}, {"repaired", r}};
}

quality quality::from_json(const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("dropped") || !j.contains("repaired")) {
        throw std::invalid_argument("quality: not an object with 'dropped' and 'repaired'");
    }
    quality q;
    q.rows = count_at(j, "rows");
    q.clean = count_at(j, "clean");
    for (std::size_t i = 0; i < drop_reasons; ++i) {
        q.dropped[i] = count_at(j["dropped"], drop_names[i]);
    }
    for (std::size_t i = 0; i < repairs; ++i) {
        q.repaired[i] = count_at(j["repaired"], repair_names[i]);
    }
    return q;
}

part_range range_of_part(std::uint64_t size, unsigned part, unsigned parts) {
    if (parts == 0 || part >= parts) {
        throw std::invalid_argument("part " + std::to_string(part) + " of " +
                                    std::to_string(parts) + " does not exist");
    }
    // size × part fits: objects are far below 2^64 / 10,000 bytes.
    return {size * part / parts, size * (part + 1) / parts};
}

std::uint64_t read_start(const part_range& r) {
    return r.first > lookback_bytes ? r.first - lookback_bytes : 0;
}

void duplicate_window::push(const std::string& id) {
    std::string& slot = ring_[next_];
    if (!slot.empty()) {
        auto it = counts_.find(slot);
        if (--it->second == 0) {
            counts_.erase(it);
        }
    }
    slot = id;
    if (!id.empty()) {
        ++counts_[id];
    }
    next_ = (next_ + 1) % window_lines;
}

part_cleaner::part_cleaner(format f, std::uint64_t feed_start, part_range range, sink_type sink,
                           std::size_t chunk)
    : format_(f),
      range_(range),
      sink_(std::move(sink)),
      chunk_(chunk),
      offset_(feed_start),
      line_start_(feed_start),
      skipping_partial_(feed_start > 0) {
    out_.reserve(chunk_ + 1024);
    out_.append(csv_header);
    out_.push_back('\n');
    line_.reserve(max_line_bytes + 1);
}

bool part_cleaner::feed(std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size() && !done_) {
        if (skipping_partial_) {
            // Before the first '\n': a line that may have started before the feed did.
            auto nl = bytes.find('\n', i);
            if (nl == std::string_view::npos) {
                offset_ += bytes.size() - i;
                return true;
            }
            offset_ += nl + 1 - i;
            i = nl + 1;
            line_start_ = offset_;
            skipping_partial_ = false;
            continue;
        }
        auto nl = bytes.find('\n', i);
        const std::size_t stop = nl == std::string_view::npos ? bytes.size() : nl;
        if (blank_) {
            blank_ = bytes.substr(i, stop - i).find_first_not_of(" \t\r") == std::string_view::npos;
        }
        // Keep at most one byte past the limit: enough to know the line is too long.
        if (!overlong_) {
            const std::size_t room = max_line_bytes + 1 - line_.size();
            const std::size_t take = std::min(room, stop - i);
            line_.append(bytes.substr(i, take));
            overlong_ = line_.size() > max_line_bytes - 1;  // the '\n' counts too
        }
        offset_ += stop - i;
        i = stop;
        if (nl != std::string_view::npos) {
            ++offset_;
            ++i;
            line_done(true);
        }
    }
    return !done_;
}

void part_cleaner::finish() {
    if (!done_ && !skipping_partial_ && (!line_.empty() || overlong_)) {
        // The last line of the object, without a line end: it is not counted against the limit.
        overlong_ = line_.size() > max_line_bytes;
        line_done(false);
    }
    done_ = true;
    if (!out_.empty()) {
        sink_(out_);
        out_.clear();
    }
}

void part_cleaner::line_done(bool ended) {
    const std::uint64_t start = line_start_;
    line_start_ = offset_;
    if (start >= range_.end) {
        done_ = true;
    } else {
        std::string_view line = line_;
        if (ended && !overlong_ && !line.empty() && line.back() == '\r') {
            line.remove_suffix(1);  // part of the line end
        }
        handle(line, start);
    }
    line_.clear();
    overlong_ = false;
    blank_ = true;
    if (out_.size() >= chunk_) {
        sink_(out_);
        out_.clear();
    }
}

void part_cleaner::handle(std::string_view line, std::uint64_t start) {
    static const std::string none;
    const bool counted = start >= range_.first;
    if (start == 0) {
        if (format_ == format::csv) {
            window_.push(none);  // the header: never a row, whatever it holds
            return;
        }
        if (line.starts_with(bom)) {
            line.remove_prefix(bom.size());
        }
    }
    if (blank_) {
        window_.push(none);  // only blanks, however long: not a row
        return;
    }
    if (overlong_) {
        row_.ok = false;
        row_.reason = drop_reason::malformed;
    } else {
        parse_line(line, format_, row_);
    }
    bool keep = row_.ok;
    if (keep && window_.contains(row_.t.trip_id)) {
        keep = false;
        row_.reason = drop_reason::duplicate;
    }
    window_.push(row_.ok ? row_.t.trip_id : none);
    if (!counted) {
        return;
    }
    ++counts_.rows;
    if (!keep) {
        ++counts_.dropped[std::size_t(row_.reason)];
        return;
    }
    ++counts_.clean;
    for (std::size_t r = 0; r < repairs; ++r) {
        if (row_.repaired & (1u << r)) {
            ++counts_.repaired[r];
        }
    }
    append_clean_csv(row_.t, out_);
}

}  // namespace pipeline
