"""One handler, several storage backends, the same bytes: examples/csv_clean under `lambdaport serve`, first
with `--storage file://…` (local disk), then with `--storage http://…` (moto_server; Ceph's radosgw), given
the same messy CSV. The cleaned object must be byte-identical on each, equal to what this test computes on
its own from the rows it planted, and carry the same ETag (it is large enough to go up as a multipart
upload). The objects on the servers are put and fetched with the AWS CLI v2, not with the SDK under test.

moto runs open here: with signature verification on, moto 5.2.1 refuses even the AWS CLI's own requests
for keys with `+`, `=` or non-ASCII characters (its canonical path differs from botocore's), and this
key has two of those. radosgw verifies every signature, the handler's and the AWS CLI's alike."""

import csv
import hashlib
import io
import os
import random
import subprocess
import unittest
import urllib.parse

from harness import AWS_CLI, EngineTestCase, example
from storage_servers import MotoServer, RadosGW

KEY = "in/trips 2026+été.csv"  # a space, a plus and unicode: encoded differently in URLs and events
RAW, CLEAN = "raw", "clean"
COLUMNS = ["trip_id", "pickup", "zone", "distance_km", "fare", "note"]
ROWS = 200_000  # about 15 MB of CSV: the cleaned object is above the 8 MiB multipart threshold
PART = 8 << 20  # the SDK's default part size and multipart threshold


