"""Async (Event) invocations: retries, the failure destination record, a durable queue that survives
kill -9 of the engine, and a queue whose memory and length are bounded (engine.async_queue_limit)."""

import json
import os
import re
import unittest

from harness import HERE, REQUEST_ID, EngineTestCase, example, function_arn, http_request, wait_until

GATED = os.path.join(HERE, "handlers", "gated_recorder.py")


def read_records(folder: str) -> list[dict]:
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    except FileNotFoundError:
        return []
    records = []
    for n in names:
        with open(os.path.join(folder, n)) as f:
            text = f.read()
        try:
            records.append(json.loads(text))
        except ValueError:
            return []  # still being written
    return records


class AsyncRetries(EngineTestCase):
    def test_failing_event_is_retried_twice_then_recorded(self):
        failures = os.path.join(self.tmp, "failures")
        engine = self.start_engine({"fail": {
            "handler": example("fail"),
            "async": {"retry_delays": [0.2, 0.2], "failure_destination": failures}}})
        event = {"mode": "typed", "order": {"id": 17, "items": ["a", "b"]}}
        r = engine.invoke("fail", event, invocation_type="Event")
        self.assertEqual(r.status, 202, str(r))
        self.assertEqual(r.body, b"")

        records = wait_until(lambda: read_records(failures), 30, f"a failure record in {failures}")
        self.assertEqual(len(records), 1, records)
        # The log file may trail the record by a moment; three attempts must show up there.
        wait_until(lambda: engine.log("fail").count("REPORT RequestId:") >= 3, 10,
                   "three attempts in the function's log")
        log = engine.log("fail")
        self.assertEqual(log.count("START RequestId:"), 3, f"expected 3 attempts:\n{log}")
        record = records[0]
        self.assertEqual(record.get("version"), "1.0", record)
        self.assertIn("timestamp", record)
        ctx = record["requestContext"]
        self.assertEqual(ctx["condition"], "RetriesExhausted")
        self.assertEqual(ctx["approximateInvokeCount"], 3)
        self.assertTrue(ctx["functionArn"].startswith(function_arn("fail")), ctx)
        self.assertIn(ctx["requestId"], log)
        self.assertEqual(record["requestPayload"], event)
        self.assertEqual(record["responseContext"]["functionError"], "Unhandled")
        self.assertEqual(record["responseContext"]["statusCode"], 200)
        self.assertEqual(record["responseContext"]["executedVersion"], "$LATEST")
        self.assertEqual(record["responsePayload"]["errorType"], "Validation.BadInput")
        self.assertIn("errorMessage", record["responsePayload"])
        # The event has left the queue and no fourth attempt follows.
        wait_until(lambda: not engine.queue_files("fail"), 10, "the queue to empty")
        self.assertEqual(engine.log("fail").count("START RequestId:"), 3)

    def test_max_retry_attempts_zero_means_one_attempt(self):
        failures = os.path.join(self.tmp, "failures")
        engine = self.start_engine({"fail": {
            "handler": example("fail"),
            "async": {"max_retry_attempts": 0, "retry_delays": [0.2], "failure_destination": failures}}})
        self.assertEqual(engine.invoke("fail", {"mode": "typed"}, invocation_type="Event").status, 202)
        records = wait_until(lambda: read_records(failures), 30, "a failure record")
        self.assertEqual(records[0]["requestContext"]["approximateInvokeCount"], 1)
        engine.wait_log("fail", r"REPORT RequestId:")
        wait_until(lambda: not engine.queue_files("fail"), 10, "the queue to empty")
        self.assertEqual(engine.log("fail").count("START RequestId:"), 1)

    def test_successful_event_runs_once_and_leaves_no_record(self):
        failures = os.path.join(self.tmp, "failures")
        engine = self.start_engine({"hello": {
            "handler": example("hello"),
            "async": {"retry_delays": [0.2, 0.2], "failure_destination": failures}}})
        self.assertEqual(engine.invoke("hello", {"ok": 1}, invocation_type="Event").status, 202)
        engine.wait_log("hello", r"END RequestId:", timeout=15)
        wait_until(lambda: not engine.queue_files("hello"), 10, "the queue to empty")
        self.assertEqual(engine.log("hello").count("START RequestId:"), 1)
        self.assertEqual(read_records(failures), [])

    def test_timeout_counts_as_a_failed_attempt(self):
        failures = os.path.join(self.tmp, "failures")
        engine = self.start_engine({"sleep": {
            "handler": example("sleep"), "timeout": 1,
            "async": {"max_retry_attempts": 1, "retry_delays": [0.2], "failure_destination": failures}}})
        self.assertEqual(engine.invoke("sleep", {"seconds": 30}, invocation_type="Event").status, 202)
        records = wait_until(lambda: read_records(failures), 30, "a failure record")
        self.assertEqual(records[0]["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(records[0]["responsePayload"]["errorType"], "Sandbox.Timedout")
        self.assertEqual(records[0]["requestPayload"], {"seconds": 30})


class AsyncDurability(EngineTestCase):
    def test_accepted_events_survive_kill_9(self):
        functions = {"sleep": {"handler": example("sleep"), "concurrency": 1, "timeout": 30}}
        engine = self.start_engine(functions)
        events = [{"seconds": 2, "marker": f"event-{i}"} for i in range(4)]
        request_ids = []
        for e in events:
            r = engine.invoke("sleep", e, invocation_type="Event")
            self.assertEqual(r.status, 202, str(r))
            # Like Lambda, the 202 carries the invocation's request id.
            rid = r.header("x-amzn-RequestId")
            self.assertRegex(rid or "", REQUEST_ID, str(r))
            request_ids.append(rid)
        # Accepted means on disk: with one 2 s instance, at most the first can have finished.
        engine.wait_log("sleep", r"START RequestId:", timeout=15)
        queued = engine.queue_files("sleep")
        finished_before = engine.log("sleep").count("END RequestId:")
        self.assertEqual(len(queued) + finished_before, len(events),
                         f"queue folder holds {queued}, {finished_before} finished")
        self.assertGreaterEqual(len(queued), 3)
        on_disk = ""
        for name in queued:
            with open(os.path.join(engine.state_dir, "queue", "sleep", name)) as f:
                on_disk += f.read()
        for e in events[1:]:
            self.assertIn(e["marker"], on_disk, "a queued event's payload is on disk")

        # kill -9 while events are pending: the handler processes must not outlive the engine.
        self.assertTrue(engine.handler_pids(), "the sleep handler should be running")
        leftover = engine.kill9()
        self.assertEqual(leftover, set(), "handler processes outlived the killed engine (killed now)")

        restarted = self.restart_engine(engine)

        def all_ran():
            log = restarted.log("sleep")
            return not restarted.queue_files("sleep") and all(
                f"END RequestId: {rid}" in log for rid in request_ids)

        wait_until(all_ran, 60, "every accepted event to run after the restart")
        self.assertTrue(restarted.running())
        # Served normally afterwards.
        self.assertSuccess(restarted.invoke("sleep", {"seconds": 0}))


def rss_mb(pid: int) -> float:
    """The process's resident set (VmRSS) in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS in /proc/{pid}/status")


def recorded(path: str) -> list[dict]:
    """What handlers/gated_recorder.py noted down: one dict per invocation."""
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.endswith("\n")]
    except FileNotFoundError:
        return []


class AsyncQueueBounds(EngineTestCase):
    """Pending events are an index in memory (payloads stay on disk), the queue has a limit, and event
    sources wait for room rather than lose events."""

    def setUp(self):
        super().setUp()
        self.gate = os.path.join(self.tmp, "gate")  # the handler holds every invocation until it exists
        self.record_file = os.path.join(self.tmp, "seen.jsonl")

    def gated(self, **settings) -> dict:
        return {"handler": GATED, "concurrency": 1, "timeout": 300,
                "environment": {"GATE_FILE": self.gate, "RECORD_FILE": self.record_file}, **settings}

    def open_gate(self):
        with open(self.gate, "w"):
            pass

    def status(self, engine) -> dict:
        r = http_request(engine.host, engine.port, "GET", "/lambdaport/status", b"", {}, 10)
        self.assertEqual(r.status, 200, str(r))
        return r.json()

    def wait_seen(self, n: int, timeout: float) -> list[dict]:
        wait_until(lambda: len(recorded(self.record_file)) >= n, timeout, f"{n} invocations recorded")
        return recorded(self.record_file)

    def test_pending_payloads_stay_on_disk(self):
        # Under AddressSanitizer, freed memory waits in a quarantine (256 MB by default) before it is
        # reused or unmapped, so the request bodies the engine has already written to disk would count
        # as resident; a small quarantine keeps the measurement about the engine (a plain build ignores
        # the variable).
        asan_options = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "quarantine_size_mb=8"]))
        engine = self.start_engine({"gated": self.gated()}, env={"ASAN_OPTIONS": asan_options})
        count, pad = 300, "x" * 1_000_000  # 300 events of 1 MB
        before = rss_mb(engine.proc.pid)
        for i in range(count):
            r = engine.invoke("gated", {"marker": f"event-{i}", "pad": pad}, invocation_type="Event")
            self.assertEqual(r.status, 202, str(r))
        # All of them are pending: the one instance holds the first until the gate opens.
        self.assertEqual(self.status(engine)["async"]["pending"], count)
        growth = rss_mb(engine.proc.pid) - before
        print(f"\nengine VmRSS {before:.1f} MB before, {before + growth:.1f} MB with {count} pending "
              f"1 MB events", flush=True)
        self.assertLess(growth, 150, f"the engine grew by {growth:.0f} MB holding {count} MB of payloads")

        self.open_gate()
        seen = self.wait_seen(count, 300)
        wait_until(lambda: self.status(engine)["async"]["pending"] == 0, 30, "the queue to empty")
        seen = recorded(self.record_file)
        markers = sorted(line["marker"] for line in seen)
        self.assertEqual(markers, sorted(f"event-{i}" for i in range(count)), "each event exactly once")
        self.assertTrue(all(line["bytes"] > 1_000_000 for line in seen), "whole payloads were delivered")
        self.assertEqual(engine.queue_files("gated"), [])

    def test_a_full_queue_answers_429_and_sources_wait_for_room(self):
        data = os.path.join(self.tmp, "data")
        os.makedirs(os.path.join(data, "raw"))
        limit = 3
        engine = self.start_engine(
            {"gated": self.gated(events={"raw": {"type": "s3", "bucket": "raw"}})},
            engine={"async_queue_limit": limit}, args=["--storage", data])
        self.assertEqual(self.status(engine)["async"]["limit"], limit)
        for i in range(limit):
            r = engine.invoke("gated", {"marker": f"event-{i}"}, invocation_type="Event")
            self.assertEqual(r.status, 202, str(r))

        r = engine.invoke("gated", {"marker": "one-too-many"}, invocation_type="Event")
        body = self.assertApiError(r, 429, "TooManyRequestsException")
        self.assertEqual(body["Type"], "User", str(r))
        self.assertEqual(body["message"], "Rate Exceeded.", str(r))
        self.assertEqual(body["Reason"], "ConcurrentInvocationLimitExceeded", str(r))
        self.assertRegex(r.header("x-amzn-RequestId") or "", REQUEST_ID, str(r))
        # A synchronous invoke is not an async event: it waits in the pool as before (refused there
        # only when the pool's own queue is full), so nothing else is throttled by this limit.

        # An object arrives while the queue is full: the bucket source waits for room.
        with open(os.path.join(data, "raw", "late.csv"), "w") as f:
            f.write("a,b\n")
        engine.wait_output(r"async queue full; event source waits .*source=gated/raw", 20)
        self.assertEqual(self.status(engine)["async"]["pending"], limit)

        self.open_gate()
        seen = self.wait_seen(limit + 1, 60)
        wait_until(lambda: self.status(engine)["async"]["pending"] == 0, 30, "the queue to empty")
        seen = recorded(self.record_file)
        self.assertEqual(sorted(line["marker"] for line in seen if line["marker"]),
                         [f"event-{i}" for i in range(limit)])
        self.assertEqual([line["key"] for line in seen if line["key"]], ["late.csv"],
                         "the source's event was delivered once, not lost")
        # Room again: the queue accepts.
        r = engine.invoke("gated", {"marker": "after"}, invocation_type="Event")
        self.assertEqual(r.status, 202, str(r))
        self.wait_seen(limit + 2, 30)

    def test_temporary_files_of_a_killed_engine_are_removed_and_never_run(self):
        engine = self.start_engine({"gated": self.gated()})
        r = engine.invoke("gated", {"marker": "real"}, invocation_type="Event")
        self.assertEqual(r.status, 202, str(r))
        folder = os.path.join(engine.state_dir, "queue", "gated")
        wait_until(lambda: engine.queue_files("gated"), 10, "the event in the queue folder")
        engine.kill9()

        # What a kill -9 between the write of a record's temporary file and its rename leaves: an
        # empty file, or part of a record.
        real = engine.queue_files("gated")[0]
        with open(os.path.join(folder, real)) as f:
            record = f.read()
        empty = os.path.join(folder, real + ".tmp")  # the rewrite after a failed attempt
        partial = os.path.join(folder, "0000000000001-000002-bogus.json.tmp")
        open(empty, "w").close()
        with open(partial, "w") as f:
            f.write(record.replace("real", "bogus")[:len(record) // 2])
        unrelated = os.path.join(folder, "notes.tmp")  # not a name of ours: left alone
        open(unrelated, "w").close()

        self.open_gate()
        restarted = self.restart_engine(engine)
        self.wait_seen(1, 30)
        wait_until(lambda: self.status(restarted)["async"]["pending"] == 0, 30, "the queue to empty")
        self.assertEqual([line["marker"] for line in recorded(self.record_file)], ["real"],
                         "only the real event ran")
        left = sorted(os.listdir(folder))
        self.assertEqual(left, ["notes.tmp"], "temporary files of ours are removed at start")
        restarted.wait_output(r"removed temporary files of an interrupted engine count=2", 10)


if __name__ == "__main__":
    unittest.main()
