"""Concurrent invocations run at the same time, each in its own instance (handler process)."""

import threading
import time
import unittest

from harness import EngineTestCase, Response, example, executable_of, wait_until

N = 4


def invoke_all(engine, function, events) -> tuple[list[Response], float]:
    results: list = [None] * len(events)
    barrier = threading.Barrier(len(events))

    def call(i):
        barrier.wait()
        results[i] = engine.invoke(function, events[i], timeout=60)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(events))]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return results, time.monotonic() - started


class Concurrency(EngineTestCase):
    def test_concurrent_invocations_overlap_across_instances(self):
        engine = self.start_engine({"sleep": {"handler": example("sleep"), "concurrency": N,
                                              "timeout": 30}})
        sleep_path = example("sleep")
        seen_pids: set[int] = set()
        stop = threading.Event()

        def watch():
            # The handler processes alive under the engine while the invocations run.
            while not stop.is_set():
                seen_pids.update(p for p in engine.handler_pids() if executable_of(p) == sleep_path)
                time.sleep(0.01)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            results, wall = invoke_all(engine, "sleep", [{"seconds": 1}] * N)
        finally:
            stop.set()
            watcher.join()
        for r in results:
            self.assertIsNotNone(r)
            self.assertSuccess(r)
        # N one-second invocations that overlap finish in about one second, not N.
        self.assertLess(wall, 2.5, f"{N} concurrent 1 s invocations took {wall:.2f} s: they did not overlap")
        self.assertEqual(len(seen_pids), N, f"expected {N} handler processes, saw {sorted(seen_pids)}")
        # Each invocation got its own START...END in the log, all of them overlapping.
        log = engine.wait_log("sleep", r"(?s)(REPORT RequestId:.*){%d}" % N) and engine.log("sleep")
        self.assertEqual(log.count("START RequestId:"), N, log)

    def test_sequential_invocations_reuse_the_warm_instance(self):
        engine = self.start_engine({"hello": {"handler": example("hello"), "concurrency": N}})
        outs = [self.assertSuccess(engine.invoke("hello", {"i": i})) for i in range(3)]
        streams = {o["context"]["log_stream_name"] for o in outs}
        self.assertEqual(len(streams), 1, f"one warm instance should serve all three: {streams}")
        # Only the cold start reports an init duration.
        rids = [o["context"]["request_id"] for o in outs]
        engine.wait_log("hello", rf"REPORT RequestId: {rids[-1]}")
        reports = {rid: engine.wait_log("hello", rf"REPORT RequestId: {rid}[^\n]*").group(0) for rid in rids}
        self.assertIn("Init Duration:", reports[rids[0]])
        self.assertNotIn("Init Duration:", reports[rids[1]])
        self.assertNotIn("Init Duration:", reports[rids[2]])

    def test_more_callers_than_instances_are_queued_not_refused(self):
        engine = self.start_engine({"hello": {"handler": example("hello"), "concurrency": 2}})
        results, _ = invoke_all(engine, "hello", [{"i": i} for i in range(12)])
        request_ids = set()
        for i, r in enumerate(results):
            out = self.assertSuccess(r)
            self.assertEqual(out["event"], {"i": i})
            request_ids.add(out["context"]["request_id"])
        self.assertEqual(len(request_ids), 12)
        streams = {r.json()["context"]["log_stream_name"] for r in results}
        self.assertLessEqual(len(streams), 2, f"concurrency 2 allows at most 2 instances: {streams}")


if __name__ == "__main__":
    unittest.main()
