"""`lambdaport invoke`, the convenience client: output and exit status as the README promises
(0 success, 1 function error with the error JSON printed, 2 API or connection error on stderr)."""

import json
import os
import subprocess
import unittest

from harness import EngineTestCase, engine_binary, example, free_port, wait_until


class LambdaportInvoke(EngineTestCase):
    def setUp(self):
        super().setUp()
        self.engine = self.start_engine({
            "hello": {"handler": example("hello")},
            "fail": {"handler": example("fail")},
        })

    def run_invoke(self, *args: str, endpoint: str | None = None) -> subprocess.CompletedProcess:
        cmd = [engine_binary(), "invoke", *args, "--endpoint", endpoint or self.engine.endpoint]
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                              cwd=self.tmp)

    def test_prints_the_response(self):
        p = self.run_invoke("hello", "--payload", '{"a":1}')
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(out["event"], {"a": 1})
        self.assertEqual(out["context"]["function_name"], "hello")

    def test_payload_from_file(self):
        path = os.path.join(self.tmp, "event.json")
        with open(path, "w") as f:
            json.dump({"from": "file", "n": [1, 2, 3]}, f)
        p = self.run_invoke("hello", "--payload", f"@{path}")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["event"], {"from": "file", "n": [1, 2, 3]})

    def test_function_error_exits_1_and_prints_the_error(self):
        p = self.run_invoke("fail", "--payload", '{"mode":"typed"}')
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        err = json.loads(p.stdout)
        self.assertEqual(err["errorType"], "Validation.BadInput")

    def test_async_is_accepted_and_runs(self):
        p = self.run_invoke("hello", "--payload", '{"async":true}', "--async")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.engine.wait_log("hello", r"END RequestId:", timeout=15)
        wait_until(lambda: not self.engine.queue_files("hello"), 10, "the queue to empty")

    def test_log_tail_shows_the_report(self):
        p = self.run_invoke("hello", "--payload", "{}", "--log-tail")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("REPORT RequestId:", p.stdout + p.stderr)

    def test_unknown_function_exits_2(self):
        p = self.run_invoke("no-such-function", "--payload", "{}")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("ResourceNotFoundException", p.stderr)

    def test_connection_refused_exits_2(self):
        p = self.run_invoke("hello", "--payload", "{}", endpoint=f"http://127.0.0.1:{free_port()}")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertTrue(p.stderr.strip())


if __name__ == "__main__":
    unittest.main()
