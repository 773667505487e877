"""The instance pool's settings as a user sees them: keep_warm starts instances ahead of demand,
idle_timeout stops unused ones, and a stopped instance is simply started again on the next call."""

import threading
import unittest

from harness import EngineTestCase, alive, example, executable_of, wait_until


class Pool(EngineTestCase):
    def hello_processes(self, engine) -> set[int]:
        path = example("hello")
        return {p for p in engine.handler_pids() if executable_of(p) == path}

    def test_keep_warm_starts_instances_before_any_invocation(self):
        engine = self.start_engine({"hello": {"handler": example("hello"), "keep_warm": 2,
                                              "concurrency": 4}})
        wait_until(lambda: len(self.hello_processes(engine)) == 2, 10, "two warm hello instances")
        self.assertNotIn("START RequestId:", engine.log("hello"))
        self.assertSuccess(engine.invoke("hello", {}))
        self.assertEqual(len(self.hello_processes(engine)), 2, "a warm instance served the call")

    def test_idle_instances_are_stopped_and_started_again_on_demand(self):
        engine = self.start_engine({"hello": {"handler": example("hello"), "idle_timeout": 0.5}})
        out = self.assertSuccess(engine.invoke("hello", {"n": 1}))
        first = wait_until(lambda: self.hello_processes(engine), 5, "the hello instance")
        wait_until(lambda: not any(alive(p) for p in first), 15, "the idle instance to be stopped")
        again = self.assertSuccess(engine.invoke("hello", {"n": 2}))
        self.assertNotEqual(out["context"]["log_stream_name"], again["context"]["log_stream_name"],
                            "a new instance has its own log stream")
        rid = again["context"]["request_id"]
        report = engine.wait_log("hello", rf"REPORT RequestId: {rid}[^\n]*").group(0)
        self.assertIn("Init Duration:", report, "the new instance was a cold start")

    def test_keep_warm_instances_outlive_the_idle_timeout(self):
        engine = self.start_engine({"sleep": {"handler": example("sleep"), "keep_warm": 1,
                                              "concurrency": 3, "idle_timeout": 0.3, "timeout": 10}})
        path = example("sleep")
        processes = lambda: {p for p in engine.handler_pids() if executable_of(p) == path}
        wait_until(lambda: len(processes()) == 1, 10, "one warm sleep instance")
        threads = [threading.Thread(target=engine.invoke, args=("sleep", {"seconds": 0.5}))
                   for _ in range(3)]
        for t in threads:
            t.start()
        wait_until(lambda: len(processes()) == 3, 10, "three instances under load")
        for t in threads:
            t.join(30)
        wait_until(lambda: len(processes()) == 1, 15, "the pool to shrink back to keep_warm")


if __name__ == "__main__":
    unittest.main()
