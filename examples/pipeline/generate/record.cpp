#include "record.hpp"

#include <numeric>

namespace lambdaport::pipeline::generate {

const std::array<const char*, field_count> field_names = {
    "trip_id",    "vendor",      "pickup_at", "dropoff_at", "pickup_zone", "dropoff_zone",
    "passengers", "distance_mi", "fare",      "tip",        "payment"};

namespace {

bool is_numeric_field(std::size_t i) {
    return i == f_pickup_zone || i == f_dropoff_zone || i == f_passengers || i == f_distance_mi ||
           i == f_fare || i == f_tip;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

// RFC 4180 needs quotes for a comma or a quote; FORMAT.md trims blanks outside quotes, so leading
// or trailing blanks that belong to the value need them too.
bool csv_needs_quotes(const std::string& text) {
    if (text.empty()) {
        return false;
    }
    if (is_blank(text.front()) || is_blank(text.back())) {
        return true;
    }
    for (const char c : text) {
        if (c == ',' || c == '"') {
            return true;
        }
    }
    return false;
}

void append_hex4(std::string& out, unsigned v) {
    static constexpr char hex[] = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) {
        out.push_back(hex[(v >> shift) & 0xf]);
    }
}

// Escapes a JSON string's content. With `ascii`, UTF-8 sequences become \u escapes (surrogate
// pairs above the BMP); otherwise bytes >= 0x80 pass through as they are, which is also how a
// Latin-1 byte reaches a malformed row.
void append_json_string(std::string& out, const std::string& text, bool ascii) {
    out.push_back('"');
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c < 0x20) {
            append_hex4(out, c);
        } else if (c < 0x80 || !ascii) {
            out.push_back(static_cast<char>(c));
        } else {
            // The vendor list is valid UTF-8, so the sequence length follows from the lead byte.
            const int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
            unsigned cp = c & (0x3fu >> extra);
            for (int k = 0; k < extra && i + 1 < text.size(); ++k) {
                cp = (cp << 6) | (static_cast<unsigned char>(text[++i]) & 0x3fu);
            }
            if (cp >= 0x10000) {
                cp -= 0x10000;
                append_hex4(out, 0xd800 + (cp >> 10));
                append_hex4(out, 0xdc00 + (cp & 0x3ff));
            } else {
                append_hex4(out, cp);
            }
        }
    }
    out.push_back('"');
}

void append_json_value(std::string& out, const raw_field& f, bool ascii) {
    switch (f.json) {
        case json_kind::string:
            append_json_string(out, f.text, ascii);
            break;
        case json_kind::number:
            out += f.text;
            break;
        case json_kind::null:
        case json_kind::absent:
            out += "null";
            break;
    }
}

}  // namespace

void set_time(raw_field& f, std::int64_t seconds, time_format format) {
    f.text.clear();
    append_time(f.text, seconds, format);
    f.json = json_kind::string;
}

void fill_record(record& r, const trip& t, const trip_model& model, file_format format,
                 rng& random) {
    for (auto& f : r.fields) {
        f.text.clear();
        f.json = json_kind::string;
        f.quote = f.pad = f.open_quote = false;
    }
    std::iota(r.order.begin(), r.order.end(), 0);
    r.json_spaced = r.json_ascii = r.json_array = false;
    r.csv_omit = -1;
    r.csv_extra = false;

    const bool json = format == file_format::jsonl;
    // Both forms are valid decimals; CSV exports mostly keep two decimals, JSON writers often not.
    const bool trim_zeros = json ? random.chance(5000) : random.chance(500);

    model.append_trip_id(r.fields[f_trip_id].text, t.serial);
    r.fields[f_vendor].text = vendor_names()[t.vendor].utf8;
    set_time(r.fields[f_pickup_at], t.pickup, time_format::canonical);
    set_time(r.fields[f_dropoff_at], t.dropoff, time_format::canonical);
    append_uint(r.fields[f_pickup_zone].text, static_cast<std::uint64_t>(t.pickup_zone));
    append_uint(r.fields[f_dropoff_zone].text, static_cast<std::uint64_t>(t.dropoff_zone));
    append_uint(r.fields[f_passengers].text, static_cast<std::uint64_t>(t.passengers));
    append_cents(r.fields[f_distance_mi].text, t.distance_centimiles, trim_zeros);
    append_cents(r.fields[f_fare].text, t.fare_cents, trim_zeros);
    append_cents(r.fields[f_tip].text, t.tip_cents, trim_zeros);
    r.fields[f_payment].text = payment_label(t.pay);

    if (json) {
        const bool strings = random.chance(1000);
        for (std::size_t i = 0; i < field_count; ++i) {
            if (is_numeric_field(i)) {
                r.fields[i].json =
                    strings && random.chance(5000) ? json_kind::string : json_kind::number;
            }
        }
        if (random.chance(2000)) {
            for (std::size_t i = field_count - 1; i > 0; --i) {
                std::swap(r.order[i], r.order[random.below(static_cast<std::uint32_t>(i + 1))]);
            }
        }
        r.json_spaced = random.chance(3000);
        r.json_ascii = random.chance(1000);
    } else {
        r.fields[f_vendor].quote = random.chance(1000);
        if (random.chance(200)) {
            r.fields[random.below(field_count)].pad = true;
        }
        if (random.chance(200)) {
            r.fields[random.below(field_count)].quote = true;
        }
    }
}

void append_csv(std::string& out, const record& r, bool crlf) {
    bool first = true;
    for (std::size_t i = 0; i < field_count; ++i) {
        if (static_cast<int>(i) == r.csv_omit) {
            continue;
        }
        if (!first) {
            out.push_back(',');
        }
        first = false;
        const raw_field& f = r.fields[i];
        if (f.pad) {
            out.push_back(' ');
        }
        if (f.open_quote) {
            out.push_back('"');
            out += f.text;
        } else if (f.quote || csv_needs_quotes(f.text)) {
            out.push_back('"');
            for (const char c : f.text) {
                if (c == '"') {
                    out.push_back('"');
                }
                out.push_back(c);
            }
            out.push_back('"');
        } else {
            out += f.text;
        }
        if (f.pad) {
            out += " \t";
        }
    }
    if (r.csv_extra) {
        out += ",0";
    }
    out += crlf ? "\r\n" : "\n";
}

void append_json(std::string& out, const record& r) {
    const char* comma = r.json_spaced ? ", " : ",";
    const char* colon = r.json_spaced ? ": " : ":";
    if (r.json_array) {
        out.push_back('[');
        for (std::size_t i = 0; i < field_count; ++i) {
            if (i != 0) {
                out += comma;
            }
            append_json_value(out, r.fields[i], r.json_ascii);
        }
        out.push_back(']');
        return;
    }
    out.push_back('{');
    bool first = true;
    for (const auto i : r.order) {
        const raw_field& f = r.fields[i];
        if (f.json == json_kind::absent) {
            continue;
        }
        if (!first) {
            out += comma;
        }
        first = false;
        out.push_back('"');
        out += field_names[i];
        out.push_back('"');
        out += colon;
        append_json_value(out, f, r.json_ascii);
    }
    out.push_back('}');
}

}  // namespace lambdaport::pipeline::generate
