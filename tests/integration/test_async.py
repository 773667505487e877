"""Async (Event) invocations: retries, the failure destination record, and a durable queue that survives
kill -9 of the engine."""

import json
import os
import re
import unittest

from harness import REQUEST_ID, EngineTestCase, example, function_arn, wait_until


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


if __name__ == "__main__":
    unittest.main()
