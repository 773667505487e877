"""A bad configuration stops `lambdaport serve` with one line naming the file, the key and the reason."""

import json
import os
import subprocess
import unittest

from harness import EngineTestCase, engine_binary, example


class ConfigErrors(EngineTestCase):
    def serve(self, text: str, name: str = "config.json") -> subprocess.CompletedProcess:
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        cmd = [engine_binary(), "serve", "--config", path, "--listen", "127.0.0.1:0",
               "--state", os.path.join(self.tmp, "state")]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.tmp)
        try:
            out, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            self.fail(f"lambdaport serve kept running with a bad config:\n{err}")
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)

    def assertOneLineError(self, p: subprocess.CompletedProcess, *needles: str) -> str:
        self.assertNotEqual(p.returncode, 0, p.stderr)
        lines = [line for line in p.stderr.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, f"expected one line on stderr, got:\n{p.stderr}")
        line = lines[0]
        self.assertIn("config.json", line)
        for n in needles:
            self.assertIn(n, line)
        self.assertNotIn("listening", p.stderr)
        return line

    def function(self, **settings) -> str:
        return json.dumps({"functions": {"hello": {"handler": example("hello"), **settings}}})

    def test_not_json(self):
        line = self.assertOneLineError(self.serve('{"functions": {"hello": '))
        self.assertGreater(len(line), len("config.json") + 5, "the line should give a reason")

    def test_timeout_zero(self):
        line = self.assertOneLineError(self.serve(self.function(timeout=0)), "functions.hello.timeout")
        self.assertRegex(line, r"functions\.hello\.timeout: \S")

    def test_timeout_too_long(self):
        self.assertOneLineError(self.serve(self.function(timeout=901)), "functions.hello.timeout")

    def test_timeout_not_a_number(self):
        self.assertOneLineError(self.serve(self.function(timeout="3")), "functions.hello.timeout")

    def test_memory_below_128(self):
        self.assertOneLineError(self.serve(self.function(memory=64)), "functions.hello.memory")

    def test_missing_handler(self):
        text = json.dumps({"functions": {"hello": {"timeout": 3}}})
        self.assertOneLineError(self.serve(text), "functions.hello.handler")

    def test_unknown_key(self):
        line = self.assertOneLineError(self.serve(self.function(timout=3)), "functions.hello.timout")
        self.assertIn("unknown", line)

    def test_unknown_engine_key(self):
        text = json.dumps({"engine": {"lisen": "127.0.0.1:1"},
                           "functions": {"hello": {"handler": example("hello")}}})
        self.assertOneLineError(self.serve(text), "engine.lisen")

    def test_environment_value_not_a_string(self):
        self.assertOneLineError(self.serve(self.function(environment={"N": 1})),
                                "functions.hello.environment.N")

    def test_retry_delays_not_seconds(self):
        self.assertOneLineError(self.serve(self.function(**{"async": {"retry_delays": ["soon"]}})),
                                "functions.hello.async.retry_delays")

    def test_missing_file(self):
        missing = os.path.join(self.tmp, "config.json")
        p = subprocess.run([engine_binary(), "serve", "--config", missing, "--listen", "127.0.0.1:0",
                            "--state", os.path.join(self.tmp, "state")],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=15)
        self.assertNotEqual(p.returncode, 0)
        lines = [line for line in p.stderr.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn("config.json", lines[0])

    def test_good_file_starts(self):
        # The control case: a valid file (fractional timeout allowed) starts the engine.
        engine = self.start_engine({"hello": {"handler": example("hello"), "timeout": 1.5}})
        self.assertTrue(engine.running())


if __name__ == "__main__":
    unittest.main()
