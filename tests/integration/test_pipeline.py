"""The pipeline end to end under the real engine: generated messy taxi trips dropped into the `raw` bucket
flow through split → clean (×N, invoked asynchronously through the Invoke API) → analyse → report, and
the outcome is checked against independent answers:

- the cleaned rows, byte for byte, against tests/integration/pipeline_reference.py (FORMAT.md written out
  again in Python);
- every planted fault and repair of the generator's manifest, in the quality reports, file by file;
- every statistic of reports/stats.json against sqlite3 (Debian's CLI) over the cleaned output;
- the same statistics on local disk with 8 mappers and with 1, and on moto's S3 (objects put by the AWS
  CLI v2), apart from when they were made and how many parts each object had; on MinIO too where
  LAMBDAPORT_TEST_MINIO names one (docker compose --profile tests run --rm tests), skipped elsewhere;
- the HTML report, as headless Chromium renders it, against stats.json;
- no handler above its 256 MB (the REPORT lines' Max Memory Used).
"""

from __future__ import annotations

import decimal
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from harness import AWS_CLI, Engine, EngineTestCase, engine_binary, wait_until
from pipeline_reference import canonical_csv, clean_file
from report_dom import chart_values, render_dom
from storage_servers import (REGION, Credentials, Minio, MotoServer, RadosGW, aws_request,
                             fresh_bucket, s3_client_env)

DATA_SIZE = "12MB"
FILES = 4
SEED = 7
PART_BYTES = 1 << 20  # with 8 mappers, every object is cut in 3 or 4 parts
DROP_REASONS = ["malformed", "missing_field", "bad_type", "out_of_range", "duplicate"]
REPAIRS = ["missing_tip", "missing_passengers", "timestamp_format", "payment_label", "latin1_text",
           "decimal_comma"]
PAYMENTS = ["card", "cash", "no_charge", "dispute", "unknown"]
BUCKETS = ["raw", "clean", "analysis", "reports"]
SQLITE = shutil.which("sqlite3") or "/usr/bin/sqlite3"
PIPELINE_DEADLINE = 300.0  # seconds for 12 MB through the pipeline (ASan builds are slow)


def examples_dir() -> str:
    return os.path.abspath(os.environ["LAMBDAPORT_EXAMPLES"])


