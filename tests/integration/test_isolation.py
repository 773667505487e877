"""An instance's processes are its own: only they may talk to its Runtime API, they hold none of the
engine's descriptors, and whatever they start ends with the instance (also a `setsid` grandchild),
with either containment mechanism (a cgroup v2 per instance where the engine may create cgroups, the
engine as child subreaper everywhere)."""

import concurrent.futures
import os
import re
import shutil
import socket
import unittest

from harness import HERE, EngineTestCase, alive, example, kill_pids, wait_until

PROBE = os.path.join(HERE, "handlers", "process_probe.py")
FORKING_BOOTSTRAP = os.path.join(HERE, "handlers", "forking_bootstrap.sh")
RUNTIME_PROBE = os.path.join(HERE, "handlers", "runtime_probe.py")
NEXT = b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def environment_of(pid: int) -> dict[str, str]:
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            raw = f.read()
    except OSError:
        return {}
    env = {}
    for entry in raw.split(b"\0"):
        name, sep, value = entry.partition(b"=")
        if sep:
            env[name.decode(errors="replace")] = value.decode(errors="replace")
    return env


def socket_inodes(pid: int) -> dict[int, int]:
    """fd → inode of each socket `pid` holds."""
    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        m = re.fullmatch(r"socket:\[(\d+)\]", link)
        if m:
            out[int(fd)] = int(m.group(1))
    return out


