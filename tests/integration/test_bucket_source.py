"""The bucket event source: new objects become S3 notification records, one per invocation, as Amazon S3
sends them; nothing is lost across restarts and kill -9.

Three backends, one configuration:
- local disk (`--storage DIR`): files written into the bucket's folder, by an atomic rename or in place,
  are seen through inotify;
- moto_server's S3 (`--storage http://…`): objects put by the AWS CLI v2 are found by listing;
- Ceph's radosgw (`"mode": "push"`): the engine sets radosgw up (an SNS topic pushing to the engine's
  notification endpoint, the bucket's notification) and radosgw POSTs each new object's record; a
  listing every rescan_interval is the safety net. Checked: records as Amazon's, sent-twice records
  delivered once, malformed and unauthenticated pushes refused, kill -9 and a radosgw restart.

The handler is examples/record, which appends every event it receives to a JSON-lines file. Records are
checked field by field against what this test wrote and computed itself (MD5 ETags, form-encoded keys).
"""

import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
import unittest
import urllib.parse

from harness import AWS_CLI, EngineTestCase, engine_binary, example, http_request, wait_until
from storage_servers import MotoServer, RadosGW, aws_request

AWKWARD_KEYS = [
    "in/plain.csv",
    "in/with space.csv",
    "in/plus+sign.csv",
    "in/été/日本.csv",
    "in/100%.csv",
    "in/semi;colon=eq&amp.csv",
    "in/deep/er/still/x.csv",
]
IGNORED_KEYS = ["out/x.csv", "in/notes.txt"]  # outside the prefix / suffix filters


def s3_form_encode(key: str) -> str:
    """S3's encoding of keys in event records, written out independently of the engine's: UTF-8 bytes,
    letters, digits and -_.*/ kept, a space as +, everything else %XX (upper case)."""
    out = []
    for b in key.encode():
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-_.*/"):
            out.append(c)
        elif c == " ":
            out.append("+")
        else:
            out.append(f"%{b:02X}")
    return "".join(out)


class Recorder:
    """Reads what examples/record wrote: one JSON line per invocation."""

    def __init__(self, folder: str, function: str):
        self.path = os.path.join(folder, f"{function}.jsonl")

    def lines(self) -> list[dict]:
        try:
            with open(self.path, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.endswith("\n")]
        except FileNotFoundError:
            return []

    def records(self) -> list[dict]:
        out = []
        for line in self.lines():
            records = line["event"]["Records"]
            assert len(records) == 1, f"S3 sends one record per notification, got {len(records)}"
            out.append(records[0])
        return out

    def keys(self) -> list[str]:
        return [urllib.parse.unquote_plus(r["s3"]["object"]["key"]) for r in self.records()]


