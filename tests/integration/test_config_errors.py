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

    def test_numbers_beyond_a_double_and_other_huge_numbers(self):
        # JSON allows 1e999; nlohmann refuses it with an out_of_range error that start-up did not
        # catch (exit 134). Huge numbers that do fit in a double fail the range check.
        cases = [("timeout", "1e999", "the number 1e999 is out of range"),
                 ("memory", "-1e999", "the number -1e999 is out of range"),
                 ("timeout", "123456789012345678901234567890", "must be a number of seconds"),
                 ("concurrency", "18446744073709551616", "must be an integer between 1 and 1000"),
                 ("memory", "1e308", "must be an integer between 128 and 10240"),
                 ("keep_warm", "-0.5", "must be an integer between 0 and 1000")]
        for key, number, reason in cases:
            with self.subTest(key=key, number=number):
                text = self.function(**{key: "@NUMBER@"}).replace('"@NUMBER@"', number)
                p = self.serve(text)
                self.assertEqual(p.returncode, 2, p.stderr)
                line = self.assertOneLineError(p, f"config.json: functions.hello.{key}: {reason}")
                self.assertTrue(line.startswith("lambdaport: "), line)

    def test_a_key_given_twice(self):
        # json.loads, like nlohmann, keeps the last of two equal keys: a setting would be lost.
        text = ('{"functions": {"hello": {"handler": %s,\n  "timeout": 3,\n  "timeout": 30}}}'
                % json.dumps(example("hello")))
        self.assertOneLineError(self.serve(text), "config.json: functions.hello.timeout: defined twice: "
                                "at line 2, column 3 and at line 3, column 3")
        text = ('{"functions": {"hello": {"handler": %s},\n "hello": {"handler": %s}}}'
                % (json.dumps(example("hello")), json.dumps(example("hello"))))
        self.assertOneLineError(self.serve(text), "config.json: functions.hello: defined twice: "
                                "at line 1, column 16 and at line 2, column 2")

    def test_function_flag_given_twice(self):
        hello = example("hello")
        p = subprocess.run([engine_binary(), "serve", "--function", f"hello={hello}", "--function",
                            "other=/bin/true", "--function", "hello=/bin/true", "--listen", "127.0.0.1:0",
                            "--state", os.path.join(self.tmp, "state")],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=15)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stderr, f"lambdaport: --function hello: given twice (hello={hello} and "
                                   "hello=/bin/true)\n")

    def test_good_file_starts(self):
        # The control case: a valid file (fractional timeout allowed) starts the engine.
        engine = self.start_engine({"hello": {"handler": example("hello"), "timeout": 1.5}})
        self.assertTrue(engine.running())


if __name__ == "__main__":
    unittest.main()
