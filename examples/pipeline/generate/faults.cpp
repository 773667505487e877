#include "faults.hpp"

#include <array>
#include <stdexcept>
#include <string_view>

namespace lambdaport::pipeline::generate {

namespace {

constexpr std::size_t max_line = 512;

// Shares in basis points (1/100 of a percent) of rows; the rest are clean.
struct kind_share {
    row_kind kind;
    std::uint32_t csv, jsonl;
};
constexpr std::array<kind_share, 11> shares = {{
    {row_kind::malformed, 150, 150},
    {row_kind::missing_field, 100, 100},
    {row_kind::bad_type, 100, 100},
    {row_kind::out_of_range, 150, 150},
    {row_kind::duplicate, 100, 100},
    {row_kind::missing_tip, 300, 300},
    {row_kind::missing_passengers, 100, 100},
    {row_kind::timestamp_format, 200, 200},
    {row_kind::payment_label, 200, 200},
    {row_kind::latin1_text, 50, 0},     // a JSON Lines row that is not UTF-8 is malformed
    {row_kind::decimal_comma, 100, 0},  // a CSV quirk: a JSON fare is a number or its string
}};

constexpr std::array<field_id, 8> required_fields = {f_trip_id,     f_pickup_at,    f_dropoff_at,
                                                     f_pickup_zone, f_dropoff_zone, f_distance_mi,
                                                     f_fare,        f_payment};

template <typename T, std::size_t n>
const T& one_of(const std::array<T, n>& items, rng& random) {
    return items[random.below(static_cast<std::uint32_t>(n))];
}

// Vendors with a character outside ASCII that ISO-8859-1 can hold, for latin1_text.
std::size_t latin1_vendor(rng& random) {
    static constexpr std::array<std::size_t, 4> with_accents = {2, 3, 5, 7};
    return one_of(with_accents, random);
}

void set_number(raw_field& f, std::int64_t value) {
    f.text.clear();
    if (value < 0) {
        f.text.push_back('-');
    }
    append_uint(f.text, static_cast<std::uint64_t>(value < 0 ? -value : value));
}

void set_cents(raw_field& f, std::int64_t cents) {
    f.text.clear();
    append_cents(f.text, cents);
}

void set_text(raw_field& f, std::string_view text) {
    f.text = text;
    f.json = json_kind::string;
}

// An empty field in CSV, in one of the spellings RFC 4180 and the trimming rule make empty; an
// absent key or null in JSON.
void make_missing(raw_field& f, file_format format, rng& random) {
    f.text.clear();
    if (format == file_format::jsonl) {
        f.json = random.chance(5000) ? json_kind::absent : json_kind::null;
        return;
    }
    const auto spelling = random.below(4);
    f.quote = spelling == 1;  // ""
    f.pad = spelling == 2;    // blanks only
}

void plant_missing_field(record& r, file_format format, rng& random) {
    make_missing(r.fields[one_of(required_fields, random)], format, random);
}

// Values no reader can take for a number, a time or a label; none is empty, none is digits only
// (that would be an epoch time), none holds a comma (that would look like a decimal comma).
void plant_bad_type(record& r, const trip& t, rng& random) {
    static constexpr std::array<std::string_view, 4> integers = {"two", "1O", "#4", "x7"};
    static constexpr std::array<std::string_view, 5> labels = {"bitcoin", "voucher", "paypal",
                                                               "Apple Pay", "iou"};
    switch (random.below(5)) {
        case 0: {  // a time in none of the four formats
            const bool pickup = random.chance(5000);
            raw_field& f = r.fields[pickup ? f_pickup_at : f_dropoff_at];
            const civil_time c = civil_from_unix(pickup ? t.pickup : t.dropoff);
            f.text.clear();
            switch (random.below(3)) {
                case 0:  // seconds missing
                    append_time(f.text, pickup ? t.pickup : t.dropoff, time_format::canonical);
                    f.text.resize(16);
                    break;
                case 1:  // day.month.year
                    append_padded(f.text, c.day, 2);
                    f.text.push_back('.');
                    append_padded(f.text, c.month, 2);
                    f.text.push_back('.');
                    append_padded(f.text, static_cast<std::uint64_t>(c.year), 4);
                    f.text.push_back(' ');
                    append_padded(f.text, c.hour, 2);
                    f.text.push_back(':');
                    append_padded(f.text, c.minute, 2);
                    break;
                default:
                    f.text = "soon";
                    break;
            }
            f.json = json_kind::string;
            return;
        }
        case 1: {
            static constexpr std::array<field_id, 3> targets = {f_pickup_zone, f_dropoff_zone,
                                                                f_passengers};
            set_text(r.fields[one_of(targets, random)], one_of(integers, random));
            return;
        }
        case 2:
        case 3: {
            static constexpr std::array<field_id, 3> targets = {f_distance_mi, f_fare, f_tip};
            const field_id target = one_of(targets, random);
            raw_field& f = r.fields[target];
            const std::int64_t cents = target == f_distance_mi ? t.distance_centimiles
                                       : target == f_fare      ? t.fare_cents
                                                               : t.tip_cents;
            f.text.clear();
            switch (random.below(3)) {
                case 0:
                    f.text.push_back('$');
                    append_cents(f.text, cents);
                    break;
                case 1:
                    append_cents(f.text, cents);
                    f.text += ".5";
                    break;
                default:
                    f.text = "abc";
                    break;
            }
            f.json = json_kind::string;
            return;
        }
        default:
            set_text(r.fields[f_payment], one_of(labels, random));
            return;
    }
}

// Values that parse but break a range; the other fields stay valid.
void plant_out_of_range(record& r, const trip& t, rng& random) {
    switch (random.below(8)) {
        case 0: {
            static constexpr std::array<std::int64_t, 5> zones = {0, 264, 300, 999, -1};
            set_number(r.fields[random.chance(5000) ? f_pickup_zone : f_dropoff_zone],
                       one_of(zones, random));
            return;
        }
        case 1: {
            static constexpr std::array<std::int64_t, 3> passengers = {10, 12, 15};
            set_number(r.fields[f_passengers], one_of(passengers, random));
            return;
        }
        case 2: {
            static constexpr std::array<std::int64_t, 4> distances = {-150, 20001, 25000, 99999};
            set_cents(r.fields[f_distance_mi], one_of(distances, random));
            return;
        }
        case 3: {
            static constexpr std::array<std::int64_t, 3> fares = {-500, 100001, 150000};
            set_cents(r.fields[f_fare], one_of(fares, random));
            return;
        }
        case 4: {
            static constexpr std::array<std::int64_t, 3> tips = {-200, 50001, 60000};
            set_cents(r.fields[f_tip], one_of(tips, random));
            return;
        }
        case 5: {  // pickup year outside 2020-2029, same day and time of year
            static constexpr std::array<std::int64_t, 3> years = {2019, 2030, 2031};
            civil_time c = civil_from_unix(t.pickup);
            c.year = one_of(years, random);
            const std::int64_t pickup = unix_from_civil(c);
            set_time(r.fields[f_pickup_at], pickup, time_format::canonical);
            set_time(r.fields[f_dropoff_at], pickup + (t.dropoff - t.pickup),
                     time_format::canonical);
            return;
        }
        case 6:  // dropoff before pickup
            set_time(r.fields[f_dropoff_at], t.pickup - random.between(1, 7200),
                     time_format::canonical);
            return;
        default:  // more than 24 hours
            set_time(r.fields[f_dropoff_at], t.pickup + random.between(86401, 3 * 86400),
                     time_format::canonical);
            return;
    }
}

void plant_payment_label(record& r, const trip& t, rng& random) {
    static constexpr std::array<std::string_view, 7> card = {
        "CARD", "Card", "Credit Card", "credit", "credit_card", "credit-card", " card "};
    static constexpr std::array<std::string_view, 4> cash = {"CASH", "Cash", " cash ", "cash "};
    static constexpr std::array<std::string_view, 4> no_charge = {"No Charge", "NoCharge",
                                                                  "no-charge", "NO_CHARGE"};
    static constexpr std::array<std::string_view, 2> dispute = {"Dispute", "DISPUTE"};
    static constexpr std::array<std::string_view, 2> unknown = {"Unknown", " UNKNOWN"};
    std::string_view label;
    switch (t.pay) {
        case payment::card:
            label = one_of(card, random);
            break;
        case payment::cash:
            label = one_of(cash, random);
            break;
        case payment::no_charge:
            label = one_of(no_charge, random);
            break;
        case payment::dispute:
            label = one_of(dispute, random);
            break;
        case payment::unknown:
            label = one_of(unknown, random);
            break;
    }
    set_text(r.fields[f_payment], label);
}

// A line longer than 512 bytes that would otherwise be valid: a vendor name run long.
void lengthen(std::string& line, std::size_t start, record& r, file_format format, bool crlf,
              rng& random) {
    static constexpr std::string_view filler = "Limousine and Car Service of Greater New York ";
    const std::size_t length = line.size() - start;
    std::size_t extra = max_line + 1 - std::min(length, max_line) + random.below(400);
    std::string& vendor = r.fields[f_vendor].text;
    vendor += " - ";
    while (extra > 0) {
        const std::size_t n = std::min(extra, filler.size());
        vendor.append(filler.substr(0, n));
        extra -= n;
    }
    line.resize(start);
    if (format == file_format::csv) {
        append_csv(line, r, crlf);
    } else {
        append_json(line, r);
        line.push_back('\n');
    }
}

void plant_malformed_csv(record& r, rng& random) {
    switch (random.below(3)) {
        case 0:
            r.csv_omit = static_cast<int>(random.below(field_count));
            return;
        case 1:
            r.csv_extra = true;
            return;
        default:
            // The only quote on the line: no other field may be quoted, so nothing can close it.
            for (auto& f : r.fields) {
                f.quote = f.pad = false;
            }
            if (r.fields[f_vendor].text.find('"') != std::string::npos) {
                r.fields[f_vendor].text = vendor_names()[0].utf8;
            }
            r.fields[f_vendor].open_quote = true;
            return;
    }
}

// Appends a JSON Lines row that is not a JSON object, or not UTF-8.
void append_malformed_json(std::string& line, record& r, rng& random) {
    const std::size_t start = line.size();
    switch (random.below(5)) {
        case 0: {  // cut short: no proper prefix of an object is JSON
            append_json(line, r);
            const std::size_t length = line.size() - start;
            line.resize(start + 1 + random.below(static_cast<std::uint32_t>(length - 2)));
            break;
        }
        case 1:  // a trailing comma
            append_json(line, r);
            line.insert(line.size() - 1, 1, ',');
            break;
        case 2:  // single quotes
            append_json(line, r);
            for (std::size_t i = start; i < line.size(); ++i) {
                if (line[i] == '"') {
                    line[i] = '\'';
                }
            }
            break;
        case 3:  // valid JSON, but an array
            r.json_array = true;
            append_json(line, r);
            break;
        default:  // a Latin-1 vendor: not valid UTF-8
            r.fields[f_vendor].text = vendor_names()[latin1_vendor(random)].latin1;
            r.json_ascii = false;
            append_json(line, r);
            break;
    }
    line.push_back('\n');
}

}  // namespace

row_kind draw_row_kind(rng& random, file_format format) {
    std::uint32_t x = random.below(10000);
    for (const auto& share : shares) {
        const std::uint32_t w = format == file_format::csv ? share.csv : share.jsonl;
        if (x < w) {
            return share.kind;
        }
        x -= w;
    }
    return row_kind::clean;
}

void render_row(std::string& line, record& r, row_kind kind, const trip& t, const trip_model& model,
                file_format format, bool crlf, rng& random) {
    fill_record(r, t, model, format, random);
    const std::size_t start = line.size();
    bool long_line = false;
    switch (kind) {
        case row_kind::clean:
        case row_kind::duplicate:
            break;
        case row_kind::malformed:
            // A few of them only for their length, so that the 512-byte rule is exercised.
            long_line = random.chance(200);
            if (!long_line && format == file_format::csv) {
                plant_malformed_csv(r, random);
            } else if (!long_line) {
                append_malformed_json(line, r, random);
                return;
            }
            break;
        case row_kind::missing_field:
            plant_missing_field(r, format, random);
            break;
        case row_kind::bad_type:
            plant_bad_type(r, t, random);
            break;
        case row_kind::out_of_range:
            plant_out_of_range(r, t, random);
            break;
        case row_kind::missing_tip:
            make_missing(r.fields[f_tip], format, random);
            break;
        case row_kind::missing_passengers:
            make_missing(r.fields[f_passengers], format, random);
            break;
        case row_kind::timestamp_format: {
            static constexpr std::array<time_format, 3> formats = {
                time_format::iso_z, time_format::us, time_format::epoch};
            const time_format f = one_of(formats, random);
            set_time(r.fields[f_pickup_at], t.pickup, f);
            set_time(r.fields[f_dropoff_at], t.dropoff, f);
            break;
        }
        case row_kind::payment_label:
            plant_payment_label(r, t, random);
            break;
        case row_kind::latin1_text:
            r.fields[f_vendor].text = vendor_names()[latin1_vendor(random)].latin1;
            break;
        case row_kind::decimal_comma: {
            raw_field& fare = r.fields[f_fare];
            fare.text.clear();
            append_cents(fare.text, t.fare_cents);
            fare.text[fare.text.size() - 3] = ',';
            break;
        }
    }
    if (format == file_format::csv) {
        append_csv(line, r, crlf);
    } else {
        append_json(line, r);
        line.push_back('\n');
    }
    if (long_line) {
        lengthen(line, start, r, format, crlf, random);
    } else if (line.size() - start > max_line) {
        throw std::logic_error("pipeline_generate: a row that must be valid grew past 512 bytes");
    }
}

}  // namespace lambdaport::pipeline::generate
