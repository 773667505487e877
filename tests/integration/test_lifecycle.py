"""Starting and stopping the engine: it listens on loopback only, and SIGTERM stops it and its handlers."""

import os
import signal
import subprocess
import unittest

from harness import EngineTestCase, alive, engine_binary, example, free_port, wait_until


class Lifecycle(EngineTestCase):
    def test_sigterm_stops_engine_and_handlers(self):
        engine = self.start_engine({"hello": {"handler": example("hello"), "concurrency": 2}})
        self.assertSuccess(engine.invoke("hello", {}))
        handlers = wait_until(engine.handler_pids, 5, "a warm handler process")
        engine.proc.send_signal(signal.SIGTERM)
        try:
            status = engine.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.fail("lambdaport did not stop within 15 s of SIGTERM")
        self.assertEqual(status, 0, "a clean stop on SIGTERM exits 0")
        wait_until(lambda: not any(alive(p) for p in handlers), 5, "handler processes to stop with the engine")

    def test_sigint_stops_the_engine(self):
        engine = self.start_engine({"hello": {"handler": example("hello")}})
        engine.proc.send_signal(signal.SIGINT)
        try:
            engine.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.fail("lambdaport did not stop within 15 s of SIGINT")

    def test_listens_on_the_port_it_was_given(self):
        port = free_port()
        workdir = os.path.join(self.tmp, "fixed")
        os.makedirs(workdir)
        proc = subprocess.Popen([engine_binary(), "serve", "--function", f"hello={example('hello')}",
                                 "--listen", f"127.0.0.1:{port}", "--state", os.path.join(workdir, "state")],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, cwd=workdir)
        try:
            line = ""
            while "listening" not in line:
                line = proc.stderr.readline()
                if not line:
                    self.fail("lambdaport exited before listening")
            self.assertIn(f"listening address=127.0.0.1:{port}", line)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stderr.close()

    def test_port_in_use_is_one_clear_error(self):
        engine = self.start_engine({"hello": {"handler": example("hello")}})
        p = subprocess.run([engine_binary(), "serve", "--function", f"hello={example('hello')}",
                            "--listen", f"127.0.0.1:{engine.port}", "--state", os.path.join(self.tmp, "s2")],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=15)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(str(engine.port), p.stderr)
        self.assertTrue(engine.running())


if __name__ == "__main__":
    unittest.main()
