#include "trip.hpp"

#include <charconv>
#include <optional>
#include <string>

#include "json_line.hpp"

namespace pipeline {

namespace {

constexpr std::size_t fields = 11;
enum field_index {
    f_trip_id,
    f_vendor,
    f_pickup,
    f_dropoff,
    f_pickup_zone,
    f_dropoff_zone,
    f_passengers,
    f_distance,
    f_fare,
    f_tip,
    f_payment
};
constexpr std::array<std::string_view, fields> field_names{
    "trip_id",    "vendor",      "pickup_at", "dropoff_at", "pickup_zone", "dropoff_zone",
    "passengers", "distance_mi", "fare",      "tip",        "payment"};

// One field's text as the format gave it. `json_number`: a JSON number (not a string holding
// one), whose text is the number as written.
struct field {
    bool present = false;
    bool json_number = false;
    bool json_float = false;  // a JSON number with a fraction or exponent
    bool not_text = false;    // a JSON value that is neither string, number nor null
    std::string_view text;
};

// Per-thread scratch, so parsing a line allocates nothing once warm.
struct scratch {
    std::array<field, fields> f;
    std::array<std::string, fields> unescaped;
    std::array<std::string, fields> numbers;
    std::string vendor;
};

scratch& buffers() {
    thread_local scratch s;
    return s;
}

bool blank(char c) {
    return c == ' ' || c == '\t';
}

// RFC 4180 within one line; fields trimmed of blanks outside quotes. False: broken quoting or
// not 11 fields.
bool split_csv(std::string_view line, scratch& s) {
    std::size_t n = 0;
    std::size_t i = 0;
    const std::size_t end = line.size();
    for (;;) {
        if (n == fields) {
            return false;  // a 12th field
        }
        while (i < end && blank(line[i])) {
            ++i;
        }
        field& out = s.f[n];
        out = field{};
        if (i < end && line[i] == '"') {
            ++i;
            const std::size_t start = i;
            bool escaped = false;
            for (;;) {
                if (i >= end) {
                    return false;  // no closing quote
                }
                if (line[i] == '"') {
                    if (i + 1 < end && line[i + 1] == '"') {
                        escaped = true;
                        i += 2;
                        continue;
                    }
                    break;
                }
                ++i;
            }
            std::string_view inside = line.substr(start, i - start);
            ++i;  // the closing quote
            if (escaped) {
                std::string& u = s.unescaped[n];
                u.clear();
                for (std::size_t k = 0; k < inside.size(); ++k) {
                    u.push_back(inside[k]);
                    if (inside[k] == '"') {
                        ++k;  // the second quote of a pair
                    }
                }
                out.text = u;
            } else {
                out.text = inside;
            }
            while (i < end && blank(line[i])) {
                ++i;
            }
            if (i < end && line[i] != ',') {
                return false;  // text after a closing quote
            }
        } else {
            const std::size_t start = i;
            while (i < end && line[i] != ',') {
                if (line[i] == '"') {
                    return false;  // a quote inside an unquoted field
                }
                ++i;
            }
            std::size_t stop = i;
            while (stop > start && blank(line[stop - 1])) {
                --stop;
            }
            out.text = line.substr(start, stop - start);
        }
        out.present = !out.text.empty();
        ++n;
        if (i >= end) {
            break;
        }
        ++i;  // the comma
    }
    return n == fields;
}

int index_of(std::string_view key) {
    for (std::size_t i = 0; i < fields; ++i) {
        if (field_names[i] == key) {
            return int(i);
        }
    }
    return -1;
}

// JSON Lines: a flat object. False: not a JSON object (or not valid JSON / UTF-8).
bool split_json(std::string_view line, scratch& s) {
    for (auto& f : s.f) {
        f = field{};
    }
    bool ok = for_each_member(line, [&](std::string_view key, const json_value& v) {
        int i = index_of(key);
        if (i < 0) {
            return;
        }
        field& out = s.f[std::size_t(i)];
        out = field{};
        switch (v.kind) {
            case json_value::null:
                break;
            case json_value::string:
                s.unescaped[std::size_t(i)] = v.text;
                out.text = s.unescaped[std::size_t(i)];
                out.present = !out.text.empty();
                break;
            case json_value::number:
                s.numbers[std::size_t(i)] = v.text;
                out.text = s.numbers[std::size_t(i)];
                out.present = true;
                out.json_number = true;
                out.json_float = v.text.find_first_of(".eE") != std::string_view::npos;
                break;
            default:  // true, false, an object or an array
                out.present = true;
                out.not_text = true;
                out.text = "?";
                break;
        }
    });
    return ok;
}

bool digits(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

// [-]digits, into `out`. False if it is not one (or does not fit).
bool parse_integer(const field& f, std::int64_t& out) {
    if (f.not_text || f.json_float) {
        return false;
    }
    std::string_view s = f.text;
    bool negative = !s.empty() && s.front() == '-';
    if (negative) {
        s.remove_prefix(1);
    }
    if (!digits(s) || s.size() > 15) {
        return false;
    }
    std::int64_t v = 0;
    for (char c : s) {
        v = v * 10 + (c - '0');
    }
    out = negative ? -v : v;
    return true;
}

// [-]digits[(.|mark)digits] with at most 2 decimals, into hundredths.
bool parse_decimal_text(std::string_view s, char mark, std::int64_t& out) {
    bool negative = !s.empty() && s.front() == '-';
    if (negative) {
        s.remove_prefix(1);
    }
    auto dot = s.find(mark);
    std::string_view whole = s.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    if (!digits(whole) || whole.size() > 13 ||
        (dot != std::string_view::npos && (!digits(frac) || frac.size() > 2))) {
        return false;
    }
    std::int64_t v = 0;
    for (char c : whole) {
        v = v * 10 + (c - '0');
    }
    v *= 100;
    if (!frac.empty()) {
        v += (frac[0] - '0') * 10 + (frac.size() > 1 ? frac[1] - '0' : 0);
    }
    out = negative ? -v : v;
    return true;
}

// A JSON number's exact decimal value × 100, rounded half away from zero (no floating point).
bool json_number_hundredths(std::string_view text, std::int64_t& out) {
    bool negative = !text.empty() && text.front() == '-';
    if (negative) {
        text.remove_prefix(1);
    }
    std::string all;        // every digit, integer part then fraction
    std::size_t point = 0;  // digits before the decimal point
    std::size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        all.push_back(text[i++]);
    }
    point = all.size();
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            all.push_back(text[i++]);
        }
    }
    long exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool minus = i < text.size() && text[i] == '-';
        if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
            ++i;
        }
        std::string_view e = text.substr(i);
        if (!digits(e) || e.size() > 4) {
            return false;
        }
        for (char c : e) {
            exponent = exponent * 10 + (c - '0');
        }
        exponent = minus ? -exponent : exponent;
        i = text.size();
    }
    if (i != text.size() || all.empty()) {
        return false;
    }
    // The value × 100 has its decimal point after `point + exponent + 2` digits.
    const long whole_digits = long(point) + exponent + 2;
    std::int64_t v = 0;
    for (long k = 0; k < whole_digits; ++k) {
        const int d = k < long(all.size()) && k >= 0 ? all[std::size_t(k)] - '0' : 0;
        if (v > 100'000'000'000'000) {
            return false;  // far outside every range
        }
        v = v * 10 + d;
    }
    if (whole_digits >= 0 && whole_digits < long(all.size()) &&
        all[std::size_t(whole_digits)] >= '5') {
        ++v;
    }
    out = negative ? -v : v;
    return true;
}

