"""Test harness: starts the real `lambdaport` binary and drives it with real clients.

Paths come from the environment CMake sets for every integration test:
  LAMBDAPORT_BIN       the engine binary (<build>/runtime/lambdaport)
  LAMBDAPORT_EXAMPLES  the example handlers' folder (<build>/examples; handler NAME is NAME/NAME)
Run by hand from this folder with both set, e.g.
  LAMBDAPORT_BIN=../../build/runtime/lambdaport LAMBDAPORT_EXAMPLES=../../build/examples \
      python3 -m unittest -v test_aws_cli

Every engine is started with `--listen 127.0.0.1:0` and a private state folder, and stopped by its PID
(SIGTERM, then SIGKILL after a deadline) when the test ends, whatever happened. Handler processes the
engine started and left behind are killed by PID too. Waits poll with deadlines; nothing sleeps a fixed
time to let something happen.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import storage_servers
from storage_servers import free_port  # noqa: F401 (tests import it from here)

HERE = os.path.dirname(os.path.abspath(__file__))
JS_DIR = os.path.join(HERE, "js")
AWS_CLI = "/usr/bin/aws"  # AWS CLI v2 from Debian; a v1 `aws` may come first on PATH
NODE = shutil.which("node") or "/usr/bin/node"

REGION = "us-east-1"
ACCOUNT = "000000000000"
LISTENING = re.compile(r"listening address=([0-9.]+):([0-9]+)")
REQUEST_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# ASan's and UBSan's reports, and ThreadSanitizer's (a race is a WARNING; TSan goes on and exits 66).
SANITIZER_REPORT = re.compile(r"^(==[0-9]+==ERROR: [^\n]*|\S+:[0-9]+:[0-9]+: runtime error: [^\n]*"
                              r"|(?:WARNING|FATAL): ThreadSanitizer: [^\n]*)$", re.MULTILINE)

# A slower build (ThreadSanitizer: 5-15x) multiplies the harness's deadlines and wait_until's timeouts.
TIMEOUT_SCALE = max(1.0, float(os.environ.get("LAMBDAPORT_TEST_TIMEOUT_SCALE") or 1))
START_DEADLINE = 20.0 * TIMEOUT_SCALE  # seconds for the engine to print its listening line
STOP_DEADLINE = 10.0 * TIMEOUT_SCALE  # seconds between SIGTERM and SIGKILL
MAX_SYNC_BODY = 6_291_456  # Invoke API request limit
MAX_RESPONSE = 6_291_556  # Runtime API response limit


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def _required_path(var: str, kind: str) -> str:
    value = os.environ.get(var)
    if not value:
        raise AssertionError(
            f"{var} is not set: it must name the {kind} (CMake sets it; see harness.py to run by hand)")
    return os.path.abspath(value)


def engine_binary() -> str:
    path = _required_path("LAMBDAPORT_BIN", "lambdaport binary")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"LAMBDAPORT_BIN={path} is not an executable file")
    return path


def example(name: str) -> str:
    """Absolute path of the example handler `name`; fails the test if it was not built."""
    path = os.path.join(_required_path("LAMBDAPORT_EXAMPLES", "example handlers' folder"), name, name)
    if not os.access(path, os.X_OK):
        raise AssertionError(f"example handler {path} is not built")
    return path


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.02) -> Any:
    """Polls `predicate` until it returns something truthy (returned) or `timeout` seconds pass (fails)."""
    try:
        return storage_servers.wait_until(predicate, timeout * TIMEOUT_SCALE, what, interval)
    except TimeoutError as e:
        raise AssertionError(str(e)) from None


def wait_for_count(count: Callable[[], int], target: int, stall: float, what: str,
                   interval: float = 0.2) -> int:
    """Polls `count` until it reaches `target`; fails only when it has not grown for `stall`
    seconds. For streams whose speed is the server's (moto scans its whole queue on each call, so a
    loaded machine slows it several-fold), not the engine's: a stall is a failure, slowness is not."""
    stall *= TIMEOUT_SCALE
    start = time.monotonic()
    last, last_change = count(), start
    while last < target:
        time.sleep(interval)
        now, value = time.monotonic(), count()
        if value > last:
            last, last_change = value, now
        elif now - last_change >= stall:
            raise AssertionError(f"{what}: {last} of {target} after {now - start:.0f} s, "
                                 f"none more in the last {stall:.0f} s")
    return last


