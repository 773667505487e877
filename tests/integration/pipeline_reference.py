"""Reference cleaner for the taxi-trip pipeline, written from examples/pipeline/FORMAT.md alone.

Standard library only. It is the yardstick the generator's manifest and the pipeline's cleaner are
checked against, so it favours being obviously right over being fast.

API
  clean_file(source, part=0, parts=1, *, fmt=None, key=None, bucket="raw", trace=None)
      -> (rows, report)
      Cleans part `part` of `parts` (byte ranges) of a raw object. `source` is a path or the
      object's bytes; `fmt` is "csv" or "jsonl" (default: from the file name or `key`). `rows` are
      the kept rows as lists of 11 canonical strings, in input order; `report` is the quality
      report of FORMAT.md (source, output, rows, clean, dropped, repaired). With `trace` (a list),
      one (offset, outcome, repairs) tuple per row is appended: outcome is "clean" or the drop
      reason, repairs a tuple of repair names.
  canonical_csv(rows) -> bytes
      The cleaned part's bytes: the header, then one line per row.
  part_range(size, part, parts) -> (first, end)
      The byte range [first, end) of a part.
  counts_of(report) / add_counts(total, counts) / empty_counts()
      The {"rows", "clean", "dropped", "repaired"} part of reports, and sums of them.

Readings of FORMAT.md where it leaves room (see the generator's report for the reasons):
  * The first line of a CSV file is the header whatever it holds; it is never a row.
  * A blank line is not a row even when longer than 512 bytes.
  * The duplicate window holds every row that passed checks 1-4, including rows then dropped as
    duplicates themselves ("passed checks 1-4", and only then does the window depend on those lines
    alone).
  * A part reads back exactly 2048 x 512 bytes for its window, as FORMAT.md describes; lines longer
    than 512 bytes inside that stretch could hide older window lines (the generator never puts
    enough of them there for that to matter).
  * A decimal with more than 2 decimals, in text, does not parse (bad_type); a JSON number is
    rounded (its exact decimal value x 100, half away from zero). A JSON integer is a number
    written without fraction or exponent (2.0 is not an integer).
  * In JSON, an empty string is empty, so it is missing like null; a non-string trip_id, vendor,
    time or payment is bad_type; `decimal_comma` applies to a fare string in JSON Lines too.
  * Times must be real calendar times (month 1-12, a day the month has, 00:00:00-23:59:59).
  * Payment labels are trimmed of spaces and tabs and lower-cased in ASCII only.
"""

from __future__ import annotations

import json
import os
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

HEADER = ("trip_id,vendor,pickup_at,dropoff_at,pickup_zone,dropoff_zone,passengers,distance_mi,"
          "fare,tip,payment")
FIELDS = tuple(HEADER.split(","))
DROP_REASONS = ("malformed", "missing_field", "bad_type", "out_of_range", "duplicate")
REPAIRS = ("missing_tip", "missing_passengers", "timestamp_format", "payment_label", "latin1_text",
           "decimal_comma")
PAYMENTS = ("card", "cash", "no_charge", "dispute", "unknown")
PAYMENT_ALIASES = {"credit_card": "card", "credit": "card", "nocharge": "no_charge"}

MAX_LINE = 512
WINDOW = 2048
BOM = b"\xef\xbb\xbf"

(TRIP_ID, VENDOR, PICKUP_AT, DROPOFF_AT, PICKUP_ZONE, DROPOFF_ZONE, PASSENGERS, DISTANCE, FARE, TIP,
 PAYMENT) = range(11)
REQUIRED = (TRIP_ID, PICKUP_AT, DROPOFF_AT, PICKUP_ZONE, DROPOFF_ZONE, DISTANCE, FARE, PAYMENT)