bool parse_decimal(const field& f, std::int64_t& out) {
    if (f.not_text) {
        return false;
    }
    if (f.json_number) {
        return json_number_hundredths(f.text, out);
    }
    return parse_decimal_text(f.text, '.', out);
}

unsigned two(std::string_view s, std::size_t at) {
    return unsigned(s[at] - '0') * 10 + unsigned(s[at + 1] - '0');
}

bool leap(std::int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in(std::int64_t y, unsigned m) {
    static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool all_digits_at(std::string_view s, std::initializer_list<std::size_t> at) {
    for (auto i : at) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

bool make_time(std::int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned sec,
               std::int64_t& out) {
    if (mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo) || h > 23 || mi > 59 || sec > 59) {
        return false;
    }
    out = days_from_civil(y, mo, d) * 86'400 + h * 3600 + mi * 60 + sec;
    return true;
}

// The four formats of FORMAT.md; `alternate` is set for all but the canonical one.
bool parse_time(const field& f, std::int64_t& out, bool& alternate) {
    if (f.not_text || f.json_number) {
        return false;  // a time is text, in JSON too
    }
    std::string_view s = f.text;
    alternate = true;
    if (digits(s)) {
        if (s.size() > 11) {
            return false;
        }
        std::int64_t v = 0;
        for (char c : s) {
            v = v * 10 + (c - '0');
        }
        out = v;
        return true;
    }
    // YYYY-MM-DD HH:MM:SS and YYYY-MM-DDTHH:MM:SSZ
    if ((s.size() == 19 || (s.size() == 20 && s[19] == 'Z')) && s[4] == '-' && s[7] == '-' &&
        s[13] == ':' && s[16] == ':' && (s[10] == ' ' || s[10] == 'T') &&
        (s[10] == 'T') == (s.size() == 20) &&
        all_digits_at(s, {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})) {
        alternate = s[10] == 'T';
        std::int64_t y = two(s, 0) * 100 + two(s, 2);
        return make_time(y, two(s, 5), two(s, 8), two(s, 11), two(s, 14), two(s, 17), out);
    }
    // MM/DD/YYYY HH:MM:SS
    if (s.size() == 19 && s[2] == '/' && s[5] == '/' && s[10] == ' ' && s[13] == ':' &&
        s[16] == ':' && all_digits_at(s, {0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 14, 15, 17, 18})) {
        std::int64_t y = two(s, 6) * 100 + two(s, 8);
        return make_time(y, two(s, 0), two(s, 3), two(s, 11), two(s, 14), two(s, 17), out);
    }
    return false;
}

std::optional<payment> canonical_payment(std::string_view s) {
    for (std::size_t i = 0; i < payments; ++i) {
        if (payment_names[i] == s) {
            return payment(i);
        }
    }
    return std::nullopt;
}

// Canonical, or repaired (`repaired` set), or nullopt: an unknown label.
std::optional<payment> parse_payment(const field& f, bool& repaired) {
    if (f.not_text || f.json_number) {
        return std::nullopt;
    }
    repaired = false;
    if (auto p = canonical_payment(f.text)) {
        return p;
    }
    std::string_view s = f.text;
    while (!s.empty() && blank(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && blank(s.back())) {
        s.remove_suffix(1);
    }
    if (s.size() > 32) {
        return std::nullopt;
    }
    char buf[32];
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
        buf[i] = (c == '-' || c == ' ') ? '_' : c;
    }
    std::string_view n(buf, s.size());
    std::optional<payment> p = canonical_payment(n);
    if (!p && (n == "credit_card" || n == "credit")) {
        p = payment::card;
    }
    if (!p && n == "nocharge") {
        p = payment::no_charge;
    }
    repaired = p.has_value();
    return p;
}

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80           ? 1
                        : (c >> 5) == 0x6  ? 2
                        : (c >> 4) == 0xE  ? 3
                        : (c >> 3) == 0x1E ? 4
                                           : 0;
        if (n == 0 || i + n > s.size()) {
            return false;
        }
        std::uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
        for (std::size_t k = 1; k < n; ++k) {
            unsigned char d = static_cast<unsigned char>(s[i + k]);
            if ((d >> 6) != 0x2) {
                return false;
            }
            cp = (cp << 6) | (d & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n;
    }
    return true;
}

void latin1_to_utf8(std::string_view s, std::string& out) {
    out.clear();
    for (char ch : s) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out.push_back(ch);
        } else {
            out.push_back(char(0xC0 | (c >> 6)));
            out.push_back(char(0x80 | (c & 0x3F)));
        }
    }
}

