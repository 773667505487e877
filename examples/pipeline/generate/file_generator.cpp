#include "file_generator.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "faults.hpp"

namespace lambdaport::pipeline::generate {

namespace {

constexpr std::string_view csv_header =
    "trip_id,vendor,pickup_at,dropoff_at,pickup_zone,dropoff_zone,passengers,distance_mi,fare,tip,"
    "payment";
constexpr std::size_t duplicate_reach = 1000;  // lines back a duplicate may copy from
constexpr std::uint32_t blank_lines_per_10000 = 10;

// Large writes only: lines collect in a 4 MiB buffer that goes to the file in one fwrite.
class buffered_file {
  public:
    explicit buffered_file(const std::filesystem::path& path)
        : path_(path), file_(std::fopen(path.c_str(), "wb")) {
        if (file_ == nullptr) {
            fail("cannot create");
        }
        buffer_.reserve(capacity);
    }
    buffered_file(const buffered_file&) = delete;
    buffered_file& operator=(const buffered_file&) = delete;
    ~buffered_file() {
        if (file_ != nullptr) {
            std::fclose(file_);
        }
    }

    // The buffer itself, for callers that append in place; call flush_if_full() afterwards.
    std::string& buffer() { return buffer_; }

    // Bytes written so far, buffered or not.
    std::uint64_t size() const { return flushed_ + buffer_.size(); }

    void flush_if_full() {
        if (buffer_.size() >= capacity - 4096) {
            flush();
        }
    }

    void close() {
        flush();
        const int status = std::fclose(file_);
        file_ = nullptr;
        if (status != 0) {
            fail("cannot write");
        }
    }

  private:
    static constexpr std::size_t capacity = 4 << 20;

    void flush() {
        if (!buffer_.empty() &&
            std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
            fail("cannot write");
        }
        flushed_ += buffer_.size();
        buffer_.clear();
    }

    [[noreturn]] void fail(const char* what) const {
        throw std::runtime_error(std::string("pipeline_generate: ") + what + " " + path_.string() +
                                 ": " + std::strerror(errno));
    }

    std::filesystem::path path_;
    std::FILE* file_;
    std::string buffer_;
    std::uint64_t flushed_ = 0;
};

// The last clean (kept, unrepaired) rows with their line numbers, oldest first: the rows a
// planted duplicate may copy. Bounded, so memory does not grow with the file.
class recent_rows {
  public:
    recent_rows() : ring_(duplicate_reach) {}

    void push(std::uint64_t line, std::string_view text) {
        if (count_ == ring_.size()) {
            begin_ = (begin_ + 1) % ring_.size();
            --count_;
        }
        auto& slot = ring_[(begin_ + count_) % ring_.size()];
        slot.line = line;
        slot.text.assign(text);
        ++count_;
    }

    // A row from 1 to duplicate_reach lines before `line`, or null if there is none.
    const std::string* pick(std::uint64_t line, rng& random) {
        while (count_ > 0 && ring_[begin_].line + duplicate_reach < line) {
            begin_ = (begin_ + 1) % ring_.size();
            --count_;
        }
        if (count_ == 0) {
            return nullptr;
        }
        const auto i = random.below(static_cast<std::uint32_t>(count_));
        return &ring_[(begin_ + i) % ring_.size()].text;
    }

  private:
    struct entry {
        std::uint64_t line = 0;
        std::string text;
    };
    std::vector<entry> ring_;
    std::size_t begin_ = 0;
    std::size_t count_ = 0;
};

void append_blank_line(std::string& out, bool crlf, rng& random) {
    static constexpr std::array<std::string_view, 4> blanks = {"", " ", "\t", "  \t"};
    out += blanks[random.below(blanks.size())];
    out += crlf ? "\r\n" : "\n";
}

}  // namespace

quality_counts write_file(const file_plan& plan, const trip_model& model,
                          std::uint64_t& next_serial) {
    rng random(plan.seed);
    buffered_file file(plan.path);
    std::string& out = file.buffer();
    quality_counts counts;
    std::uint64_t line_number = 0;  // the header and blank lines count, as in FORMAT.md's window

    if (plan.format == file_format::csv) {
        if (plan.bom) {
            out += "\xEF\xBB\xBF";
        }
        out += csv_header;
        out += plan.crlf ? "\r\n" : "\n";
        ++line_number;
    }

    record scratch;
    recent_rows recent;
    while (file.size() < plan.target_bytes) {
        if (random.chance(blank_lines_per_10000)) {
            append_blank_line(out, plan.crlf, random);
        } else {
            row_kind kind = draw_row_kind(random, plan.format);
            const std::size_t start = out.size();
            const std::string* original = nullptr;
            if (kind == row_kind::duplicate) {
                original = recent.pick(line_number, random);
                if (original == nullptr) {
                    kind = row_kind::clean;  // nothing to copy yet at the start of a file
                }
            }
            if (original != nullptr) {
                out += *original;
            } else {
                const trip t = model.next(random, next_serial++);
                render_row(out, scratch, kind, t, model, plan.format, plan.crlf, random);
            }
            if (kind == row_kind::clean) {
                recent.push(line_number, std::string_view(out).substr(start));
            }
            counts.add(kind);
        }
        ++line_number;
        file.flush_if_full();
    }
    counts.bytes = file.size();
    file.close();
    return counts;
}

}  // namespace lambdaport::pipeline::generate