def remove_temp_folder(path: str) -> None:
    """Removes a test's temporary folder, or keeps it (saying where) with LAMBDAPORT_KEEP_TMP=1."""
    if os.environ.get("LAMBDAPORT_KEEP_TMP"):
        sys.stderr.write(f"(kept {path})\n")
    else:
        shutil.rmtree(path, ignore_errors=True)


def run_with_deadline(command: list[str], what: str, deadline: float, *, cwd: str | None = None,
                      env: dict[str, str] | None = None,
                      output_tail: int = 20_000) -> subprocess.CompletedProcess:
    """Runs `command` with its standard error in its standard output (text); subprocess.run kills
    it by its PID when `deadline` seconds pass, and the test then fails with what it had printed."""
    try:
        return subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=deadline)
    except subprocess.TimeoutExpired as e:
        partial = e.output.decode(errors="replace") if isinstance(e.output, bytes) else (e.output or "")
        raise AssertionError(f"{what} did not finish within {deadline:.0f} s:\n"
                             f"{partial[-output_tail:]}") from None


# --- processes ---------------------------------------------------------------------------------------

def _parent_map() -> dict[int, int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        # comm may contain spaces and parentheses: the fields after it start after the last ')'.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1:
            parents[int(entry)] = int(fields[1])
    return parents


def descendants(pid: int) -> set[int]:
    """PIDs of every live process below `pid`."""
    children: dict[int, list[int]] = {}
    for child, parent in _parent_map().items():
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:].split()[0] != "Z"


