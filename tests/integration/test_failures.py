"""Lambda's failure semantics: timeout, crash, failed init, out of memory. Each failure is answered to the
caller as Lambda answers it, and the same function serves a healthy invocation right after."""

import re
import threading
import unittest

from harness import REQUEST_ID, EngineTestCase, alive, example, executable_of, wait_until


class Failures(EngineTestCase):
    def setUp(self):
        super().setUp()
        self.engine = self.start_engine({
            "sleep": {"handler": example("sleep"), "timeout": 1},
            "crash": {"handler": example("crash"), "timeout": 10},
            "init_fail": {"handler": example("init_fail")},
            "init_ok": {"handler": example("init_fail"), "environment": {"INIT_OK": "1"}},
            "oom": {"handler": example("oom"), "memory": 128, "timeout": 30},
            "fail": {"handler": example("fail")},
            "hello": {"handler": example("hello")},
        })

    def request_id_in(self, message: str) -> str:
        m = re.match(r"RequestId: (\S+) Error: ", message)
        self.assertIsNotNone(m, message)
        self.assertRegex(m.group(1), REQUEST_ID)
        return m.group(1)

    def handler_processes(self, name: str) -> set[int]:
        path = example(name)
        return {p for p in self.engine.handler_pids() if executable_of(p) == path}

    def test_timeout(self):
        result = {}
        call = threading.Thread(target=lambda: result.update(r=self.engine.invoke("sleep", {"seconds": 30})))
        call.start()
        try:
            self.engine.wait_log("sleep", r"START RequestId:")
            running = wait_until(lambda: self.handler_processes("sleep"), 5, "the sleep handler process")
        finally:
            call.join(30)
        r = result["r"]
        body = self.assertFunctionError(r, "Sandbox.Timedout")
        rid = self.request_id_in(body["errorMessage"])
        self.assertEqual(body["errorMessage"], f"RequestId: {rid} Error: Task timed out after 1.00 seconds")
        self.assertGreaterEqual(r.elapsed, 0.9)
        self.assertLess(r.elapsed, 15, "the caller is answered when the timeout passes, not later")
        # The timed-out handler is killed, not left running its 30 s sleep.
        wait_until(lambda: not any(alive(p) for p in running), 10, "the timed-out handler to be killed")
        self.engine.wait_log("sleep", rf"REPORT RequestId: {rid}")
        self.assertSuccess(self.engine.invoke("sleep", {"seconds": 0}))

    def test_crash_with_exit_status(self):
        body = self.assertFunctionError(self.engine.invoke("crash", {}), "Runtime.ExitError")
        rid = self.request_id_in(body["errorMessage"])
        self.assertEqual(body["errorMessage"],
                         f"RequestId: {rid} Error: Runtime exited with error: exit status 42")
        body = self.assertFunctionError(self.engine.invoke("crash", {"exit_code": 3}), "Runtime.ExitError")
        self.assertIn("exit status 3", body["errorMessage"])
        self.assertSuccess(self.engine.invoke("hello", {"after": "crash"}))

    def test_crash_with_signal(self):
        body = self.assertFunctionError(self.engine.invoke("crash", {"signal": 9}), "Runtime.ExitError")
        rid = self.request_id_in(body["errorMessage"])
        self.assertEqual(body["errorMessage"],
                         f"RequestId: {rid} Error: Runtime exited with error: signal: killed")
        # The same function answers again: a new instance replaces the dead one.
        body = self.assertFunctionError(self.engine.invoke("crash", {}), "Runtime.ExitError")
        self.assertIn("exit status 42", body["errorMessage"])

    def test_init_failure_answers_the_first_invocation(self):
        r = self.engine.invoke("init_fail", {"n": 1})
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", str(r))
        body = r.json()
        self.assertIsInstance(body.get("errorType"), str, str(r))
        self.assertTrue(body["errorType"], str(r))
        self.assertIsInstance(body.get("errorMessage"), str, str(r))
        # Still failing on the next try (a fresh init, which fails again), never hanging.
        r2 = self.engine.invoke("init_fail", {"n": 2}, timeout=30)
        self.assertEqual(r2.header("X-Amz-Function-Error"), "Unhandled", str(r2))
        # The same handler with INIT_OK=1 in its configured environment works.
        out = self.assertSuccess(self.engine.invoke("init_ok", {"n": 3}))
        self.assertIsNotNone(out)

    def test_out_of_memory(self):
        r = self.engine.invoke("oom", {"megabytes": 1024})
        body = self.assertFunctionError(r, "Runtime.OutOfMemory")
        self.assertTrue(body["errorMessage"])
        self.assertSuccess(self.engine.invoke("oom", {"megabytes": 16}))

    def test_function_errors_from_the_sdk(self):
        body = self.assertFunctionError(self.engine.invoke("fail", {"mode": "typed"}), "Validation.BadInput")
        self.assertTrue(body["errorMessage"])
        r = self.engine.invoke("fail", {"mode": "exception"})
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", str(r))
        self.assertIn("boom", r.json()["errorMessage"])
        self.assertFunctionError(self.engine.invoke("fail", {}), "Handler.Failure")
        self.assertSuccess(self.engine.invoke("hello", {"after": "errors"}))

    def test_engine_serves_after_every_failure(self):
        self.assertFunctionError(self.engine.invoke("sleep", {"seconds": 30}), "Sandbox.Timedout")
        self.assertFunctionError(self.engine.invoke("crash", {}), "Runtime.ExitError")
        self.engine.invoke("init_fail", {})
        out = self.assertSuccess(self.engine.invoke("hello", {"still": "serving"}))
        self.assertEqual(out["event"], {"still": "serving"})
        self.assertTrue(self.engine.running())


if __name__ == "__main__":
    unittest.main()