_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]{1,2}))?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"(-?)([0-9]+),([0-9]{1,2})", re.ASCII)
_CANONICAL_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")
_ISO_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")
_US_TIME = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")
_EPOCH = re.compile(r"[0-9]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class _Bad(Exception):
    """A row fails a check; args[0] is the drop reason."""


# ---- calendar ----------------------------------------------------------------------------------

def _days_from_civil(y: int, m: int, d: int) -> int:
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def _days_in_month(y: int, m: int) -> int:
    if m == 2:
        return 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28
    return 30 if m in (4, 6, 9, 11) else 31


def _year_of(seconds: int) -> int:
    return _civil_from_days(seconds // 86400)[0]


def format_time(seconds: int) -> str:
    """Unix seconds as canonical `YYYY-MM-DD HH:MM:SS` (UTC)."""
    y, m, d = _civil_from_days(seconds // 86400)
    r = seconds % 86400
    return f"{y:04d}-{m:02d}-{d:02d} {r // 3600:02d}:{r // 60 % 60:02d}:{r % 60:02d}"


def _time_from_fields(y: int, mo: int, d: int, h: int, mi: int, s: int) -> int:
    if not (1 <= mo <= 12 and 1 <= d <= _days_in_month(y, mo) and h <= 23 and mi <= 59 and s <= 59):
        raise _Bad("bad_type")
    return _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s


def parse_time(value) -> tuple[int, bool]:
    """(Unix seconds, written in an alternate format) of a time field; raises _Bad("bad_type")."""
    if not isinstance(value, str):
        raise _Bad("bad_type")
    m = _CANONICAL_TIME.fullmatch(value)
    if m:
        return _time_from_fields(*map(int, m.groups())), False
    m = _ISO_TIME.fullmatch(value)
    if m:
        return _time_from_fields(*map(int, m.groups())), True
    m = _US_TIME.fullmatch(value)
    if m:
        mo, d, y, h, mi, s = map(int, m.groups())
        return _time_from_fields(y, mo, d, h, mi, s), True
    if _EPOCH.fullmatch(value):
        return int(value), True
    raise _Bad("bad_type")


# ---- numbers and labels ------------------------------------------------------------------------

def parse_integer(value) -> int:
    if type(value) is int:  # a JSON number without fraction (bool is not a number here)
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    raise _Bad("bad_type")


def parse_cents(value, comma: bool = False) -> tuple[int, bool]:
    """(hundredths, written with a decimal comma) of a decimal field; raises _Bad("bad_type")."""
    if type(value) is int:
        return value * 100, False
    if isinstance(value, Decimal):
        return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)), False
    if isinstance(value, str):
        m = _DECIMAL.fullmatch(value)
        used_comma = False
        if not m and comma:
            m = _DECIMAL_COMMA.fullmatch(value)
            used_comma = m is not None
        if m:
            sign, whole, frac = m.groups()
            cents = int(whole) * 100 + int((frac or "").ljust(2, "0"))
            return (-cents if sign else cents), used_comma
    raise _Bad("bad_type")


def parse_payment(value) -> tuple[str, bool]:
    """(canonical label, was repaired); raises _Bad("bad_type") for an unknown label."""
    if not isinstance(value, str):
        raise _Bad("bad_type")
    if value in PAYMENTS:
        return value, False
    norm = value.translate(_ASCII_LOWER).strip(" \t").replace("-", "_").replace(" ", "_")
    if norm in PAYMENTS:
        return norm, True
    if norm in PAYMENT_ALIASES:
        return PAYMENT_ALIASES[norm], True
    raise _Bad("bad_type")


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


# ---- rows --------------------------------------------------------------------------------------

def split_csv(line: bytes) -> list[bytes] | None:
    """RFC 4180 fields of one line, trimmed of blanks outside quotes; None if quoting is broken."""
    if b'"' not in line:
        return [f.strip(b" \t") for f in line.split(b",")]
    fields: list[bytes] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in b" \t":
            i += 1
        if i < n and line[i] == 0x22:
            i += 1
            buf = bytearray()
            while True:
                j = line.find(b'"', i)
                if j < 0:
                    return None  # never closed
                buf += line[i:j]
                if j + 1 < n and line[j + 1] == 0x22:
                    buf += b'"'
                    i = j + 2
                    continue
                i = j + 1
                break
            while i < n and line[i] in b" \t":
                i += 1
            fields.append(bytes(buf))
            if i == n:
                return fields
            if line[i] != 0x2C:
                return None  # text after the closing quote
            i += 1
        else:
            j = line.find(b",", i)
            field = line[i:n if j < 0 else j].rstrip(b" \t")
            if b'"' in field:
                return None  # a quote inside an unquoted field
            fields.append(field)
            if j < 0:
                return fields
            i = j + 1


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _csv_values(content: bytes) -> tuple[list, bool]:
    fields = split_csv(content)
    if fields is None or len(fields) != 11:
        raise _Bad("malformed")
    values: list = [None if f == b"" else f.decode("utf-8", "surrogateescape") for f in fields]
    latin1 = False
    vendor = fields[VENDOR]
    try:
        values[VENDOR] = vendor.decode("utf-8")
    except UnicodeDecodeError:
        values[VENDOR] = vendor.decode("latin-1")
        latin1 = True
    return values, latin1


def _json_values(content: bytes) -> tuple[list, bool]:
    try:
        obj = json.loads(content.decode("utf-8"), parse_float=Decimal,
                         parse_constant=_reject_constant)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise _Bad("malformed") from None
    if not isinstance(obj, dict):
        raise _Bad("malformed")
    return [None if (v := obj.get(k)) == "" else v for k in FIELDS], False


def evaluate_row(content: bytes, length: int, fmt: str) -> tuple[list[str], tuple[str, ...]]:
    """Checks 1-4 of one row: its canonical fields and the repairs it needs, or raises _Bad."""
    if length > MAX_LINE:
        raise _Bad("malformed")
    values, latin1 = _csv_values(content) if fmt == "csv" else _json_values(content)

    for i in REQUIRED:
        if values[i] is None:
            raise _Bad("missing_field")

    trip_id = values[TRIP_ID]
    vendor = values[VENDOR] if values[VENDOR] is not None else ""
    if not isinstance(trip_id, str) or not isinstance(vendor, str):
        raise _Bad("bad_type")
    pickup, pickup_alt = parse_time(values[PICKUP_AT])
    dropoff, dropoff_alt = parse_time(values[DROPOFF_AT])
    pickup_zone = parse_integer(values[PICKUP_ZONE])
    dropoff_zone = parse_integer(values[DROPOFF_ZONE])
    passengers = 1 if values[PASSENGERS] is None else parse_integer(values[PASSENGERS])
    distance, _ = parse_cents(values[DISTANCE])
    fare, comma = parse_cents(values[FARE], comma=True)
    tip = 0 if values[TIP] is None else parse_cents(values[TIP])[0]
    payment, label_repaired = parse_payment(values[PAYMENT])

    if not (1 <= pickup_zone <= 263 and 1 <= dropoff_zone <= 263 and 0 <= passengers <= 9
            and 0 <= distance <= 20000 and 0 <= fare <= 100000 and 0 <= tip <= 50000):
        raise _Bad("out_of_range")
    if not 2020 <= _year_of(pickup) <= 2029 or dropoff < pickup or dropoff - pickup > 86400:
        raise _Bad("out_of_range")

    repairs = []
    if values[TIP] is None:
        repairs.append("missing_tip")
    if values[PASSENGERS] is None:
        repairs.append("missing_passengers")
    if pickup_alt or dropoff_alt:
        repairs.append("timestamp_format")
    if label_repaired:
        repairs.append("payment_label")
    if latin1:
        repairs.append("latin1_text")
    if comma:
        repairs.append("decimal_comma")
    row = [trip_id, vendor, format_time(pickup), format_time(dropoff), str(pickup_zone),
           str(dropoff_zone), str(passengers), format_cents(distance), format_cents(fare),
           format_cents(tip), payment]
    return row, tuple(repairs)


# ---- files and parts ---------------------------------------------------------------------------

def part_range(size: int, part: int, parts: int) -> tuple[int, int]:
    return part * size // parts, (part + 1) * size // parts


def _line_start_at_or_after(data: bytes, offset: int) -> int:
    """The first line start >= offset (a line starts at 0 or right after a newline)."""
    if offset <= 0:
        return 0
    nl = data.find(b"\n", offset - 1)
    return len(data) if nl < 0 else nl + 1


def _lines(data: bytes, begin: int, end: int) -> Iterable[tuple[int, bytes, int]]:
    """(offset, content without its line end, length with it) of lines starting in [begin, end)."""
    size = len(data)
    pos = begin
    while pos < end and pos < size:
        nl = data.find(b"\n", pos)
        if nl < 0:
            yield pos, data[pos:], size - pos
            return
        stop = nl - 1 if nl > pos and data[nl - 1] == 0x0D else nl
        yield pos, data[pos:stop], nl + 1 - pos
        pos = nl + 1


def _is_blank(content: bytes) -> bool:
    return not content.strip(b" \t\r")


def empty_counts() -> dict:
    return {"rows": 0, "clean": 0, "dropped": {r: 0 for r in DROP_REASONS},
            "repaired": {r: 0 for r in REPAIRS}}


def counts_of(report: dict) -> dict:
    return {"rows": report["rows"], "clean": report["clean"], "dropped": dict(report["dropped"]),
            "repaired": dict(report["repaired"])}


def add_counts(total: dict, counts: dict) -> dict:
    total["rows"] += counts["rows"]
    total["clean"] += counts["clean"]
    for k, v in counts["dropped"].items():
        total["dropped"][k] += v
    for k, v in counts["repaired"].items():
        total["repaired"][k] += v
    return total


class _Window:
    """trip_ids of the rows that passed checks 1-4 among the last WINDOW lines."""

    def __init__(self) -> None:
        self.lines: list = []
        self.head = 0
        self.count: dict[str, int] = {}

    def __contains__(self, trip_id: str) -> bool:
        return trip_id in self.count

    def push(self, trip_id: str | None) -> None:
        self.lines.append(trip_id)
        if trip_id is not None:
            self.count[trip_id] = self.count.get(trip_id, 0) + 1
        if len(self.lines) - self.head > WINDOW:
            old = self.lines[self.head]
            self.head += 1
            if old is not None:
                if self.count[old] == 1:
                    del self.count[old]
                else:
                    self.count[old] -= 1
            if self.head > 4 * WINDOW:  # keep the list short
                del self.lines[:self.head]
                self.head = 0


def _passing_trip_id(offset: int, content: bytes, length: int, fmt: str):
    """The trip_id a line puts in the duplicate window (None for the header, blanks, drops)."""
    if (fmt == "csv" and offset == 0) or _is_blank(content):
        return None
    try:
        return evaluate_row(content, length, fmt)[0][TRIP_ID]
    except _Bad:
        return None


def clean_file(source, part: int = 0, parts: int = 1, *, fmt: str | None = None,
               key: str | None = None, bucket: str = "raw", trace: list | None = None):
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = key or ""
    else:
        with open(source, "rb") as f:
            data = f.read()
        name = key or os.path.basename(os.fspath(source))
    if fmt is None:
        fmt = "jsonl" if name.endswith(".jsonl") else "csv"
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown format {fmt!r}")
    if key is None:
        key = "trips/" + os.path.basename(name) if name else "trips/object." + fmt
    if not 0 <= part < parts:
        raise ValueError(f"part {part} of {parts}")

    size = len(data)
    begin, end = part_range(size, part, parts)
    first = _line_start_at_or_after(data, begin)

    # The window before the part: the lines in the 2048 x 512 bytes before its first line.
    window = _Window()
    if first > 0:
        back = _line_start_at_or_after(data, max(0, first - WINDOW * MAX_LINE))
        previous = list(_lines(data, back, first))[-WINDOW:]
        for offset, content, length in previous:
            window.push(_passing_trip_id(offset, content, length, fmt))

    counts = empty_counts()
    rows: list[list[str]] = []
    for offset, content, length in _lines(data, first, end):
        if (fmt == "csv" and offset == 0) or _is_blank(content):
            window.push(None)  # the header and blank lines are lines, not rows
            continue
        counts["rows"] += 1
        try:
            row, repairs = evaluate_row(content, length, fmt)
        except _Bad as bad:
            reason = bad.args[0]
            counts["dropped"][reason] += 1
            window.push(None)
            if trace is not None:
                trace.append((offset, reason, ()))
            continue
        trip_id = row[TRIP_ID]
        duplicate = trip_id in window
        window.push(trip_id)  # passed checks 1-4, duplicate or not
        if duplicate:
            counts["dropped"]["duplicate"] += 1
            if trace is not None:
                trace.append((offset, "duplicate", ()))
            continue
        counts["clean"] += 1
        for r in repairs:
            counts["repaired"][r] += 1
        rows.append(row)
        if trace is not None:
            trace.append((offset, "clean", repairs))

    report = {
        "source": {"bucket": bucket, "key": key, "size": size, "part": part, "parts": parts,
                   "first": begin, "last": end - 1},
        "output": {"bucket": "clean", "key": f"{key}.part-{part:04d}-of-{parts:04d}.csv"},
    }
    report.update(counts)
    return rows, report


def _csv_text(text: str) -> str:
    """A text field (trip_id, vendor), quoted only when it holds `,` `"` or outer blanks."""
    if text and ("," in text or '"' in text or text[0] in " \t" or text[-1] in " \t"):
        return '"' + text.replace('"', '""') + '"'
    return text


def canonical_csv(rows: Iterable[list[str]]) -> bytes:
    out = [HEADER]
    for row in rows:
        out.append(",".join([_csv_text(row[0]), _csv_text(row[1]), *row[2:]]))
    return ("\n".join(out) + "\n").encode("utf-8", "surrogateescape")