def executable_of(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def kill_pids(pids: Iterable[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --- the engine --------------------------------------------------------------------------------------

class Engine:
    """One `lambdaport serve` process with its own config file and state folder."""

    def __init__(self, workdir: str, functions: dict[str, dict] | None = None,
                 engine: dict | None = None, args: list[str] | None = None,
                 state_dir: str | None = None, cwd: str | None = None,
                 env: dict[str, str] | None = None, inherit_env: bool = True,
                 listen: str = "127.0.0.1:0"):
        self.workdir = workdir
        self.listen = listen  # a loopback address, or one the test sends no traffic to
        self.env = dict(env or {})  # added to the engine's environment (which has no AWS_* of ours)
        self.inherit_env = inherit_env  # False: the engine's environment is `env` alone
        self.cwd = cwd or workdir
        self.state_dir = state_dir or os.path.join(workdir, "state")
        self.config_path = None
        if functions is not None:
            self.config_path = os.path.join(workdir, "config.json")
            config: dict[str, Any] = {"functions": functions}
            if engine:
                config["engine"] = engine
            with open(self.config_path, "w") as f:
                json.dump(config, f, indent=2)
        self.extra_args = list(args or [])
        self.proc: subprocess.Popen | None = None
        self.host = ""
        self.port = 0
        self._lines: list[str] = []
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []
        self.handler_pids_seen: set[int] = set()

    # lifecycle

    def command(self) -> list[str]:
        cmd = [engine_binary(), "serve"]
        if self.config_path:
            cmd += ["--config", self.config_path]
        cmd += self.extra_args
        cmd += ["--listen", self.listen, "--state", self.state_dir]
        return cmd

    def start(self) -> "Engine":
        # Neither the runner's AWS credentials nor an Invoke API credential of its own (which would
        # make every engine verify signatures).
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and k not in ("LAMBDAPORT_ACCESS_KEY_ID",
                                                         "LAMBDAPORT_SECRET_ACCESS_KEY")} \
            if self.inherit_env else {}
        env.update(self.env)
        with self._cond:
            self._lines.clear()
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=self.cwd, env=env)
        self._threads = [threading.Thread(target=self._drain, args=(s,), daemon=True)
                         for s in (self.proc.stdout, self.proc.stderr)]
        for t in self._threads:
            t.start()
        deadline = time.monotonic() + START_DEADLINE
        with self._cond:
            while True:
                m = LISTENING.search("".join(self._lines))
                if m:
                    self.host, self.port = m.group(1), int(m.group(2))
                    break
                if self.proc.poll() is not None and not any(t.is_alive() for t in self._threads):
                    raise AssertionError(f"lambdaport exited with status {self.proc.returncode} before "
                                         f"listening:\n{self.output()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"lambdaport printed no 'listening address=' line within "
                                         f"{START_DEADLINE} s:\n{self.output()}")
                self._cond.wait(min(left, 0.1))
        expected = self.listen.rsplit(":", 1)[0]
        if self.host != expected:
            raise AssertionError(f"engine listens on {self.host}, expected {expected}")
        return self

    def _drain(self, stream) -> None:
        for raw in iter(stream.readline, b""):
            with self._cond:
                self._lines.append(raw.decode("utf-8", errors="replace"))
                self._cond.notify_all()
        stream.close()
        with self._cond:
            self._cond.notify_all()

    def handler_pids(self) -> set[int]:
        """Live processes below the engine (its handler processes)."""
        if self.proc is None or self.proc.poll() is not None:
            return set()
        pids = descendants(self.proc.pid)
        self.handler_pids_seen |= pids
        return pids

    def stop(self) -> int | None:
        """SIGTERM, SIGKILL after STOP_DEADLINE; kills any handler process left behind. Returns the
        engine's exit status."""
        if self.proc is None:
            return None
        handlers = self.handler_pids()
        storage_servers.terminate(self.proc, STOP_DEADLINE)
        self._join()
        self.leftover = self._reap(handlers, 5.0)
        return self.proc.returncode

    def kill9(self) -> set[int]:
        """SIGKILL the engine; returns the handler processes that outlived it by 5 s (then killed)."""
        assert self.proc is not None
        handlers = self.handler_pids()
        self.proc.kill()
        self.proc.wait()
        self._join()
        return self._reap(handlers, 5.0)

    def _join(self) -> None:
        for t in self._threads:
            t.join(5.0)

    @staticmethod
    def _reap(pids: set[int], grace: float) -> set[int]:
        deadline = time.monotonic() + grace
        left = {p for p in pids if alive(p)}
        while left and time.monotonic() < deadline:
            time.sleep(0.02)
            left = {p for p in left if alive(p)}
        kill_pids(left)
        return left

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # output and state

    def output(self) -> str:
        with self._cond:
            return "".join(self._lines)

    def wait_output(self, pattern: str, timeout: float = 10.0) -> re.Match:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = regex.search("".join(self._lines))
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"engine output has no match for {pattern!r} after {timeout} s")
                self._cond.wait(min(left, 0.1))

    def log_path(self, function: str) -> str:
        return os.path.join(self.state_dir, "logs", f"{function}.log")

    def log(self, function: str) -> str:
        try:
            with open(self.log_path(function), encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_log(self, function: str, pattern: str, timeout: float = 10.0) -> re.Match:
        regex = re.compile(pattern)
        return wait_until(lambda: regex.search(self.log(function)), timeout,
                          f"{pattern!r} in {self.log_path(function)}")

    def queue_files(self, function: str) -> list[str]:
        folder = os.path.join(self.state_dir, "queue", function)
        try:
            return sorted(n for n in os.listdir(folder) if n.endswith(".json"))
        except FileNotFoundError:
            return []

    # clients

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def invoke(self, function: str, payload: Any = None, *, raw: bytes | None = None,
               invocation_type: str | None = None, log_type: str | None = None,
               client_context: str | None = None, qualifier: str | None = None,
               headers: dict[str, str] | None = None, timeout: float = 60.0) -> "Response":
        """POST /2015-03-31/functions/{function}/invocations with http.client."""
        body = raw if raw is not None else (b"" if payload is None else json.dumps(payload).encode())
        path = f"/2015-03-31/functions/{quote_path(function)}/invocations"
        if qualifier is not None:
            path += f"?Qualifier={quote_path(qualifier)}"
        h = {"Content-Type": "application/json"}
        if invocation_type:
            h["X-Amz-Invocation-Type"] = invocation_type
        if log_type:
            h["X-Amz-Log-Type"] = log_type
        if client_context:
            h["X-Amz-Client-Context"] = client_context
        h.update(headers or {})
        return http_request(self.host, self.port, "POST", path, body, h, timeout)


def quote_path(text: str) -> str:
    from urllib.parse import quote
    return quote(text, safe="")


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    elapsed: float = 0.0

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError(f"response body is not JSON ({e}): {self.body[:500]!r}") from None

    def __str__(self) -> str:
        return f"HTTP {self.status} {self.headers} {self.body[:1000]!r}"


def http_request(host: str, port: int, method: str, path: str, body: bytes,
                 headers: dict[str, str], timeout: float) -> Response:
    started = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data,
                        time.monotonic() - started)
    finally:
        conn.close()