class BucketSourceChecks:
    """Checks shared by both backends."""

    def check_record(self, record: dict, bucket: str, key: str, body: bytes, etag: str | None = None,
                     event_name: str = "ObjectCreated:Put"):
        self.assertEqual(record["eventVersion"], "2.1")
        self.assertEqual(record["eventSource"], "aws:s3")
        self.assertEqual(record["awsRegion"], "us-east-1")
        self.assertEqual(record["eventName"], event_name)
        self.assertRegex(record["eventTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertIn("principalId", record["userIdentity"])
        self.assertIn("sourceIPAddress", record["requestParameters"])
        self.assertIn("x-amz-request-id", record["responseElements"])
        s3 = record["s3"]
        self.assertEqual(s3["s3SchemaVersion"], "1.0")
        self.assertEqual(s3["configurationId"], "raw")
        self.assertEqual(s3["bucket"]["name"], bucket)
        self.assertEqual(s3["bucket"]["arn"], f"arn:aws:s3:::{bucket}")
        self.assertIn("principalId", s3["bucket"]["ownerIdentity"])
        obj = s3["object"]
        self.assertEqual(obj["key"], s3_form_encode(key))
        self.assertEqual(obj["size"], len(body))
        self.assertEqual(obj["eTag"], etag or hashlib.md5(body).hexdigest())
        self.assertRegex(obj["sequencer"], r"^[0-9A-F]{16}$")


class LocalDiskBucketSource(EngineTestCase, BucketSourceChecks):
    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.tmp, "data")
        self.rec_dir = os.path.join(self.tmp, "rec")
        os.makedirs(os.path.join(self.data, "raw"))
        os.makedirs(self.rec_dir)
        self.recorder = Recorder(self.rec_dir, "rec")

    def functions(self, **event) -> dict:
        ev = {"type": "s3", "bucket": "raw", "prefix": "in/", "suffix": ".csv", **event}
        return {"rec": {"handler": example("record"), "environment": {"RECORD_DIR": self.rec_dir},
                        "async": {"max_retry_attempts": 1, "retry_delays": [0.05]},
                        "events": {"raw": ev}}}

    def start(self, **event):
        return self.start_engine(self.functions(**event), args=["--storage", self.data])

    def put(self, key: str, body: bytes, atomic: bool = True) -> None:
        path = os.path.join(self.data, "raw", key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if atomic:
            tmp = os.path.join(self.tmp, "tmp-" + hashlib.md5(key.encode()).hexdigest())
            with open(tmp, "wb") as f:
                f.write(body)
            os.rename(tmp, path)
        else:
            with open(path, "wb") as f:  # written in place: the close counts
                f.write(body[:1])
                f.flush()
                f.write(body[1:])

    def wait_records(self, n: int, timeout: float = 20.0) -> list[dict]:
        return wait_until(lambda: len(self.recorder.lines()) >= n and self.recorder.records(), timeout,
                          f"{n} records")

    def test_new_files_become_s3_records(self):
        self.start()
        bodies = {}
        for i, key in enumerate(AWKWARD_KEYS + IGNORED_KEYS):
            body = f"row,{i}\n".encode() * (i + 1)
            bodies[key] = body
            self.put(key, body, atomic=i % 2 == 0)
        records = self.wait_records(len(AWKWARD_KEYS))
        time.sleep(0.3)  # anything else would have arrived by now: the ignored keys must not
        records = self.recorder.records()
        self.assertEqual(sorted(self.recorder.keys()), sorted(AWKWARD_KEYS))
        for r in records:
            key = urllib.parse.unquote_plus(r["s3"]["object"]["key"])
            self.check_record(r, "raw", key, bodies[key])

    def test_files_present_before_start_are_delivered_unless_existing_is_false(self):
        self.put("in/before.csv", b"old\n")
        engine = self.start()
        self.wait_records(1)
        self.assertEqual(self.recorder.keys(), ["in/before.csv"])
        engine.stop()

        other = os.path.join(self.tmp, "rec2")
        os.makedirs(other)
        functions = self.functions(existing=False)
        functions["rec"]["environment"]["RECORD_DIR"] = other
        self.put("in/also-before.csv", b"old too\n")
        self.start_engine(functions, args=["--storage", self.data],
                          state_dir=os.path.join(self.tmp, "fresh-state"))
        self.put("in/after.csv", b"new\n")
        wait_until(lambda: Recorder(other, "rec").lines(), 20, "the new object's record")
        time.sleep(0.3)
        self.assertEqual(Recorder(other, "rec").keys(), ["in/after.csv"])

    def test_restart_delivers_what_arrived_meanwhile_and_nothing_twice(self):
        engine = self.start()
        for i in range(3):
            self.put(f"in/{i}.csv", f"{i}\n".encode())
        self.wait_records(3)
        engine.stop()
        self.put("in/3.csv", b"3\n")  # arrives while the engine is down
        self.put("in/0.csv", b"0 changed\n")  # a new ETag: a new event
        self.restart_engine(engine)
        self.wait_records(5)
        time.sleep(0.5)
        keys = self.recorder.keys()
        self.assertEqual(len(keys), 5, keys)
        self.assertEqual(sorted(keys), ["in/0.csv", "in/0.csv", "in/1.csv", "in/2.csv", "in/3.csv"])
        etags = {r["s3"]["object"]["eTag"] for r in self.recorder.records()
                 if r["s3"]["object"]["key"] == "in/0.csv"}
        self.assertEqual(etags, {hashlib.md5(b"0\n").hexdigest(), hashlib.md5(b"0 changed\n").hexdigest()})

    def test_failing_invocations_are_retried_then_recorded_to_the_failure_destination(self):
        engine = self.start()
        self.put("in/ERROR.csv", b"boom\n")
        failures = os.path.join(engine.state_dir, "failures", "rec")
        files = wait_until(lambda: os.path.isdir(failures) and os.listdir(failures), 20,
                           "a failure destination record")
        with open(os.path.join(failures, files[0])) as f:
            record = json.load(f)
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(record["requestPayload"]["Records"][0]["s3"]["object"]["key"], "in/ERROR.csv")
        self.assertEqual(len(self.recorder.lines()), 2)  # the first try and one retry
        status = json.loads(http_request(engine.host, engine.port, "GET", "/lambdaport/status", b"",
                                         {}, 10).body)
        self.assertEqual((status["sources"][0]["delivered"], status["sources"][0]["failed"]), (1, 1))

    def test_status_shows_the_source(self):
        engine = self.start()
        for i in range(4):
            self.put(f"in/{i}.csv", b"x\n")
        self.wait_records(4)
        status = json.loads(http_request(engine.host, engine.port, "GET", "/lambdaport/status", b"", {}, 10).body)
        [source] = status["sources"]
        self.assertEqual((source["function"], source["event"], source["type"], source["mode"]),
                         ("rec", "raw", "s3", "watch"))
        self.assertEqual(source["delivered"], 4)
        self.assertEqual(source["failed"], 0)

    def test_kill_9_in_a_stream_of_2000_objects_loses_none(self):
        engine = self.start()
        total = 2000
        keys = [f"in/stream/{i:05d}.csv" for i in range(total)]

        def writer():
            for i, key in enumerate(keys):
                self.put(key, f"{i}\n".encode())

        t = threading.Thread(target=writer)
        t.start()
        try:
            wait_until(lambda: len(self.recorder.lines()) >= 400, 60, "400 deliveries before the kill")
            engine.kill9()
        finally:
            t.join()
        before = len(self.recorder.lines())
        self.restart_engine(engine)
        wait_until(lambda: set(keys) <= set(self.recorder.keys()), 120, "every object delivered")
        time.sleep(0.5)
        delivered = self.recorder.keys()
        duplicates = len(delivered) - len(set(delivered))
        self.assertEqual(set(delivered), set(keys))
        print(f"\n[kill -9, local disk] {total} objects, {before} delivered before the kill, "
              f"{len(delivered)} deliveries in all, {duplicates} duplicates", flush=True)


class S3PollingBucketSource(EngineTestCase, BucketSourceChecks):
    """moto_server's S3, open (awkward keys: see storage_servers.MotoServer on moto's signature checks)."""

    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer(auth=False).start()

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        super().setUp()
        self.bucket = f"raw-{int(time.monotonic_ns() % 10**9)}"
        self.rec_dir = os.path.join(self.tmp, "rec")
        os.makedirs(self.rec_dir)
        self.recorder = Recorder(self.rec_dir, "rec")
        r = self.cli("s3api", "create-bucket", "--bucket", self.bucket)
        self.assertEqual(r.returncode, 0, r.stderr)

    def cli(self, *args: str):
        env = self.moto.client_env(self.moto.credentials)
        env.update({"HOME": self.tmp, "AWS_PAGER": "",
                    "AWS_CONFIG_FILE": os.path.join(self.tmp, "none"),
                    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.tmp, "none")})
        return subprocess.run([AWS_CLI, "--endpoint-url", self.moto.endpoint, "--output", "json", *args],
                              env=env, capture_output=True, text=True, timeout=120)

    def start(self, **event):
        functions = {"rec": {"handler": example("record"), "environment": {"RECORD_DIR": self.rec_dir},
                             "events": {"raw": {"type": "s3", "bucket": self.bucket, "prefix": "in/",
                                                "suffix": ".csv", "poll_interval": 0.1, **event}}}}
        env = self.moto.client_env(self.moto.credentials, base={})
        env.pop("AWS_ENDPOINT_URL_S3")
        return self.start_engine(functions, args=["--storage", self.moto.endpoint], env=env)

    def test_objects_put_by_the_aws_cli_become_s3_records(self):
        self.start()
        etags, bodies = {}, {}
        for i, key in enumerate(AWKWARD_KEYS + IGNORED_KEYS):
            path = os.path.join(self.tmp, f"body-{i}")
            bodies[key] = f"line {i}\n".encode() * (i + 1)
            with open(path, "wb") as f:
                f.write(bodies[key])
            r = self.cli("s3api", "put-object", "--bucket", self.bucket, "--key", key, "--body", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            etags[key] = json.loads(r.stdout)["ETag"].strip('"')
        wait_until(lambda: len(self.recorder.lines()) >= len(AWKWARD_KEYS), 30, "a record per object")
        time.sleep(0.5)
        self.assertEqual(sorted(self.recorder.keys()), sorted(AWKWARD_KEYS))
        for r in self.recorder.records():
            key = urllib.parse.unquote_plus(r["s3"]["object"]["key"])
            self.check_record(r, self.bucket, key, bodies[key], etags[key])

    def test_multipart_uploads_are_complete_multipart_upload_events_and_filters_apply(self):
        self.start(events=["s3:ObjectCreated:CompleteMultipartUpload"])
        big = os.path.join(self.tmp, "big")
        with open(big, "wb") as f:
            f.write(os.urandom(9 << 20))  # above the CLI's 8 MiB multipart threshold: two parts
        small = os.path.join(self.tmp, "small")
        with open(small, "wb") as f:
            f.write(b"small\n")
        for path, key in ((small, "in/small.csv"), (big, "in/big.csv")):
            r = self.cli("s3", "cp", path, f"s3://{self.bucket}/{key}")
            self.assertEqual(r.returncode, 0, r.stderr)
        head = json.loads(self.cli("s3api", "head-object", "--bucket", self.bucket, "--key",
                                   "in/big.csv").stdout)
        self.assertTrue(head["ETag"].endswith('-2"'), head)
        wait_until(lambda: self.recorder.lines(), 30, "the multipart object's record")
        time.sleep(0.5)  # the small object's PUT event is filtered out
        [record] = self.recorder.records()
        with open(big, "rb") as f:
            self.check_record(record, self.bucket, "in/big.csv", f.read(), head["ETag"].strip('"'),
                              "ObjectCreated:CompleteMultipartUpload")

    def test_kill_9_in_a_stream_of_2000_objects_loses_none(self):
        engine = self.start()
        total = 2000
        keys = [f"in/stream/{i:05d}.csv" for i in range(total)]

        def writer():
            for i, key in enumerate(keys):
                r = aws_request(self.moto.endpoint, "PUT", f"/{self.bucket}/{key}",
                                credentials=self.moto.credentials, service="s3", body=f"{i}\n".encode())
                assert r.status == 200, r

        t = threading.Thread(target=writer)
        t.start()
        try:
            wait_until(lambda: len(self.recorder.lines()) >= 300, 120, "300 deliveries before the kill")
            engine.kill9()
        finally:
            t.join()
        before = len(self.recorder.lines())
        self.restart_engine(engine)
        wait_until(lambda: set(keys) <= set(self.recorder.keys()), 180, "every object delivered")
        time.sleep(0.5)
        delivered = self.recorder.keys()
        duplicates = len(delivered) - len(set(delivered))
        self.assertEqual(set(delivered), set(keys))
        print(f"\n[kill -9, moto S3] {total} objects, {before} delivered before the kill, "
              f"{len(delivered)} deliveries in all, {duplicates} duplicates", flush=True)


class RadosGWPushedBucketSource(EngineTestCase, BucketSourceChecks):
    """Notifications pushed by Ceph's radosgw (SigV4 verified) to the engine."""

    @classmethod
    def setUpClass(cls):
        cls.rgw = RadosGW().start()

    @classmethod
    def tearDownClass(cls):
        cls.rgw.stop()
        shutil.rmtree(cls.rgw.workdir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.bucket = f"push-{int(time.monotonic_ns() % 10**9)}"
        self.rec_dir = os.path.join(self.tmp, "rec")
        os.makedirs(self.rec_dir)
        self.recorder = Recorder(self.rec_dir, "rec")
        r = aws_request(self.rgw.endpoint, "PUT", f"/{self.bucket}", credentials=self.rgw.admin,
                        service="s3")
        self.assertEqual(r.status, 200, str(r))

    def start(self, **event):
        ev = {"type": "s3", "bucket": self.bucket, "prefix": "in/", "suffix": ".csv", "mode": "push",
              "rescan_interval": 3600, **event}
        functions = {"rec": {"handler": example("record"), "environment": {"RECORD_DIR": self.rec_dir},
                             "events": {"raw": ev}}}
        env = self.rgw.client_env(self.rgw.admin, base={})
        env.pop("AWS_ENDPOINT_URL_S3")
        return self.start_engine(functions, args=["--storage", self.rgw.endpoint], env=env)

    def put(self, key: str, body: bytes) -> str:
        r = aws_request(self.rgw.endpoint, "PUT", f"/{self.bucket}/{key}", credentials=self.rgw.admin,
                        service="s3", body=body)
        assert r.status == 200, r
        return hashlib.md5(body).hexdigest()

    def status_source(self, engine) -> dict:
        status = json.loads(http_request("127.0.0.1", engine.port, "GET", "/lambdaport/status", b"",
                                         {}, 5.0).body)
        [source] = status["sources"]
        return source

    def wait_pushing(self, engine) -> None:
        """Puts objects until one arrives by push: radosgw applies a new notification
        configuration about 2 s after it was set, and pushes nothing for what was put before."""
        deadline = time.monotonic() + 60
        i = 0
        while self.status_source(engine)["pushed"] == 0:
            self.assertLess(time.monotonic(), deadline, "radosgw never pushed")
            self.put(f"in/warm-up/{i}.csv", b"w\n")
            i += 1
            time.sleep(0.5)

    def pushed_keys(self) -> list[str]:
        return [k for k in self.recorder.keys() if not k.startswith("in/warm-up/")]

    def push(self, engine, body: bytes, path: str | None = None, method: str = "POST"):
        return http_request("127.0.0.1", engine.port, method,
                            path or "/lambdaport/notifications/rec/raw", body,
                            {"Content-Type": "application/json"}, 10.0)

    def test_pushed_objects_become_s3_records_without_a_listing(self):
        engine = self.start()
        self.wait_pushing(engine)
        before = self.status_source(engine)
        etags = {}
        for i, key in enumerate(AWKWARD_KEYS + IGNORED_KEYS):
            etags[key] = self.put(key, f"line {i}\n".encode() * (i + 1))
        wait_until(lambda: len(self.pushed_keys()) >= len(AWKWARD_KEYS), 30, "a record per object")
        time.sleep(0.5)
        self.assertEqual(sorted(self.pushed_keys()), sorted(AWKWARD_KEYS))
        for i, key in enumerate(AWKWARD_KEYS):
            [record] = [r for r in self.recorder.records()
                        if urllib.parse.unquote_plus(r["s3"]["object"]["key"]) == key]
            body = f"line {AWKWARD_KEYS.index(key)}\n".encode() * (AWKWARD_KEYS.index(key) + 1)
            self.check_record(record, self.bucket, key, body, etags[key])
        source = self.status_source(engine)
        self.assertEqual(source["mode"], "push")
        # Every object was pushed: delivered so, or found by a listing first and then pushed again
        # (a duplicate).
        pushed = source["pushed"] - before["pushed"]
        duplicates = source["push_duplicates"] - before["push_duplicates"]
        self.assertEqual(pushed + duplicates, len(AWKWARD_KEYS), source)
        self.assertEqual(source["delivered"] - before["delivered"], len(AWKWARD_KEYS), source)

    def test_a_record_sent_twice_is_delivered_once_and_bad_pushes_are_refused(self):
        engine = self.start(configure_server=False)
        key = "in/by hand+1.csv"
        record = {"eventVersion": "2.2", "eventSource": "ceph:s3", "eventName": "ObjectCreated:Put",
                  "eventTime": "2026-12-07T23:43:19.728766Z", "opaqueData": "",
                  "s3": {"bucket": {"name": self.bucket}, "configurationId": "x",
                         "object": {"key": key, "size": 3, "eTag": "0123456789abcdef0123456789abcdef",
                                    "sequencer": "9744176BE973992B", "metadata": [], "tags": []}}}
        body = json.dumps({"Records": [record]}).encode()
        first = self.push(engine, body)
        self.assertEqual(first.status, 200, first.body)
        self.assertEqual(json.loads(first.body), {"stored": 1, "duplicates": 0, "ignored": 0})
        again = self.push(engine, body)
        self.assertEqual(json.loads(again.body), {"stored": 0, "duplicates": 1, "ignored": 0})
        wait_until(lambda: self.recorder.lines(), 20, "the record")
        time.sleep(0.5)
        self.assertEqual(self.recorder.keys(), [key])
        other = dict(record, s3=dict(record["s3"], bucket={"name": "another-bucket"}))
        ignored = self.push(engine, json.dumps({"Records": [other]}).encode())
        self.assertEqual(json.loads(ignored.body)["ignored"], 1)

        for bad, words in ((b"not json", "not JSON"), (b'{"records": []}', "Records"),
                           (json.dumps({"Records": [{"eventName": "x"}]}).encode(), "Records[0]"),
                           (b"[" * 100000, "deep")):
            r = self.push(engine, bad)
            self.assertEqual(r.status, 400, r.body[:300])
            self.assertEqual(r.header("x-amzn-ErrorType"), "InvalidRequestContentException")
            self.assertIn(words, json.loads(r.body)["message"])
        self.assertEqual(self.push(engine, b"", method="GET").status, 405)
        self.assertEqual(self.push(engine, body, "/lambdaport/notifications/rec/nope").status, 404)
        self.assertEqual(self.push(engine, body, "/lambdaport/notifications/%FF/raw").status, 404)
        self.assertTrue(engine.running())
        self.assertEqual(self.recorder.keys(), [key])

    def test_a_push_token_is_required_when_configured(self):
        token = "push-secret-0123456789"
        engine = self.start(push_token=token)
        self.wait_pushing(engine)  # radosgw's pushes carry the token in the URL the engine gave it
        body = json.dumps({"Records": []}).encode()
        self.assertEqual(self.push(engine, body).status, 403)
        self.assertEqual(self.push(engine, body, "/lambdaport/notifications/rec/raw?token=wrong").status,
                         403)
        ok = http_request("127.0.0.1", engine.port, "POST", "/lambdaport/notifications/rec/raw", body,
                          {"Authorization": f"Bearer {token}"}, 10.0)
        self.assertEqual(ok.status, 200, ok.body)

    def test_a_push_source_that_cannot_work_refuses_to_start_saying_why(self):
        config = os.path.join(self.tmp, "config.json")
        ev = {"type": "s3", "bucket": self.bucket, "mode": "push"}
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMBDAPORT_"))}
        base_env.update({"AWS_ACCESS_KEY_ID": self.rgw.admin.access_key_id,
                         "AWS_SECRET_ACCESS_KEY": self.rgw.admin.secret_access_key})
        with MotoServer(os.path.join(self.tmp, "moto"), auth=False) as moto:
            cases = {
                # A signed Invoke API: radosgw cannot sign its pushes, so a token is needed.
                "signed": ({**ev}, self.rgw.endpoint,
                           {"LAMBDAPORT_ACCESS_KEY_ID": "AKIDLAMBDAPORTTEST01",
                            "LAMBDAPORT_SECRET_ACCESS_KEY": "a-secret-of-enough-length-0123"},
                           "functions.rec.events.raw.push_token: required when the Invoke API "
                           "verifies signatures or listens beyond loopback"),
                # moto has no SNS push endpoints: its answer, and what to do instead.
                "moto": ({**ev, "bucket": "no-such-bucket"}, moto.endpoint, {},
                         "functions.rec.events.raw: cannot set up the server's notifications ("),
                "local disk": ({**ev}, self.tmp, {},
                               "functions.rec.events.raw: mode \"push\" needs an S3-compatible "
                               "server that pushes notifications"),
            }
            for name, (event, storage, extra, expected) in cases.items():
                with self.subTest(name):
                    functions = {"rec": {"handler": example("record"), "events": {"raw": event}}}
                    with open(config, "w") as f:
                        json.dump({"functions": functions}, f)
                    p = subprocess.run([engine_binary(), "serve", "--config", config, "--listen",
                                        "127.0.0.1:0", "--storage", storage, "--state",
                                        os.path.join(self.tmp, f"state-{name}")],
                                       env={**base_env, **extra}, capture_output=True, text=True,
                                       timeout=60)
                    self.assertEqual(p.returncode, 1, p.stderr)
                    self.assertNotIn("listening", p.stderr)
                    self.assertIn(expected, p.stderr.strip().splitlines()[-1])

    def test_kill_9_while_objects_are_pushed_loses_none(self):
        engine = self.start(rescan_interval=2)
        total = 300
        keys = [f"in/stream/{i:05d}.csv" for i in range(total)]

        stalls = []

        def writer():
            for i, key in enumerate(keys):
                # A PUT waits for radosgw's push to the engine. Under the sanitized suite's load,
                # one PUT was once not answered within 30 s (seen once; the cause, radosgw's or the
                # engine's, not found yet): it is sent again, as a client would, and reported.
                for _ in range(3):
                    try:
                        self.put(key, f"{i}\n".encode())
                        break
                    except TimeoutError:
                        stalls.append(key)
                else:
                    raise AssertionError(f"radosgw did not answer the PUT of {key} three times")

        t = threading.Thread(target=writer)
        t.start()
        try:
            wait_until(lambda: len(self.recorder.lines()) >= 60, 120, "60 deliveries before the kill")
            engine.kill9()
        finally:
            t.join()
        before = len(self.recorder.lines())
        engine = self.restart_engine(engine)
        wait_until(lambda: set(keys) <= set(self.recorder.keys()), 180, "every object delivered")
        time.sleep(0.5)
        delivered = self.recorder.keys()
        self.assertEqual(set(delivered), set(keys))
        source = self.status_source(engine)
        print(f"\n[kill -9, radosgw push] {total} objects, {before} delivered before the kill, "
              f"{len(delivered)} deliveries in all, {len(delivered) - len(set(delivered))} duplicates; "
              f"after the restart {source['pushed']} by push, the rest by listing; "
              f"PUTs sent again after a 30 s stall: {stalls or 'none'}", flush=True)

    def test_pushes_go_on_after_radosgw_restarts(self):
        engine = self.start()
        self.wait_pushing(engine)
        self.rgw.restart_gateway()
        before = self.status_source(engine)["pushed"]
        self.put("in/after.csv", b"2\n")
        wait_until(lambda: self.status_source(engine)["pushed"] > before, 60,
                   "a push after the restart")
        wait_until(lambda: "in/after.csv" in self.pushed_keys(), 30, "its record")


if __name__ == "__main__":
    unittest.main()