def tcp_endpoints(inode: int) -> tuple[int, int] | None:
    """(local port, remote port) of the TCP socket `inode`, from /proc/net/tcp and tcp6."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if len(fields) > 9 and int(fields[9]) == inode:
                    return int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16)
    return None


def gone(pid: int) -> bool:
    """True once `pid` no longer exists at all: dead and reaped."""
    return not os.path.exists(f"/proc/{pid}")


class Isolation(EngineTestCase):
    # None: the engine picks (a cgroup where it can); "subreaper": the mechanism used elsewhere.
    CONTAINMENT: str | None = None

    def setUp(self):
        super().setUp()
        if not shutil.which("python3") or not shutil.which("setsid"):
            self.fail("python3 and setsid must be on PATH for the handlers of test_isolation")
        self.leftovers: set[int] = set()
        self.addCleanup(lambda: kill_pids(p for p in self.leftovers if alive(p)))

    def engine(self, functions: dict[str, dict]):
        env = {"LAMBDAPORT_CONTAINMENT": self.CONTAINMENT} if self.CONTAINMENT else {}
        return self.start_engine(functions, env=env)

    def instance(self, engine, function: str) -> tuple[int, str]:
        """(pid, Runtime API HOST:PORT) of the process `function`'s instance started (its leader)."""
        def find():
            for pid in sorted(engine.handler_pids()):
                env = environment_of(pid)
                if env.get("AWS_LAMBDA_FUNCTION_NAME") == function and "AWS_LAMBDA_RUNTIME_API" in env:
                    return pid, env["AWS_LAMBDA_RUNTIME_API"]
            return None
        return wait_until(find, 10, f"an instance of {function}")

    # --- the Runtime API answers only the instance's processes ---------------------------------

    def intrude(self, engine, function: str, payload: dict) -> None:
        """Another local process asks the instance's Runtime API for work while an invocation is
        pending: its connection is closed unanswered, and the handler still serves the invocation."""
        _, api = self.instance(engine, function)
        host, port = api.rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as intruder, \
                concurrent.futures.ThreadPoolExecutor(1) as pool:
            intruder.sendall(NEXT)
            pending = pool.submit(engine.invoke, function, payload)
            try:
                data = intruder.recv(65536)
            except ConnectionResetError:
                data = b""
            except socket.timeout:
                self.fail("the engine left another process's Runtime API connection open")
            self.assertEqual(data, b"", "another process got an answer from the instance's Runtime API")
            r = pending.result(60)
        engine.wait_output(r"WARN runtime api connection refused .*function=%s .*peer_pid=%d\b"
                           % (re.escape(function), os.getpid()))
        return r

    def test_another_process_cannot_take_an_invocation(self):
        engine = self.engine({"hello": {"handler": example("hello")}})
        self.assertSuccess(engine.invoke("hello", {"warm": True}))
        out = self.assertSuccess(self.intrude(engine, "hello", {"mine": 1}))
        self.assertEqual(out["event"], {"mine": 1}, "the real handler answered the invocation")
        out = self.assertSuccess(engine.invoke("hello", {"after": "intruder"}))
        self.assertEqual(out["event"], {"after": "intruder"})

    def test_runtimes_that_reconnect_or_fork_are_admitted(self):
        # process_probe.py opens a connection per request; forking_bootstrap.sh runs it as its
        # grandchild (a shell, a subshell, then the runtime); runtime_probe.py keeps one connection.
        engine = self.engine({"reconnects": {"handler": PROBE},
                              "forked": {"handler": FORKING_BOOTSTRAP},
                              "keeps": {"handler": RUNTIME_PROBE}})
        for i in range(3):
            self.assertIn("pid", self.assertSuccess(engine.invoke("reconnects", {"i": i})))
            out = self.assertSuccess(engine.invoke("forked", {"i": i}))
            leader, _ = self.instance(engine, "forked")
            self.assertNotEqual(out["pid"], leader, "the runtime is not the instance's own process")
            self.assertNotEqual(out["ppid"], leader, "the runtime is a grandchild of the instance's process")
            self.assertEqual(self.assertSuccess(engine.invoke("keeps", {"mode": "env", "i": i}))["event"],
                             {"mode": "env", "i": i})
        self.assertNotIn("runtime api connection refused", engine.output())
        # The check covers the grandchild's instance only: an intruder is refused there too.
        self.assertIn("pid", self.assertSuccess(self.intrude(engine, "forked", {"i": "intruded"})))

    # --- handlers hold none of the engine's descriptors ----------------------------------------

    def test_handler_holds_only_its_own_descriptors(self):
        # Two functions, so that there are other instances' Runtime API sockets to leak.
        engine = self.engine({"hello": {"handler": example("hello")},
                              "other": {"handler": example("hello")}})
        self.assertSuccess(engine.invoke("other", {}))
        self.assertSuccess(engine.invoke("hello", {}))
        pid, api = self.instance(engine, "hello")
        api_port = int(api.rsplit(":", 1)[1])
        engine_sockets = set(socket_inodes(engine.proc.pid).values())
        fds = {int(fd): os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        self.assertTrue({0, 1, 2} <= set(fds), fds)
        for fd, link in fds.items():
            if fd <= 2:
                continue
            # The SDK's own connection to its Runtime API is all a handler that opens nothing holds.
            m = re.fullmatch(r"socket:\[(\d+)\]", link)
            self.assertIsNotNone(m, f"hello holds fd {fd} -> {link}, not its own: {fds}")
            inode = int(m.group(1))
            self.assertNotIn(inode, engine_sockets, f"hello holds the engine's socket as fd {fd}: {fds}")
            ends = tcp_endpoints(inode)
            self.assertIsNotNone(ends, f"fd {fd} of hello is not a TCP connection: {fds}")
            self.assertEqual(ends[1], api_port, f"fd {fd} of hello is not its Runtime API connection: {fds}")
        # Nor does it hold the Invoke API's listening port under any descriptor.
        for fd, inode in socket_inodes(pid).items():
            ends = tcp_endpoints(inode)
            self.assertFalse(ends is not None and ends[0] == engine.port and ends[1] == 0,
                             f"hello holds the Invoke API listener as fd {fd}")

    # --- what an instance starts ends with it --------------------------------------------------

    def spawn_grandchild(self, engine, function: str) -> int:
        pid = self.assertSuccess(engine.invoke(function, {"spawn": True}))["pid"]
        self.leftovers.add(pid)
        self.assertTrue(alive(pid), "the handler's setsid grandchild runs")
        return pid

    def assert_ended(self, pid: int, why: str) -> None:
        wait_until(lambda: not alive(pid), 10, f"the setsid grandchild {pid} to end with its instance ({why})")
        if self.CONTAINMENT == "subreaper":
            # Its orphan was re-parented to the engine, which must reap it: no zombies pile up.
            wait_until(lambda: gone(pid), 10, f"the engine to reap the grandchild {pid} ({why})")

    def test_grandchild_ends_with_a_timed_out_instance(self):
        engine = self.engine({"probe": {"handler": PROBE, "timeout": 1}})
        pid = self.spawn_grandchild(engine, "probe")
        r = engine.invoke("probe", {"sleep": 30})
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", str(r))
        self.assert_ended(pid, "timeout")

    def test_grandchild_ends_with_a_crashed_instance(self):
        engine = self.engine({"probe": {"handler": PROBE}})
        pid = self.spawn_grandchild(engine, "probe")
        r = engine.invoke("probe", {"crash": True})
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", str(r))
        self.assert_ended(pid, "crash")
        self.assertIn("pid", self.assertSuccess(engine.invoke("probe", {})), "a new instance serves")

    def test_grandchild_ends_when_the_engine_stops(self):
        engine = self.engine({"probe": {"handler": PROBE}})
        pid = self.spawn_grandchild(engine, "probe")
        self.assertEqual(engine.stop(), 0)
        wait_until(lambda: not alive(pid), 10, f"the setsid grandchild {pid} to end with the engine")

    def test_containment_is_said_at_start_up(self):
        engine = self.engine({"probe": {"handler": PROBE}})
        m = engine.wait_output(r"process containment mechanism=\"?([^\"\n]+)")
        if self.CONTAINMENT == "subreaper":
            self.assertIn("subreaper", m.group(1))


class IsolationWithSubreaper(Isolation):
    """The same, with the mechanism used where the engine cannot create cgroups."""
    CONTAINMENT = "subreaper"


if __name__ == "__main__":
    unittest.main()