# --- real clients -----------------------------------------------------------------------------------

def client_env(home: str) -> dict[str, str]:
    """Environment for the AWS CLI: dummy credentials, no user config, no retries, no pager."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "HOME": home,
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_PAGER": "",
        "AWS_CONFIG_FILE": os.path.join(home, "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        "AWS_CLI_AUTO_PROMPT": "off",
    })
    return env


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str
    meta: dict = field(default_factory=dict)  # what `aws lambda invoke` printed, parsed
    outfile: bytes = b""  # the response payload file

    def out_json(self) -> Any:
        try:
            return json.loads(self.outfile)
        except ValueError as e:
            raise AssertionError(f"response payload is not JSON ({e}): {self.outfile[:500]!r}") from None


class EngineTestCase(unittest.TestCase):
    """Base class: a temp folder per test, engines stopped by PID in cleanup, output shown on failure."""

    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="lambdaport-it-")
        self.engines: list[Engine] = []
        self.addCleanup(self._cleanup)

    def _cleanup(self) -> None:
        result = getattr(self._outcome, "result", None)
        failed = any(test is self for test, _ in
                     getattr(result, "failures", []) + getattr(result, "errors", []))
        problems = []
        for e in self.engines:
            was_running = e.running()
            status = e.stop()
            # An engine this cleanup stopped with SIGTERM must exit cleanly: a non-zero status there
            # is a crash, a hang (SIGKILL) or a sanitizer's report at exit.
            if was_running and status != 0:
                problems.append(f"lambdaport exited with status {status} on SIGTERM")
            # The engine's own sanitizer reports (handler output is tagged, so it never starts a line).
            for m in SANITIZER_REPORT.finditer(e.output()):
                problems.append(f"sanitizer report in lambdaport's output: {m.group(0).strip()}")
            if failed or problems or os.environ.get("LAMBDAPORT_TEST_VERBOSE"):
                tail = e.output()[-20000:]
                sys.stderr.write(f"\n----- lambdaport output ({self.id()}) -----\n{tail}"
                                 f"----- end of lambdaport output -----\n")
        remove_temp_folder(self.tmp)
        if problems:
            self.fail("; ".join(problems))

    def start_engine(self, functions: dict[str, dict] | None = None, workdir: str | None = None,
                     **kwargs) -> Engine:
        workdir = workdir or tempfile.mkdtemp(prefix="engine-", dir=self.tmp)
        engine = Engine(workdir, functions, **kwargs)
        self.engines.append(engine)
        return engine.start()

    def restart_engine(self, old: Engine) -> Engine:
        """A new engine process on the same config and state folder."""
        engine = Engine(old.workdir, None, args=old.extra_args, state_dir=old.state_dir, cwd=old.cwd,
                        env=old.env, inherit_env=old.inherit_env, listen=old.listen)
        engine.config_path = old.config_path
        self.engines.append(engine)
        return engine.start()

    # AWS CLI v2

    def aws(self, *args: str, timeout: float = 120.0,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """The AWS CLI v2 with client_env(), plus `env` (e.g. other credentials)."""
        home = os.path.join(self.tmp, "home")
        os.makedirs(home, exist_ok=True)
        cli_env = client_env(home)
        cli_env.update(env or {})
        return subprocess.run([AWS_CLI, *args], env=cli_env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)

    def aws_invoke(self, engine: Engine, function: str, payload: Any = None, *extra: str,
                   payload_file: str | None = None, endpoint: str | None = None,
                   env: dict[str, str] | None = None) -> CliResult:
        outfile = os.path.join(self.tmp, f"out-{time.monotonic_ns()}.json")
        args = ["lambda", "invoke", "--endpoint-url", endpoint or engine.endpoint,
                "--function-name", function, "--cli-binary-format", "raw-in-base64-out",
                "--output", "json"]
        if payload_file is not None:
            args += ["--payload", f"fileb://{payload_file}"]
        elif payload is not None:
            args += ["--payload", payload if isinstance(payload, str) else json.dumps(payload)]
        args += [*extra, outfile]
        p = self.aws(*args, env=env)
        result = CliResult(p.returncode, p.stdout, p.stderr)
        if p.returncode == 0:
            try:
                result.meta = json.loads(p.stdout)
            except ValueError:
                self.fail(f"aws lambda invoke printed no JSON: {p.stdout!r} {p.stderr!r}")
        if os.path.exists(outfile):
            with open(outfile, "rb") as f:
                result.outfile = f.read()
        return result

    # AWS SDK for JavaScript v3

    def js_invoke(self, engine: Engine, function: str, **request: Any) -> dict:
        sdk = os.path.join(JS_DIR, "node_modules", "@aws-sdk", "client-lambda", "package.json")
        if not os.path.exists(sdk):
            self.fail(f"{sdk} is missing: run `npm ci` in {JS_DIR} (scripts/test.sh does)")
        request = {"endpoint": engine.endpoint, "functionName": function, **request}
        p = subprocess.run([NODE, os.path.join(JS_DIR, "invoke.mjs"), json.dumps(request)],
                           cwd=JS_DIR, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=120, env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")})
        self.assertEqual(p.returncode, 0, f"node invoke.mjs failed: {p.stdout} {p.stderr}")
        return json.loads(p.stdout.strip().splitlines()[-1])

    # common assertions

    def assertApiError(self, r: Response, status: int, name: str) -> dict:
        """An Invoke API error as AWS sends it: status, x-amzn-ErrorType, {"Type","message"} body."""
        self.assertEqual(r.status, status, str(r))
        error_type = r.header("x-amzn-ErrorType") or ""
        # AWS may append ":<url>" to the header value; clients take the part before ':'.
        self.assertEqual(error_type.split(":")[0], name, str(r))
        body = r.json()
        self.assertIsInstance(body, dict, str(r))
        self.assertIn(body.get("Type"), ("User", "Service"), str(r))
        self.assertIsInstance(body.get("message"), str, str(r))
        self.assertTrue(body["message"], str(r))
        return body

    def assertFunctionError(self, r: Response, error_type: str) -> dict:
        """A function error: 200, X-Amz-Function-Error: Unhandled, body {"errorType","errorMessage"}."""
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", str(r))
        body = r.json()
        self.assertEqual(body.get("errorType"), error_type, str(r))
        self.assertIsInstance(body.get("errorMessage"), str, str(r))
        return body

    def assertSuccess(self, r: Response) -> Any:
        self.assertEqual(r.status, 200, str(r))
        self.assertIsNone(r.header("X-Amz-Function-Error"), str(r))
        return r.json()


def b64(data: Any) -> str:
    if not isinstance(data, (bytes, str)):
        data = json.dumps(data)
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()