def generate(out: str) -> dict:
    generator = os.path.join(examples_dir(), "pipeline", "generate", "pipeline_generate")
    p = subprocess.run([generator, "--out", out, "--size", DATA_SIZE, "--files", str(FILES),
                        "--seed", str(SEED), "--format", "mixed"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    with open(os.path.join(out, "manifest.json")) as f:
        return json.load(f)


def pipeline_config(workdir: str, mappers: int) -> str:
    """The build's pipeline.json with the driver's mapper settings for this run."""
    with open(os.path.join(examples_dir(), "pipeline", "pipeline.json")) as f:
        config = json.load(f)
    config["functions"]["split"]["environment"].update({"MAPPERS": str(mappers),
                                                        "PART_BYTES": str(PART_BYTES)})
    path = os.path.join(workdir, "pipeline.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return path


def comparable(stats: dict) -> dict:
    """What must be equal between two runs over the same data."""
    s = dict(stats)
    s.pop("generated_at")
    s["objects"] = [{"bucket": o["bucket"], "key": o["key"]} for o in s["objects"]]
    return s


def half_up(numerator: int, denominator: int) -> float:
    """numerator / denominator rounded to 2 decimals, half away from zero (FORMAT.md)."""
    if denominator == 0:
        return 0.0
    q = decimal.Decimal(numerator) / decimal.Decimal(denominator)
    return float(q.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP))


class PipelineChecks:
    """Runs the pipeline over the same generated data in the ways the subclasses choose."""

    @classmethod
    def setUpClass(cls):
        cls.gen_dir = tempfile.mkdtemp(prefix="lambdaport-pipeline-data-")
        cls.manifest = generate(cls.gen_dir)
        cls.raw_files = sorted(f["key"] for f in cls.manifest["files"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.gen_dir, ignore_errors=True)

    # running it

    def run_pipeline(self, name: str, mappers: int, storage: list[str], env: dict,
                     drop, read) -> dict:
        """Starts the engine with the pipeline, drops the raw files in with `drop(key, path)`, and
        waits until `read(bucket, key)` gives a complete stats.json covering every row."""
        work = os.path.join(self.tmp, name)
        os.makedirs(work)
        args = ["--config", pipeline_config(work, mappers), *storage]
        return self.run_engine(name, work, args, env, drop, read)[0]

    def run_engine(self, name: str, work: str, args: list[str], env: dict, drop, read,
                   reports_bucket: str = "reports") -> tuple[dict, Engine]:
        """run_pipeline's work for any engine arguments (a configuration or a template)."""
        engine = Engine(work, None, args=args, env=env)
        self.engines.append(engine)
        engine.start()
        for key in self.raw_files:
            drop(key, os.path.join(self.gen_dir, key))
        total_rows = self.manifest["totals"]["rows"]

        def finished():
            text = read(reports_bucket, "stats.json")
            if not text:
                return None
            stats = json.loads(text)
            done = stats["complete"] and len(stats["objects"]) == FILES and \
                stats["quality"]["rows"] == total_rows
            return stats if done else None
        stats = wait_until(finished, PIPELINE_DEADLINE, f"the pipeline's report ({name})", interval=0.2)
        self.check_memory(engine)
        return stats, engine

    def local_disk(self, data: str, raw_bucket: str = "raw"):
        """`drop` and `read` for buckets that are folders of `data`: a raw file is renamed into
        place, so it appears whole, as a PUT would."""
        def drop(key: str, path: str) -> None:
            staging = os.path.join(self.tmp, "staging-" + os.path.basename(key))
            shutil.copyfile(path, staging)
            target = os.path.join(data, raw_bucket, key)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.rename(staging, target)

        def read(bucket: str, key: str) -> str | None:
            try:
                with open(os.path.join(data, bucket, key), encoding="utf-8") as f:
                    return f.read()
            except FileNotFoundError:
                return None
        return drop, read

    def on_s3(self, endpoint: str, creds: Credentials, raw_bucket: str = "raw"):
        """`drop` (the AWS CLI v2's `s3 cp`) and `read` for buckets on an S3-compatible server."""
        home = os.path.join(self.tmp, "home")
        os.makedirs(home, exist_ok=True)

        def drop(key: str, path: str) -> None:
            cli_env = s3_client_env(endpoint, creds)
            cli_env.update({"HOME": home, "AWS_CONFIG_FILE": os.path.join(home, "none"),
                            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "none")})
            p = subprocess.run([AWS_CLI, "--endpoint-url", endpoint, "s3", "cp", path,
                                f"s3://{raw_bucket}/{key}"], env=cli_env, capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)

        def read(bucket: str, key: str) -> str | None:
            r = aws_request(endpoint, "GET", f"/{bucket}/{key}", credentials=creds, service="s3")
            return r.body.decode() if r.status == 200 else None
        return drop, read

    def check_memory(self, engine: Engine) -> None:
        used = [int(m) for m in re.findall(r"Max Memory Used: (\d+) MB", engine.output())]
        self.assertTrue(used, "no REPORT lines")
        self.assertLessEqual(max(used), 256, "a handler went past its 256 MB")

    # the checks

    def check_quality(self, parts: dict[str, list[dict]]) -> None:
        """Quality reports against the manifest, file by file."""
        for f in self.manifest["files"]:
            reports = sorted(parts[f["key"]], key=lambda r: r["source"]["part"])
            n = reports[0]["source"]["parts"]
            self.assertEqual([r["source"]["part"] for r in reports], list(range(n)), f["key"])
            total = {"rows": 0, "clean": 0, "dropped": dict.fromkeys(DROP_REASONS, 0),
                     "repaired": dict.fromkeys(REPAIRS, 0)}
            for r in reports:
                total["rows"] += r["rows"]
                total["clean"] += r["clean"]
                for k in DROP_REASONS:
                    total["dropped"][k] += r["dropped"][k]
                for k in REPAIRS:
                    total["repaired"][k] += r["repaired"][k]
            self.assertEqual(total, {k: f[k] for k in ("rows", "clean", "dropped", "repaired")}, f["key"])

    def check_cleaned_rows(self, cleaned: dict[str, bytes]) -> None:
        """The cleaned parts of each file, joined, against the reference cleaner's output."""
        for key in self.raw_files:
            rows, _ = clean_file(os.path.join(self.gen_dir, key))
            self.assertEqual(cleaned[key], canonical_csv(rows), key)

    def sqlite_answers(self, csv_files: list[str]) -> dict:
        db = os.path.join(self.tmp, f"trips-{len(os.listdir(self.tmp))}.db")
        script = ["CREATE TABLE trips(trip_id TEXT, vendor TEXT, pickup_at TEXT, dropoff_at TEXT, "
                  "pickup_zone INTEGER, dropoff_zone INTEGER, passengers INTEGER, distance_mi REAL, "
                  "fare REAL, tip REAL, payment TEXT);"]
        script += [f".import --csv --skip 1 '{path}' trips" for path in csv_files]
        script.append("CREATE VIEW t AS SELECT *, CAST(ROUND(fare * 100) AS INTEGER) AS fare_c, "
                      "CAST(ROUND(tip * 100) AS INTEGER) AS tip_c, "
                      "CAST(ROUND(distance_mi * 100) AS INTEGER) AS dist_c, "
                      "strftime('%s', dropoff_at) - strftime('%s', pickup_at) AS seconds FROM trips;")
        p = subprocess.run([SQLITE, db], input="\n".join(script), capture_output=True, text=True,
                           timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")

        def query(sql: str) -> list[dict]:
            q = subprocess.run([SQLITE, "-json", db, sql], capture_output=True, text=True, timeout=300)
            self.assertEqual(q.returncode, 0, q.stderr)
            return json.loads(q.stdout or "[]")

        totals = query("SELECT COUNT(*) AS count, SUM(passengers) AS passengers, SUM(fare_c) AS fare, "
                       "SUM(tip_c) AS tip, SUM(dist_c) AS distance, SUM(seconds) AS seconds, "
                       "MIN(fare_c) AS fare_min, MAX(fare_c) AS fare_max, MAX(dist_c) AS dist_max, "
                       "MAX(tip_c) AS tip_max FROM t")[0]
        n = totals["count"]
        quantiles = {}
        for name, q in (("p50", 0.50), ("p90", 0.90), ("p99", 0.99)):
            offset = int(q * (n - 1))
            quantiles[name] = query(f"SELECT fare_c FROM t ORDER BY fare_c LIMIT 1 OFFSET {offset}")[0]["fare_c"]
        return {
            "totals": totals,
            "hours": query("SELECT CAST(strftime('%H', pickup_at) AS INTEGER) AS hour, COUNT(*) AS trips, "
                           "SUM(fare_c) AS fare FROM t GROUP BY hour ORDER BY hour"),
            "payments": {r["payment"]: r["n"] for r in query(
                "SELECT payment, COUNT(*) AS n FROM t GROUP BY payment")},
            "zones": query("SELECT pickup_zone AS zone, COUNT(*) AS trips, SUM(fare_c) AS fare FROM t "
                           "GROUP BY pickup_zone ORDER BY trips DESC, zone ASC"),
            "histogram": {r["bin"]: r["n"] for r in query(
                "SELECT MIN(fare_c / 500, 20) AS bin, COUNT(*) AS n FROM t GROUP BY bin")},
            "quantiles": quantiles,
        }

    def check_against_sqlite(self, stats: dict, csv_files: list[str]) -> None:
        sql = self.sqlite_answers(csv_files)
        t = sql["totals"]
        n = t["count"]
        self.assertGreater(n, 10_000)
        self.assertEqual(stats["trips"], {
            "count": n, "passengers": t["passengers"], "fare_cents": t["fare"], "tip_cents": t["tip"],
            "distance_centimiles": t["distance"], "duration_seconds": t["seconds"],
            "fare_min_cents": t["fare_min"], "fare_max_cents": t["fare_max"],
            "distance_max_centimiles": t["dist_max"], "tip_max_cents": t["tip_max"]})
        self.assertEqual(stats["averages"], {
            "fare": half_up(t["fare"], 100 * n), "tip": half_up(t["tip"], 100 * n),
            "distance_mi": half_up(t["distance"], 100 * n), "duration_min": half_up(t["seconds"], 60 * n),
            "passengers": half_up(t["passengers"], n)})
        hours = {r["hour"]: r for r in sql["hours"]}
        self.assertEqual(stats["by_hour"], [
            {"hour": h, "trips": hours.get(h, {}).get("trips", 0), "fare_cents": hours.get(h, {}).get("fare", 0)}
            for h in range(24)])
        self.assertEqual(stats["by_payment"], {p: sql["payments"].get(p, 0) for p in PAYMENTS})
        self.assertEqual(stats["zones"], len(sql["zones"]))
        self.assertEqual(stats["top_zones"], [{"zone": z["zone"], "trips": z["trips"], "fare_cents": z["fare"]}
                                              for z in sql["zones"][:10]])
        self.assertEqual([b["count"] for b in stats["fare_histogram"]],
                         [sql["histogram"].get(b, 0) for b in range(21)])
        # Quantiles come from a sketch: within its 1 % (plus the rounding to cents) of the exact ones.
        for name, exact_cents in sql["quantiles"].items():
            got = stats["fare_quantiles"][name] * 100
            self.assertLessEqual(abs(got - exact_cents), 0.01 * exact_cents + 0.5, name)

    def check_report_html(self, html_path: str, stats: dict) -> None:
        dom = render_dom(html_path, self.tmp)
        charts = chart_values(dom)
        self.assertEqual(charts["fare-histogram"], [b["count"] for b in stats["fare_histogram"]])
        self.assertEqual(charts["trips-by-hour"], [h["trips"] for h in stats["by_hour"]])
        self.assertEqual(charts["top-zones"], [z["trips"] for z in stats["top_zones"]])
        quality = stats["quality"]
        self.assertEqual(charts["data-quality"],
                         [quality["clean"]] + [quality["dropped"][k] for k in DROP_REASONS] +
                         [quality["repaired"][k] for k in REPAIRS])
        self.assertIn(f"{stats['trips']['count']:,}", dom.find("body").text())


def adversarial_lines(rng: random.Random, fmt: str, n: int) -> bytes:
    """Lines aimed at the corners of FORMAT.md — quoting, blanks, line ends, lengths, encodings,
    numbers, times, labels — each a valid row with zero to three fields replaced at random."""
    def valid(i: int) -> list[bytes]:
        return [f"A{i % 3000}".encode(), rng.choice([b"", "Café Taxi".encode(), b'"Zo, ""Z"""', b'" pad "']),
                b"2026-11-03 08:15:00", b"2026-11-03 08:40:30", str(rng.randint(1, 263)).encode(),
                str(rng.randint(1, 263)).encode(), str(rng.randint(0, 9)).encode(), b"5.25", b"18.50",
                b"3.70", b"card"]
    mutations = [b"", b" ", b"\t", b"-1", b"0", b"263", b"264", b"9", b"10", b"200", b"200.01", b"1000",
                 b"1000.01", b"500.01", b"12,50", b'"12,50"', b"1.234", b".5", b"5.", b"1e2", b"abc",
                 b"2026-02-29 10:00:00", b"2024-02-29 10:00:00", b"2026-11-03T08:15:00Z",
                 b"11/03/2026 08:15:00", b"1793693700", b"2019-12-31 23:59:59", b"2030-01-01 00:00:00",
                 b"2026-11-04 08:40:31", b"CARD", b"Credit Card", b"credit", b"no-charge", b"NOCHARGE",
                 b'" cash "', b"bitcoin", b"Dispute", b"unknown", b'""', b'"a"b', b'a"b', b"Caf\xe9",
                 b"\xc3", b'"q""q"', b'"unterminated']
    keys = ["trip_id", "vendor", "pickup_at", "dropoff_at", "pickup_zone", "dropoff_zone",
            "passengers", "distance_mi", "fare", "tip", "payment"]
    numeric = {"pickup_zone", "dropoff_zone", "passengers", "distance_mi", "fare", "tip"}
    out = bytearray()
    if fmt == "csv":
        out += (b"\xef\xbb\xbf" if rng.random() < 0.5 else b"") + ",".join(keys).encode() + b"\n"
    for i in range(n):
        fields = valid(i)
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            fields[rng.randrange(11)] = rng.choice(mutations)
        roll = rng.random()
        if fmt == "csv":
            line = b",".join(fields) if roll > 0.02 else b"only,three,fields"
        else:
            obj = {}
            for k, raw in zip(keys, fields):
                v = raw.decode("utf-8", "replace").strip('"')
                choice = rng.random()
                if choice < 0.05:
                    continue  # absent
                if choice < 0.08:
                    obj[k] = None
                elif k in numeric and choice < 0.5 and re.fullmatch(r"-?\d+(\.\d+)?(e\d+)?", v):
                    obj[k] = json.loads(v)
                else:
                    obj[k] = v
            line = json.dumps(obj, ensure_ascii=rng.random() < 0.5).encode()
            if roll < 0.02:
                line = line[: len(line) // 2]
            elif roll < 0.03:
                line = b"[1, 2]"
        if rng.random() < 0.01:
            line += b" " * 600  # too long
        if rng.random() < 0.01:
            line = b" \t" * 300  # blank, and long
        if rng.random() < 0.005:
            line += b"\r"  # a lone CR: before a CRLF, or content
        out += line + (b"\r\n" if rng.random() < 0.3 else b"\n")
    if rng.random() < 0.5:
        out = out.rstrip(b"\r\n") + b"\r"  # a last line without its '\n'
    return bytes(out)


class Cleaners(unittest.TestCase):
    """The engine's cleaner (through pipeline_plain, on local disk) and the Python reference of
    FORMAT.md agree on every row of files aimed at the format's corners."""

    def test_both_cleaners_agree_on_adversarial_lines(self):
        tmp = tempfile.mkdtemp(prefix="lambdaport-cleaners-")
        self.addCleanup(shutil.rmtree, tmp, True)
        data = os.path.join(tmp, "data")
        for bucket in BUCKETS:
            os.makedirs(os.path.join(data, bucket))
        os.makedirs(os.path.join(data, "raw", "trips"))
        files = {}
        for seed in range(6):
            rng = random.Random(seed)
            fmt = "csv" if seed % 2 == 0 else "jsonl"
            name = f"trips/adversarial-{seed}.{fmt}"
            files[name] = adversarial_lines(rng, fmt, 4000)
            with open(os.path.join(data, "raw", name), "wb") as f:
                f.write(files[name])
        p = subprocess.run([os.path.join(examples_dir(), "pipeline", "plain", "pipeline_plain"),
                            "--storage", data], capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        for name, raw in files.items():
            with self.subTest(name):
                rows, report = clean_file(raw, fmt=name.rsplit(".", 1)[1])
                base = name[len("trips/"):] + ".part-0000-of-0001"
                with open(os.path.join(data, "clean", "trips", base + ".csv"), "rb") as f:
                    self.assertEqual(f.read(), canonical_csv(rows))
                with open(os.path.join(data, "clean", "quality", base + ".json")) as f:
                    ours = json.load(f)
                for k in ("rows", "clean", "dropped", "repaired"):
                    self.assertEqual(ours[k], report[k], k)
                self.assertGreater(sum(report["dropped"].values()), 100)


class PipelineOnLocalDisk(PipelineChecks, EngineTestCase):
    def local_run(self, name: str, mappers: int) -> tuple[dict, str]:
        data = os.path.join(self.tmp, f"{name}-data")
        for bucket in BUCKETS:
            os.makedirs(os.path.join(data, bucket))  # a bucket on local disk is a folder
        drop, read = self.local_disk(data)
        return self.run_pipeline(name, mappers, ["--storage", data], {}, drop, read), data

    def test_eight_mappers_and_one_give_the_same_statistics_and_both_are_right(self):
        stats, data = self.local_run("eight", 8)
        self.assertTrue(all(o["parts"] > 1 for o in stats["objects"]), stats["objects"])

        quality_dir = os.path.join(data, "clean", "quality")
        parts: dict[str, list[dict]] = {}
        for name in os.listdir(quality_dir):
            with open(os.path.join(quality_dir, name)) as f:
                report = json.load(f)
            parts.setdefault(report["source"]["key"], []).append(report)
        self.check_quality(parts)

        cleaned: dict[str, bytes] = {}
        csv_files = []
        for key, reports in parts.items():
            body = b""
            for r in sorted(reports, key=lambda r: r["source"]["part"]):
                path = os.path.join(data, "clean", r["output"]["key"])
                csv_files.append(path)
                with open(path, "rb") as f:
                    text = f.read()
                header, _, rows = text.partition(b"\n")
                body = body or header + b"\n"
                body += rows
            cleaned[key] = body
        self.check_cleaned_rows(cleaned)
        self.check_against_sqlite(stats, csv_files)
        self.check_report_html(os.path.join(data, "reports", "report.html"), stats)

        one, _ = self.local_run("one", 1)
        self.assertTrue(all(o["parts"] == 1 for o in one["objects"]), one["objects"])
        self.assertEqual(comparable(one), comparable(stats))


class PipelineOnS3(PipelineChecks):
    """The pipeline on an S3-compatible server, against pipeline_plain on local disk."""

    def run_on_s3(self, name: str, endpoint: str, creds: Credentials) -> dict:
        """Runs the pipeline with `--storage endpoint` (its buckets must exist, empty), the raw
        objects put by the AWS CLI v2; returns stats.json."""
        # The engine's own environment: the credentials (--storage names the endpoint).
        env = s3_client_env(endpoint, creds, base={})
        env.pop("AWS_ENDPOINT_URL_S3")
        drop, read = self.on_s3(endpoint, creds)

        return self.run_pipeline(name, 8, ["--storage", endpoint], env, drop, read)

    def make_buckets(self, endpoint: str, creds: Credentials) -> None:
        for bucket in BUCKETS:
            r = aws_request(endpoint, "PUT", f"/{bucket}", credentials=creds, service="s3")
            self.assertEqual(r.status, 200, str(r))

    def plain_local_stats(self) -> dict:
        """stats.json of pipeline_plain over the same raw files on local disk."""
        data = os.path.join(self.tmp, "local-data")
        os.makedirs(os.path.join(data, "raw", "trips"))
        for bucket in BUCKETS[1:]:
            os.makedirs(os.path.join(data, bucket))
        for key in self.raw_files:
            shutil.copyfile(os.path.join(self.gen_dir, key), os.path.join(data, "raw", key))
        plain = subprocess.run([os.path.join(examples_dir(), "pipeline", "plain", "pipeline_plain"),
                                "--storage", data], capture_output=True, text=True, timeout=300)
        self.assertEqual(plain.returncode, 0, plain.stderr)
        with open(os.path.join(data, "reports", "stats.json")) as f:
            return json.load(f)


class PipelineOnMoto(PipelineOnS3, EngineTestCase):
    def test_on_moto_s3_the_statistics_are_those_of_local_disk(self):
        # Without signature checks: moto 5.2.1 rejects correctly signed listings with a prefix such
        # as trips/ (storage_servers.MotoServer says why); the storage suite checks the signing.
        with MotoServer(os.path.join(self.tmp, "moto"), auth=False) as moto:
            self.make_buckets(moto.endpoint, moto.credentials)
            on_s3 = self.run_on_s3("on-moto", moto.endpoint, moto.credentials)
        # The plain runner cleans every object whole: the statistics must not care.
        self.assertEqual(comparable(on_s3), comparable(self.plain_local_stats()))


class PipelineOnRadosGW(PipelineOnS3, EngineTestCase):
    def test_on_radosgw_sigv4_verified_the_statistics_are_those_of_local_disk(self):
        # Ceph's radosgw verifies every signature, prefixed listings and all (moto cannot).
        with RadosGW(os.path.join(self.tmp, "radosgw")) as rgw:
            self.make_buckets(rgw.endpoint, rgw.admin)
            on_rgw = self.run_on_s3("on-radosgw", rgw.endpoint, rgw.admin)
        self.assertEqual(comparable(on_rgw), comparable(self.plain_local_stats()))


class PipelineOnMinio(PipelineOnS3, EngineTestCase):
    """On the MinIO LAMBDAPORT_TEST_MINIO names (storage_servers.Minio), SigV4 verified. Its
    pipeline buckets are emptied first: it must be a MinIO for tests."""

    @classmethod
    def setUpClass(cls):
        cls.minio = Minio.from_environment()
        if cls.minio is None:
            raise unittest.SkipTest("no MinIO: LAMBDAPORT_TEST_MINIO is not set (docker compose "
                                    "--profile tests run --rm tests sets it)")
        cls.minio.wait_ready()
        super().setUpClass()

    def test_on_minio_the_statistics_are_those_of_local_disk(self):
        for bucket in BUCKETS:
            fresh_bucket(self.minio.endpoint, self.minio.credentials, bucket)
        on_minio = self.run_on_s3("on-minio", self.minio.endpoint, self.minio.credentials)
        self.assertEqual(comparable(on_minio), comparable(self.plain_local_stats()))


if __name__ == "__main__":
    unittest.main()