// Checks 2–4 of FORMAT.md over the fields; fills `out`.
void validate(scratch& s, parsed_row& out) {
    const auto& f = s.f;
    for (auto i : {f_trip_id, f_pickup, f_dropoff, f_pickup_zone, f_dropoff_zone, f_distance,
                   f_fare, f_payment}) {
        if (!f[i].present) {
            out.reason = drop_reason::missing_field;
            return;
        }
    }
    std::uint8_t repaired = 0;
    auto mark = [&](repair r) { repaired |= std::uint8_t(1u << unsigned(r)); };
    trip& t = out.t;
    out.reason = drop_reason::bad_type;
    if (f[f_trip_id].not_text || f[f_trip_id].json_number || f[f_vendor].not_text ||
        f[f_vendor].json_number) {
        return;
    }
    bool alt_pickup = false;
    bool alt_dropoff = false;
    std::int64_t pz = 0, dz = 0, passengers = 1, tip = 0;
    if (!parse_time(f[f_pickup], t.pickup, alt_pickup) ||
        !parse_time(f[f_dropoff], t.dropoff, alt_dropoff) || !parse_integer(f[f_pickup_zone], pz) ||
        !parse_integer(f[f_dropoff_zone], dz) ||
        !parse_decimal(f[f_distance], t.distance_centimiles)) {
        return;
    }
    if (alt_pickup || alt_dropoff) {
        mark(repair::timestamp_format);
    }
    if (f[f_passengers].present) {
        if (!parse_integer(f[f_passengers], passengers)) {
            return;
        }
    } else {
        mark(repair::missing_passengers);
    }
    if (!parse_decimal(f[f_fare], t.fare_cents)) {
        if (f[f_fare].json_number || f[f_fare].not_text ||
            !parse_decimal_text(f[f_fare].text, ',', t.fare_cents)) {
            return;
        }
        mark(repair::decimal_comma);
    }
    if (f[f_tip].present) {
        if (!parse_decimal(f[f_tip], tip)) {
            return;
        }
    } else {
        mark(repair::missing_tip);
    }
    bool label_repaired = false;
    auto pay = parse_payment(f[f_payment], label_repaired);
    if (!pay) {
        return;
    }
    if (label_repaired) {
        mark(repair::payment_label);
    }
    out.reason = drop_reason::out_of_range;
    const std::int64_t year_2020 = days_from_civil(2020, 1, 1) * 86'400;
    const std::int64_t year_2030 = days_from_civil(2030, 1, 1) * 86'400;
    if (pz < 1 || pz > 263 || dz < 1 || dz > 263 || passengers < 0 || passengers > 9 ||
        t.distance_centimiles < 0 || t.distance_centimiles > 20'000 || t.fare_cents < 0 ||
        t.fare_cents > 100'000 || tip < 0 || tip > 50'000 || t.pickup < year_2020 ||
        t.pickup >= year_2030 || t.dropoff < t.pickup || t.dropoff - t.pickup > 86'400) {
        return;
    }
    t.pickup_zone = int(pz);
    t.dropoff_zone = int(dz);
    t.passengers = int(passengers);
    t.tip_cents = tip;
    t.pay = *pay;
    t.trip_id.assign(f[f_trip_id].text);
    std::string_view vendor = f[f_vendor].text;
    if (valid_utf8(vendor)) {
        t.vendor.assign(vendor);
    } else {
        latin1_to_utf8(vendor, t.vendor);
        mark(repair::latin1_text);
    }
    out.repaired = repaired;
    out.ok = true;
}