def plant(seed: int = 7) -> tuple[bytes, bytes, dict]:
    """A messy CSV, the cleaned CSV csv_clean must produce from it, and the counts it must report."""
    rng = random.Random(seed)
    notes = ["", "cash", "card, contactless", 'said "thanks"', "żółw", "日本", "late\tnight", "a,b,c"]
    raw = io.StringIO(newline="")
    clean = io.StringIO(newline="")
    writer = csv.writer(clean, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    raw.write(" , ".join(COLUMNS) + "\r\n")
    counts = {"rows_in": 0, "rows_out": 0, "rejected": 0, "blank": 0, "columns": len(COLUMNS)}

    def messy(field: str) -> str:
        if any(c in field for c in ',"') or rng.random() < 0.1:
            field = '"' + field.replace('"', '""') + '"'
        return " " * rng.randint(0, 2) + field + " " * rng.randint(0, 1)

    for i in range(ROWS):
        kind = rng.random()
        if kind < 0.01:
            raw.write(rng.choice(["", "   ", "\t"]) + rng.choice(["\n", "\r\n"]))
            counts["blank"] += 1
            continue
        fields = [str(i), f"2026-11-{rng.randint(1, 30):02d}T{rng.randint(0, 23):02d}:00:00Z",
                  f"zone-{rng.randint(1, 263)}", f"{rng.uniform(0.1, 40):.2f}", f"{rng.uniform(3, 120):.2f}",
                  rng.choice(notes)]
        counts["rows_in"] += 1
        if kind < 0.03:  # a field too few or too many
            line = ",".join(messy(f) for f in (fields[:-1] if rng.random() < 0.5 else fields + ["x"]))
            counts["rejected"] += 1
        elif kind < 0.04:  # a quote that never closes, or one in the middle of a bare field
            line = ",".join(fields[:-1]) + (',"open' if rng.random() < 0.5 else ',mid"dle')
            counts["rejected"] += 1
        else:
            line = ",".join(messy(f) for f in fields)
            writer.writerow([f.strip(" \t") for f in fields])
            counts["rows_out"] += 1
        raw.write(line + rng.choice(["\n", "\r\n"]))
    return raw.getvalue().encode(), clean.getvalue().encode(), counts


class CsvCleanOnEveryBackend(EngineTestCase):
    @classmethod
    def setUpClass(cls):
        cls.raw, cls.expected, cls.counts = plant()

    def run_aws(self, env: dict, *args: str) -> subprocess.CompletedProcess:
        home = os.path.join(self.tmp, "home")
        os.makedirs(home, exist_ok=True)
        env = dict(env, HOME=home, AWS_PAGER="", AWS_CONFIG_FILE=os.path.join(home, "none"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "none"))
        p = subprocess.run([AWS_CLI, *args], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=300)
        self.assertEqual(p.returncode, 0, f"aws {' '.join(args)}: {p.stderr}")
        return p

    def clean(self, engine, event: dict) -> dict:
        r = engine.invoke("csv_clean", event, timeout=120)
        out = self.assertSuccess(r)
        counts = {k: out[k] for k in self.counts}
        self.assertEqual(counts, self.counts, out)
        self.assertEqual(out["input"]["size"], len(self.raw), out)
        self.assertEqual(out["output"]["size"], len(self.expected), out)
        return out

    FUNCTION = {"csv_clean": {"handler": example("csv_clean"), "timeout": 120, "memory": 256}}

    def clean_on_local_disk(self) -> tuple[dict, bytes]:
        """The raw object as a file dropped into the bucket's folder by another program."""
        data = os.path.join(self.tmp, "data")
        os.makedirs(os.path.join(data, RAW, os.path.dirname(KEY)))
        os.makedirs(os.path.join(data, CLEAN))
        with open(os.path.join(data, RAW, KEY), "wb") as f:
            f.write(self.raw)
        local = self.start_engine(self.FUNCTION, args=["--storage", f"file://{data}"])
        on_disk = self.clean(local, {"bucket": RAW, "key": KEY, "output_bucket": CLEAN})
        with open(os.path.join(data, CLEAN, KEY), "rb") as f:
            local_bytes = f.read()
        self.assertEqual(hashlib.sha256(local_bytes).hexdigest(),
                         hashlib.sha256(self.expected).hexdigest(), "local output differs from the plan")
        local.stop()
        return on_disk, local_bytes

    def clean_on_s3(self, server) -> tuple[dict, bytes]:
        """The same handler binary, told only a different --storage; the engine passes on the
        credentials it was started with. The objects go in and out through the AWS CLI v2."""
        env = server.client_env(server.credentials)
        raw_file = os.path.join(self.tmp, "raw.csv")
        with open(raw_file, "wb") as f:
            f.write(self.raw)
        for bucket in (RAW, CLEAN):
            self.run_aws(env, "--endpoint-url", server.endpoint, "s3api", "create-bucket",
                         "--bucket", bucket)
        self.run_aws(env, "--endpoint-url", server.endpoint, "s3", "cp", raw_file, f"s3://{RAW}/{KEY}")
        engine_env = {k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        remote = self.start_engine(self.FUNCTION, args=["--storage", server.endpoint], env=engine_env)
        # This time as S3 sends it: a notification record with the key form-encoded.
        record = {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                  "s3": {"bucket": {"name": RAW, "arn": f"arn:aws:s3:::{RAW}"},
                         "object": {"key": urllib.parse.quote_plus(KEY, safe="/"),
                                    "size": len(self.raw)}}}
        on_s3 = self.clean(remote, {"Records": [record], "output_bucket": CLEAN})
        out_file = os.path.join(self.tmp, "clean.csv")
        self.run_aws(env, "--endpoint-url", server.endpoint, "s3", "cp", f"s3://{CLEAN}/{KEY}", out_file)
        with open(out_file, "rb") as f:
            return on_s3, f.read()

    def check_same(self, server_name: str, on_disk: dict, local_bytes: bytes, on_s3: dict,
                   s3_bytes: bytes) -> None:
        self.assertEqual(len(s3_bytes), len(local_bytes))
        self.assertTrue(s3_bytes == local_bytes,
                        f"the object cleaned on {server_name} differs from the local one")
        # Same bytes uploaded the same way (8 MiB parts): the same multipart ETag on both backends.
        self.assertGreater(len(self.expected), PART, "the planted data must need a multipart upload")
        parts = -(-len(self.expected) // PART)
        self.assertRegex(on_disk["output"]["etag"], rf'^"[0-9a-f]{{32}}-{parts}"$')
        self.assertEqual(on_s3["output"]["etag"], on_disk["output"]["etag"])

    def test_local_disk_and_moto_give_the_same_bytes(self):
        on_disk, local_bytes = self.clean_on_local_disk()
        with MotoServer(os.path.join(self.tmp, "moto"), auth=False) as moto:
            on_s3, s3_bytes = self.clean_on_s3(moto)
        self.check_same("moto", on_disk, local_bytes, on_s3, s3_bytes)

    def test_local_disk_and_radosgw_give_the_same_bytes(self):
        # Ceph's radosgw verifies every signature: the handler's and the AWS CLI's.
        on_disk, local_bytes = self.clean_on_local_disk()
        with RadosGW(os.path.join(self.tmp, "radosgw")) as rgw:
            on_s3, s3_bytes = self.clean_on_s3(rgw)
        self.check_same("radosgw", on_disk, local_bytes, on_s3, s3_bytes)


if __name__ == "__main__":
    unittest.main()