bool needs_quotes(std::string_view s) {
    return !s.empty() && (s.find_first_of(",\"") != std::string_view::npos || blank(s.front()) ||
                          blank(s.back()));
}

void append_text(std::string_view s, std::string& out) {
    if (!needs_quotes(s)) {
        out.append(s);
        return;
    }
    out.push_back('"');
    for (char c : s) {
        if (c == '"') {
            out.push_back('"');
        }
        out.push_back(c);
    }
    out.push_back('"');
}

void append_int(std::int64_t v, std::string& out) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
}

void append_hundredths(std::int64_t v, std::string& out) {
    if (v < 0) {
        out.push_back('-');
        v = -v;
    }
    append_int(v / 100, out);
    out.push_back('.');
    out.push_back(char('0' + (v % 100) / 10));
    out.push_back(char('0' + v % 10));
}

void append_time(std::int64_t t, std::string& out) {
    std::int64_t days = t >= 0 ? t / 86'400 : (t - 86'399) / 86'400;
    std::int64_t secs = t - days * 86'400;
    // civil_from_days (Howard Hinnant's algorithm).
    std::int64_t z = days + 719'468;
    const std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
    const std::int64_t doe = z - era * 146'097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
    std::int64_t y = yoe + era * 400;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char buf[20];
    auto put2 = [&](int at, std::int64_t v) {
        buf[at] = char('0' + v / 10);
        buf[at + 1] = char('0' + v % 10);
    };
    put2(0, y / 100);
    put2(2, y % 100);
    buf[4] = '-';
    put2(5, m);
    buf[7] = '-';
    put2(8, d);
    buf[10] = ' ';
    put2(11, secs / 3600);
    buf[13] = ':';
    put2(14, secs / 60 % 60);
    buf[16] = ':';
    put2(17, secs % 60);
    out.append(buf, 19);
}

}  // namespace

format format_of_key(std::string_view key) {
    return key.ends_with(".jsonl") ? format::jsonl : format::csv;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146'097 + doe - 719'468;
}

void parse_line(std::string_view line, format f, parsed_row& out) {
    out.ok = false;
    out.repaired = 0;
    out.reason = drop_reason::malformed;
    scratch& s = buffers();
    if (!(f == format::csv ? split_csv(line, s) : split_json(line, s))) {
        return;
    }
    validate(s, out);
}

void append_clean_csv(const trip& t, std::string& out) {
    append_text(t.trip_id, out);
    out.push_back(',');
    append_text(t.vendor, out);
    out.push_back(',');
    append_time(t.pickup, out);
    out.push_back(',');
    append_time(t.dropoff, out);
    out.push_back(',');
    append_int(t.pickup_zone, out);
    out.push_back(',');
    append_int(t.dropoff_zone, out);
    out.push_back(',');
    append_int(t.passengers, out);
    out.push_back(',');
    append_hundredths(t.distance_centimiles, out);
    out.push_back(',');
    append_hundredths(t.fare_cents, out);
    out.push_back(',');
    append_hundredths(t.tip_cents, out);
    out.push_back(',');
    out.append(payment_names[std::size_t(t.pay)]);
    out.push_back('\n');
}

std::string format_time(std::int64_t unix_seconds) {
    std::string out;
    append_time(unix_seconds, out);
    return out;
}

}  // namespace pipeline
