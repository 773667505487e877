"""Real S3- and SQS-compatible servers for tests and benchmarks: `moto_server` (S3 and SQS),
`s3rver` (S3), `fauxqs` (SQS) and Ceph's `radosgw` (S3), each on free loopback ports, started and stopped
by this module.

    with MotoServer(workdir, auth=True) as moto:       # SigV4 verified against moto's IAM
        env = moto.client_env(moto.admin)               # AWS_ENDPOINT_URL_S3, keys, region
        ...
    with S3rver(workdir) as s3rver:
        env = s3rver.client_env(s3rver.credentials)
    with Fauxqs(workdir) as fauxqs:
        url = sqs_call(fauxqs.endpoint, fauxqs.credentials, "CreateQueue", {"QueueName": "q"})["QueueUrl"]
    with RadosGW(workdir) as rgw:                       # Ceph's radosgw, a one-node cluster of its own
        env = rgw.client_env(rgw.admin)                 # (rgw.restricted: reads and writes denied)
    minio = Minio.from_environment()                    # a MinIO someone else runs, or None

Only the standard library (plus the servers' own executables) is used. Every server is stopped
by its PID (SIGTERM, then SIGKILL after a deadline), whatever happened; waits poll with deadlines.

Where the executables come from:
  moto_server   LAMBDAPORT_MOTO_SERVER, else the one beside this Python interpreter, else
                `moto_server` on PATH (moto 5.x on the image's Python 3.11)
  s3rver        js/node_modules/s3rver (pinned in js/package.json; `npm ci` in js/ installs it),
                run with `node`; NODE_OPTIONS=--openssl-legacy-provider as Node 20 needs
  fauxqs        js/node_modules/fauxqs (pinned likewise), started by js/fauxqs.mjs, which binds
                127.0.0.1 only (fauxqs's own command binds every interface)
  radosgw       Debian's radosgw, ceph-mon, ceph-osd and ceph-common (scripts/setup.sh --tests)
  MinIO         not started here: LAMBDAPORT_TEST_MINIO names a running one (docker-compose.yml's
                `tests` profile runs one beside the suite); see Minio
"""

from __future__ import annotations

import collections
import datetime
import hashlib
import hmac
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
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
JS_DIR = os.path.join(HERE, "js")
REGION = "us-east-1"

START_DEADLINE = 30.0  # seconds for a server to answer HTTP
STOP_DEADLINE = 10.0  # seconds between SIGTERM and SIGKILL
OUTPUT_LINES = 400  # lines of server output kept for failure reports


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def error_code(self) -> str:
        """The <Code> of an S3/IAM XML error body ('' if none)."""
        m = re.search(rb"<Code>([^<]*)</Code>", self.body)
        return m.group(1).decode() if m else ""

    def __str__(self) -> str:
        return f"HTTP {self.status} {self.body[:600]!r}"


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Polls `predicate` until it returns something truthy (returned) or `timeout` passes (raises)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(interval)


# --- SigV4 and plain requests -------------------------------------------------------------------------

def _quote(text: str, safe: str = "-_.~") -> str:
    return urllib.parse.quote(text, safe=safe)


def sigv4_headers(method: str, host: str, path: str, query: dict[str, str], body: bytes, *,
                  credentials: Credentials, service: str, region: str = REGION,
                  headers: dict[str, str] | None = None,
                  now: datetime.datetime | None = None) -> dict[str, str]:
    """The headers of a request signed with AWS Signature Version 4 (header form). `path` is the
    decoded path; it is encoded here once, as S3 wants (and as every other service accepts for the
    simple paths this module sends)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    payload_hash = hashlib.sha256(body).hexdigest()
    all_headers = {"host": host, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash}
    for name, value in (headers or {}).items():
        all_headers[name.lower()] = value
    signed = sorted(all_headers)
    canonical_headers = "".join(f"{n}:{' '.join(all_headers[n].split())}\n" for n in signed)
    canonical_query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(query.items()))
    canonical_request = "\n".join([method, _quote(path, safe="/-_.~"), canonical_query,
                                   canonical_headers, ";".join(signed), payload_hash])
    scope = f"{day}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = ("AWS4" + credentials.secret_access_key).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    result = {n: all_headers[n] for n in signed if n != "host"}
    result["authorization"] = (f"AWS4-HMAC-SHA256 Credential={credentials.access_key_id}/{scope}, "
                               f"SignedHeaders={';'.join(signed)}, Signature={signature}")
    return result


def aws_request(endpoint: str, method: str, path: str, *, credentials: Credentials, service: str,
                query: dict[str, str] | None = None, body: bytes = b"",
                headers: dict[str, str] | None = None, region: str = REGION,
                timeout: float = 30.0) -> Response:
    """One SigV4-signed request to `endpoint` (http://host:port) with http.client."""
    parsed = urllib.parse.urlsplit(endpoint)
    query = query or {}
    signed = sigv4_headers(method, parsed.netloc, path, query, body, credentials=credentials,
                           service=service, region=region, headers=headers)
    target = _quote(path, safe="/-_.~")
    if query:
        target += "?" + "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(query.items()))
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=signed)
        r = conn.getresponse()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


class SqsError(RuntimeError):
    def __init__(self, action: str, response: Response):
        super().__init__(f"SQS {action} failed: {response}")
        self.response = response
        try:
            self.code = json.loads(response.body).get("__type", "").rsplit("#", 1)[-1]
        except ValueError:
            self.code = response.error_code()


def sqs_call(endpoint: str, credentials: Credentials, action: str, body: dict,
             timeout: float = 30.0) -> dict:
    """One SQS call in the AWS JSON 1.0 protocol, SigV4-signed; the answer's JSON, or SqsError."""
    r = aws_request(endpoint, "POST", "/", credentials=credentials, service="sqs",
                    body=json.dumps(body).encode(), timeout=timeout,
                    headers={"content-type": "application/x-amz-json-1.0",
                             "x-amz-target": f"AmazonSQS.{action}"})
    if r.status != 200:
        raise SqsError(action, r)
    return json.loads(r.body or b"{}")


def _answers_http(host: str, port: int, path: str) -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=2.0)
    try:
        conn.request("GET", path)
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


def s3_client_env(endpoint: str, credentials: Credentials,
                  base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment for a client of the S3-compatible server at `endpoint`: `base` (default: this
    process's) without AWS_* and LAMBDAPORT_STORAGE, plus the endpoint, the credentials and the
    region."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if not k.startswith("AWS_") and k != "LAMBDAPORT_STORAGE"}
    env.update({
        "AWS_ENDPOINT_URL_S3": endpoint,
        "AWS_ACCESS_KEY_ID": credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    return env


def list_keys(endpoint: str, credentials: Credentials, bucket: str) -> list[str]:
    """Every key of `bucket` (ListObjectsV2, page by page); raises RuntimeError on an error."""
    keys: list[str] = []
    token = ""
    while True:
        query = {"list-type": "2"}
        if token:
            query["continuation-token"] = token
        r = aws_request(endpoint, "GET", f"/{bucket}", credentials=credentials, service="s3",
                        query=query)
        if r.status != 200:
            raise RuntimeError(f"ListObjectsV2 of {bucket} on {endpoint} failed: {r}")
        root = ET.fromstring(r.body)
        found = {el.tag.rsplit("}", 1)[-1]: el for el in root}
        keys += [el.text or "" for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "Key"]
        truncated, next_token = found.get("IsTruncated"), found.get("NextContinuationToken")
        token = (next_token.text or "") if next_token is not None else ""
        if truncated is None or truncated.text != "true" or not token:
            return keys


def fresh_bucket(endpoint: str, credentials: Credentials, bucket: str) -> None:
    """Makes `bucket` exist and hold nothing: created, or emptied if it was there already."""
    r = aws_request(endpoint, "PUT", f"/{bucket}", credentials=credentials, service="s3")
    if r.status == 200:
        return
    if r.status != 409 or r.error_code() not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
        raise RuntimeError(f"CreateBucket {bucket} on {endpoint} failed: {r}")
    for key in list_keys(endpoint, credentials, bucket):
        r = aws_request(endpoint, "DELETE", f"/{bucket}/{key}", credentials=credentials, service="s3")
        if r.status not in (200, 204):
            raise RuntimeError(f"DeleteObject {bucket}/{key} on {endpoint} failed: {r}")


# --- server processes ---------------------------------------------------------------------------------

def terminate(proc: subprocess.Popen, deadline: float) -> int:
    """Stops a child by its PID: SIGTERM, then SIGKILL if it is still there after `deadline` seconds.
    Returns its exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(deadline)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


class ServerError(RuntimeError):
    """A server did not start, or did not behave as the set-up expects; carries its output."""


class ServerProcess:
    """One server child process on 127.0.0.1. Use as a context manager, or start()/stop()."""

    name = "server"

    def __init__(self, workdir: str | None = None):
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix=f"lambdaport-{self.name}-")
        os.makedirs(self.workdir, exist_ok=True)
        self.host = "127.0.0.1"
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self._lines: collections.deque[str] = collections.deque(maxlen=OUTPUT_LINES)
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []

    # to be provided by each server

    def command(self, port: int) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}

    def _wait_ready(self, deadline: float) -> None:
        raise NotImplementedError

    def _after_start(self) -> None:
        """Set-up once the server answers (users, keys, ...)."""

    # lifecycle

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> "ServerProcess":
        # A port found free can be taken before the server binds it: then try another.
        for attempt in range(3):
            self._spawn(self._choose_port())
            try:
                self._wait_ready(time.monotonic() + START_DEADLINE)
                break
            except ServerError:
                self.stop()
                if attempt == 2 or "address already in use" not in self.output().lower():
                    raise
        try:
            self._after_start()
        except BaseException:
            self.stop()
            raise
        return self

    def _choose_port(self) -> int:
        return free_port()

    def _spawn(self, port: int) -> None:
        self.port = port
        with self._cond:
            self._lines.clear()
        self.proc = subprocess.Popen(self.command(port), cwd=self.workdir, env=self.environment(),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self._threads = [threading.Thread(target=self._drain, daemon=True)]
        self._threads[0].start()

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):
            with self._cond:
                self._lines.append(raw.decode("utf-8", errors="replace"))
                self._cond.notify_all()
        self.proc.stdout.close()
        with self._cond:
            self._cond.notify_all()

    def _fail(self, why: str) -> "ServerError":
        return ServerError(f"{self.name}: {why}\n----- {self.name} output -----\n{self.output()}"
                           f"----- end of {self.name} output -----")

    def _check_running(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            for t in self._threads:
                t.join(2.0)
            raise self._fail(f"exited with status {self.proc.returncode} while starting")

    LISTENING: re.Pattern | None = None  # for servers that print the port they bound

    def _wait_printed_port(self, deadline: float) -> None:
        """Waits for the server's LISTENING line (group 2: the port) and takes the port from it."""
        assert self.LISTENING is not None
        with self._cond:
            while True:
                m = self.LISTENING.search("".join(self._lines))
                if m:
                    self.port = int(m.group(2))
                    return
                if self.proc is not None and self.proc.poll() is not None and \
                        not any(t.is_alive() for t in self._threads):
                    raise self._fail(f"exited with status {self.proc.returncode} while starting")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._fail(f"printed no line matching {self.LISTENING.pattern!r} within "
                                     f"{START_DEADLINE} s")
                self._cond.wait(min(left, 0.1))

    def _wait_http(self, deadline: float, path: str) -> None:
        while not _answers_http(self.host, self.port, path):
            self._check_running()
            if time.monotonic() >= deadline:
                raise self._fail(f"no HTTP answer on {self.endpoint} within {START_DEADLINE} s")
            time.sleep(0.05)

    def stop(self) -> int | None:
        """SIGTERM by PID, SIGKILL after STOP_DEADLINE. Returns the exit status."""
        if self.proc is None:
            return None
        terminate(self.proc, STOP_DEADLINE)
        for t in self._threads:
            t.join(5.0)
        return self.proc.returncode

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def output(self) -> str:
        """The server's last OUTPUT_LINES lines of stdout and stderr."""
        with self._cond:
            return "".join(self._lines)

    def client_env(self, credentials: Credentials, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment for a client of this server (see s3_client_env)."""
        return s3_client_env(self.endpoint, credentials, base)

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


# --- moto ---------------------------------------------------------------------------------------------

def _moto_executable() -> str:
    # Beside this interpreter first: ctest runs the resolved interpreter, not a pyenv shim.
    beside = os.path.join(os.path.dirname(sys.executable), "moto_server")
    path = os.environ.get("LAMBDAPORT_MOTO_SERVER") or \
        (beside if os.access(beside, os.X_OK) else shutil.which("moto_server"))
    if not path:
        raise ServerError("moto_server is not on PATH (pip install 'moto[server]', or set "
                          "LAMBDAPORT_MOTO_SERVER)")
    return path


class MotoServer(ServerProcess):
    """`moto_server` (S3, SQS, IAM, ... on one port).

    With auth=True, moto verifies SigV4 on every request after the set-up: the server starts with
    INITIAL_NO_AUTH_ACTION_COUNT set to exactly the number of IAM calls the set-up makes, which
    create two users through moto's IAM query API:
      admin       an access key and an inline policy allowing every action on every resource
      restricted  an access key and an inline policy allowing S3 but explicitly denying
                  s3:GetObject and s3:PutObject (so a listing works and reads/writes are refused)
    From then on moto refuses unsigned requests, unknown key ids (InvalidAccessKeyId), wrong
    secrets (SignatureDoesNotMatch) and denied actions (AccessDenied). start() checks that a wrong
    secret is refused and the admin key accepted, and raises otherwise.

    With auth=False, moto accepts anything: `credentials` are then any dummy keys.

    Known quirk with auth (moto 5.2.1, Werkzeug 3.1): moto checks a signature against a canonical
    request rebuilt from the decoded IRI of the request, not from the bytes sent. A correctly signed
    request (the AWS CLI v2's too) is refused with SignatureDoesNotMatch when its path has a
    character other than A-Z a-z 0-9 and ' #-.?_~/' (non-ASCII included), or a query value one other
    than A-Z a-z 0-9 and ' #%&+-.=_~' -- e.g. `list-objects-v2 --prefix dir/` or `--delimiter /`.
    Use auth=False for such keys and listings."""

    name = "moto_server"

    ADMIN_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    RESTRICTED_POLICY = ('{"Version":"2012-10-17","Statement":['
                         '{"Effect":"Allow","Action":"s3:*","Resource":"*"},'
                         '{"Effect":"Deny","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}')
    # The IAM calls the set-up makes before moto starts verifying signatures.
    _SETUP_CALLS_PER_USER = 3  # CreateUser, CreateAccessKey, PutUserPolicy
    _USERS = 2

    def __init__(self, workdir: str | None = None, auth: bool = True):
        super().__init__(workdir)
        self.auth = auth
        self.admin: Credentials | None = None
        self.restricted: Credentials | None = None

    @property
    def credentials(self) -> Credentials:
        """The identity to use for ordinary work: the admin user's key (any key without auth)."""
        if self.auth:
            assert self.admin is not None, "moto_server is not started"
            return self.admin
        return Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

    def command(self, port: int) -> list[str]:
        return [_moto_executable(), "-H", self.host, "-p", str(port)]

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
        if self.auth:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self._SETUP_CALLS_PER_USER * self._USERS)
        # moto stores objects bigger than this on disk (in workdir via TMPDIR), not in memory.
        env["TMPDIR"] = self.workdir
        return env

    def _wait_ready(self, deadline: float) -> None:
        # A GET of /moto-api/reset-auth only answers 400 ("POST to reset"): it changes nothing and,
        # unlike an S3 or IAM call, does not count towards INITIAL_NO_AUTH_ACTION_COUNT.
        self._wait_http(deadline, "/moto-api/reset-auth")

    def _after_start(self) -> None:
        if not self.auth:
            return
        # Signed with a key moto does not know: accepted only while the no-auth window lasts.
        bootstrap = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        self.admin = self._create_user(bootstrap, "lambdaport-admin", self.ADMIN_POLICY)
        self.restricted = self._create_user(bootstrap, "lambdaport-restricted", self.RESTRICTED_POLICY)
        self._check_auth()

    def iam(self, credentials: Credentials, action: str, **params: str) -> ET.Element:
        """One IAM query-API call; returns the parsed XML answer, raises ServerError on an error."""
        form = {"Action": action, "Version": "2010-05-08", **params}
        body = urllib.parse.urlencode(form).encode()
        r = aws_request(self.endpoint, "POST", "/", credentials=credentials, service="iam", body=body,
                        headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"})
        if r.status != 200:
            raise self._fail(f"IAM {action} failed: {r}")
        return ET.fromstring(r.body)

    def _create_user(self, bootstrap: Credentials, name: str, policy: str) -> Credentials:
        self.iam(bootstrap, "CreateUser", UserName=name)
        answer = self.iam(bootstrap, "CreateAccessKey", UserName=name)
        self.iam(bootstrap, "PutUserPolicy", UserName=name, PolicyName=f"{name}-policy",
                 PolicyDocument=policy)
        found = {el.tag.rsplit("}", 1)[-1]: (el.text or "") for el in answer.iter()}
        if not found.get("AccessKeyId") or not found.get("SecretAccessKey"):
            raise self._fail(f"CreateAccessKey for {name} returned no key: {ET.tostring(answer)!r}")
        return Credentials(found["AccessKeyId"], found["SecretAccessKey"])

    def _check_auth(self) -> None:
        assert self.admin is not None
        secret = self.admin.secret_access_key
        wrong = Credentials(self.admin.access_key_id, secret[:-1] + ("x" if secret[-1] != "x" else "y"))
        r = aws_request(self.endpoint, "GET", "/", credentials=wrong, service="s3")
        if r.status != 403 or r.error_code() != "SignatureDoesNotMatch":
            raise self._fail(f"moto did not refuse a wrong secret (expected 403 "
                             f"SignatureDoesNotMatch): {r}")
        r = aws_request(self.endpoint, "GET", "/", credentials=self.admin, service="s3")
        if r.status != 200:
            raise self._fail(f"moto refused the admin key: {r}")


# --- s3rver -------------------------------------------------------------------------------------------

class S3rver(ServerProcess):
    """s3rver (npm, pinned in js/package.json), data in `workdir`/data.

    Its one identity is S3RVER/S3RVER. It refuses unknown access key ids (InvalidAccessKeyId) but,
    as of 3.7.1, does not verify SigV4 signatures at all (lib/middleware/authentication.js: "Signature
    version 4 calculation is unimplemented"), and it has no policies."""

    name = "s3rver"
    credentials = Credentials("S3RVER", "S3RVER")
    LISTENING = re.compile(r"S3rver listening on ([0-9.]+):([0-9]+)")

    def command(self, port: int) -> list[str]:
        script = os.path.join(JS_DIR, "node_modules", "s3rver", "bin", "s3rver.js")
        if not os.path.exists(script):
            raise ServerError(f"{script} is missing: run `npm ci` in {JS_DIR} (scripts/test.sh does)")
        node = shutil.which("node") or "/usr/bin/node"
        data = os.path.join(self.workdir, "data")
        os.makedirs(data, exist_ok=True)
        return [node, script, "--address", self.host, "--port", str(port), "--directory", data,
                "--silent"]

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env["NODE_OPTIONS"] = "--openssl-legacy-provider"
        return env

    def _choose_port(self) -> int:
        return 0  # s3rver prints the port it bound: no race for a free one

    def _wait_ready(self, deadline: float) -> None:
        self._wait_printed_port(deadline)
        self._wait_http(deadline, "/")


# --- fauxqs -------------------------------------------------------------------------------------------

class Fauxqs(ServerProcess):
    """fauxqs (npm, pinned in js/package.json): SQS over the AWS JSON 1.0 protocol, in memory. It
    verifies no signatures (any keys do) and has no policies."""

    name = "fauxqs"
    credentials = Credentials("test", "test")
    LISTENING = re.compile(r"fauxqs listening on ([0-9.]+):([0-9]+)")

    def command(self, port: int) -> list[str]:
        package = os.path.join(JS_DIR, "node_modules", "fauxqs", "package.json")
        if not os.path.exists(package):
            raise ServerError(f"{package} is missing: run `npm ci` in {JS_DIR} (scripts/test.sh does)")
        node = shutil.which("node") or "/usr/bin/node"
        return [node, os.path.join(JS_DIR, "fauxqs.mjs"), "0"]

    def _choose_port(self) -> int:
        return 0  # the launcher prints the port it bound

    def _wait_ready(self, deadline: float) -> None:
        self._wait_printed_port(deadline)
        self._wait_http(deadline, "/health")


# --- radosgw ------------------------------------------------------------------------------------------

class RadosGW:
    """Ceph's radosgw (Debian's `radosgw`, Ceph 16.2): a production S3 server, as a one-node cluster
    of its own in `workdir` -- one monitor, one memstore OSD (pools of size 1, 8 placement groups)
    and one radosgw, all on 127.0.0.1, cephx between them, no manager. Nothing is written outside
    `workdir`; start() takes 10-20 s, stop() ends the three daemons by their PIDs (SIGTERM, SIGKILL
    after STOP_DEADLINE).

    It verifies SigV4 (a wrong secret is SignatureDoesNotMatch, an unknown key InvalidAccessKeyId)
    and IAM user policies. Two users are made with radosgw-admin:
      admin       every S3 permission on its own buckets, and the caps to manage user policies
      restricted  a user policy allowing s3:* on every bucket but denying s3:GetObject and
                  s3:PutObject (so it lists the admin's buckets, and reads and writes are refused)
    start() checks that a wrong secret is refused and the admin key accepted.

    Setting up: `ceph-mon --mkfs` imports every key of the keyring (the OSD's and radosgw's
    included) before anything starts, so `ceph osd new` and `ceph-osd --mkfs` find the OSD's key
    registered."""

    name = "radosgw"
    DAEMONS = ("mon", "osd", "rgw")
    admin = Credentials("LPRGWADMIN0000000001", "lambdaport-radosgw-admin-secret-0000000001")
    restricted = Credentials("LPRGWDENIED000000001", "lambdaport-radosgw-denied-secret-000000001")
    RESTRICTED_POLICY = MotoServer.RESTRICTED_POLICY

    def __init__(self, workdir: str | None = None):
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="lambdaport-radosgw-")
        os.makedirs(self.workdir, exist_ok=True)
        self.host = "127.0.0.1"
        self.port = 0
        self.mon_port = 0
        self.procs: dict[str, subprocess.Popen] = {}
        self.conf = os.path.join(self.workdir, "ceph.conf")

    @property
    def credentials(self) -> Credentials:
        return self.admin

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @staticmethod
    def available() -> str:
        """Empty when the Ceph programs are installed, else what is missing."""
        missing = [p for p in ("ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph",
                               "ceph-authtool", "monmaptool") if shutil.which(p) is None]
        return (f"{', '.join(missing)} not installed (scripts/setup.sh --tests installs radosgw, "
                f"ceph-mon, ceph-osd and ceph-common)") if missing else ""

    def _path(self, *parts: str) -> str:
        return os.path.join(self.workdir, *parts)

    def _write_conf(self, fsid: str) -> None:
        d = self.workdir
        text = f"""[global]
fsid = {fsid}
mon host = v2:{self.host}:{self.mon_port}
mon initial members = a
public addr = {self.host}
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = {d}/keyring
run dir = {d}/run
admin socket = {d}/run/$name.asok
log file = {d}/$name.log
log to stderr = false
err to stderr = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon allow pool delete = true
osd objectstore = memstore
memstore device bytes = 4294967296
[mon.a]
mon data = {d}/mon
[osd.0]
osd data = {d}/osd
[client.rgw]
rgw frontends = beast endpoint={self.host}:{self.port}
rgw data = {d}/rgw
"""
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(text)

    def _run(self, *command: str, deadline: float = 60.0) -> str:
        try:
            p = subprocess.run(list(command), cwd=self.workdir, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=deadline)
        except subprocess.TimeoutExpired:
            raise self._fail(f"`{' '.join(command)}` did not finish within {deadline:.0f} s") from None
        if p.returncode != 0:
            raise self._fail(f"`{' '.join(command)}` failed with status {p.returncode}:\n{p.stdout}")
        return p.stdout

    def _spawn(self, daemon: str, *command: str) -> None:
        log = open(self._path(f"{daemon}.out"), "ab")
        try:
            self.procs[daemon] = subprocess.Popen(list(command), cwd=self.workdir,
                                                  stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                                  start_new_session=True)
        finally:
            log.close()

    def _check_running(self) -> None:
        for daemon, proc in self.procs.items():
            if proc.poll() is not None:
                raise self._fail(f"{daemon} exited with status {proc.returncode} while starting")

    def start(self) -> "RadosGW":
        missing = self.available()
        if missing:
            raise ServerError(f"radosgw: {missing}")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.mon_port, self.port = free_port(), free_port()
        for folder in ("mon", "osd", "rgw", "run"):
            os.makedirs(self._path(folder), exist_ok=True)
        fsid, osd_uuid = str(uuid.uuid4()), str(uuid.uuid4())
        self._write_conf(fsid)
        keyring = self._path("keyring")
        self._run("ceph-authtool", "--create-keyring", keyring, "--gen-key", "-n", "mon.",
                  "--cap", "mon", "allow *")
        for name, caps in (("client.admin", ["mon", "allow *", "osd", "allow *", "mgr", "allow *"]),
                           ("osd.0", ["mon", "allow profile osd", "osd", "allow *"]),
                           ("client.rgw", ["mon", "allow rw", "osd", "allow rwx"])):
            args = [a for i in range(0, len(caps), 2) for a in ("--cap", caps[i], caps[i + 1])]
            self._run("ceph-authtool", keyring, "--gen-key", "-n", name, *args)
        monmap = self._path("monmap")
        self._run("monmaptool", "--create", "--addv", "a", f"[v2:{self.host}:{self.mon_port}]",
                  "--fsid", fsid, monmap)
        self._run("ceph-mon", "-c", self.conf, "--mkfs", "-i", "a", "--monmap", monmap,
                  "--keyring", keyring)
        self._spawn("mon", "ceph-mon", "-c", self.conf, "-i", "a", "-f")
        self._run("ceph", "-c", self.conf, "--connect-timeout", "30", "osd", "new", osd_uuid, "0")
        self._run("ceph-osd", "-c", self.conf, "-i", "0", "--mkfs", "--osd-uuid", osd_uuid)
        self._spawn("osd", "ceph-osd", "-c", self.conf, "-i", "0", "-f")
        self._spawn("rgw", "radosgw", "-c", self.conf, "-n", "client.rgw", "-f")
        deadline = time.monotonic() + 4 * START_DEADLINE  # radosgw creates its pools first
        while not _answers_http(self.host, self.port, "/"):
            self._check_running()
            if time.monotonic() >= deadline:
                raise self._fail(f"no HTTP answer on {self.endpoint} within {4 * START_DEADLINE:.0f} s")
            time.sleep(0.1)
        for user, key in (("lambdaport-admin", self.admin), ("lambdaport-restricted", self.restricted)):
            self._run("radosgw-admin", "-c", self.conf, "-n", "client.admin", "user", "create",
                      f"--uid={user}", f"--display-name={user}", f"--access-key={key.access_key_id}",
                      f"--secret-key={key.secret_access_key}")
        self._run("radosgw-admin", "-c", self.conf, "-n", "client.admin", "caps", "add",
                  "--uid=lambdaport-admin", "--caps=user-policy=*;users=*")
        self.iam("PutUserPolicy", UserName="lambdaport-restricted",
                 PolicyName="lambdaport-restricted-policy", PolicyDocument=self.RESTRICTED_POLICY)
        self._check_auth()

    def iam(self, action: str, **params: str) -> ET.Element:
        """One IAM query-API call as the admin user; returns the parsed XML answer."""
        form = {"Action": action, "Version": "2010-05-08", **params}
        r = aws_request(self.endpoint, "POST", "/", credentials=self.admin, service="iam",
                        body=urllib.parse.urlencode(form).encode(),
                        headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"})
        if r.status != 200:
            raise self._fail(f"IAM {action} failed: {r}")
        return ET.fromstring(r.body)

    def push_notifications(self, bucket: str, name: str, url: str, prefix: str = "",
                           suffix: str = "") -> None:
        """Makes radosgw POST the records of new objects in `bucket` (under the key filter) to `url`:
        an SNS topic `name` with that push endpoint, and the bucket notification `name` for
        s3:ObjectCreated:* (radosgw keeps the bucket's other notifications)."""
        form = {"Action": "CreateTopic", "Name": name,
                "Attributes.entry.1.key": "push-endpoint", "Attributes.entry.1.value": url}
        r = aws_request(self.endpoint, "POST", "/", credentials=self.admin, service="sns",
                        body=urllib.parse.urlencode(form).encode(),
                        headers={"content-type": "application/x-www-form-urlencoded"})
        arn = re.search(rb"<TopicArn>([^<]+)</TopicArn>", r.body)
        if r.status != 200 or not arn:
            raise self._fail(f"SNS CreateTopic {name}: {r}")
        rules = "".join(f"<FilterRule><Name>{n}</Name><Value>{v}</Value></FilterRule>"
                        for n, v in (("prefix", prefix), ("suffix", suffix)) if v)
        key_filter = f"<Filter><S3Key>{rules}</S3Key></Filter>" if rules else ""
        xml = (f"<NotificationConfiguration><TopicConfiguration><Id>{name}</Id>"
               f"<Topic>{arn.group(1).decode()}</Topic>{key_filter}"
               f"<Event>s3:ObjectCreated:*</Event></TopicConfiguration></NotificationConfiguration>")
        r = aws_request(self.endpoint, "PUT", f"/{bucket}", query={"notification": ""},
                        credentials=self.admin, service="s3", body=xml.encode())
        if r.status != 200:
            raise self._fail(f"PutBucketNotificationConfiguration {bucket}: {r}")

    def _check_auth(self) -> None:
        secret = self.admin.secret_access_key
        wrong = Credentials(self.admin.access_key_id, secret[:-1] + ("x" if secret[-1] != "x" else "y"))
        r = aws_request(self.endpoint, "GET", "/", credentials=wrong, service="s3")
        if r.status != 403 or r.error_code() != "SignatureDoesNotMatch":
            raise self._fail(f"radosgw did not refuse a wrong secret (expected 403 "
                             f"SignatureDoesNotMatch): {r}")
        r = aws_request(self.endpoint, "GET", "/", credentials=self.admin, service="s3")
        if r.status != 200:
            raise self._fail(f"radosgw refused the admin key: {r}")

    def restart_gateway(self) -> None:
        """Stops radosgw (SIGTERM by its PID) and starts it again on the same port; the cluster
        and its data stay."""
        proc = self.procs.pop("rgw", None)
        if proc is not None:
            terminate(proc, STOP_DEADLINE)
        self._spawn("rgw", "radosgw", "-c", self.conf, "-n", "client.rgw", "-f")
        deadline = time.monotonic() + 4 * START_DEADLINE
        while not _answers_http(self.host, self.port, "/"):
            self._check_running()
            if time.monotonic() >= deadline:
                raise self._fail(f"no HTTP answer on {self.endpoint} after a restart")
            time.sleep(0.1)

    def stop(self) -> None:
        for daemon in reversed(self.DAEMONS):
            proc = self.procs.get(daemon)
            if proc is not None:
                terminate(proc, STOP_DEADLINE)

    def running(self) -> bool:
        return bool(self.procs) and all(p.poll() is None for p in self.procs.values())

    def output(self) -> str:
        """The last lines of each daemon's log and standard error."""
        parts = []
        for name in ("mon.out", "osd.out", "rgw.out", "mon.a.log", "osd.0.log", "client.rgw.log"):
            try:
                with open(self._path(name), "rb") as f:
                    lines = f.read().decode("utf-8", errors="replace").splitlines()[-40:]
            except OSError:
                continue
            if lines:
                parts.append(f"--- {name} ---\n" + "\n".join(lines) + "\n")
        return "".join(parts)

    def _fail(self, why: str) -> ServerError:
        return ServerError(f"{self.name}: {why}\n----- {self.name} logs -----\n{self.output()}"
                           f"----- end of {self.name} logs -----")

    def client_env(self, credentials: Credentials, base: dict[str, str] | None = None) -> dict[str, str]:
        return s3_client_env(self.endpoint, credentials, base)

    def __enter__(self) -> "RadosGW":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


# --- MinIO --------------------------------------------------------------------------------------------

class Minio:
    """A MinIO server this module does not start: the one LAMBDAPORT_TEST_MINIO names
    (http://HOST:PORT). docker-compose.yml's `tests` profile runs one for the suite
    (`docker compose --profile tests run --rm tests`); the variables it sets:

      LAMBDAPORT_TEST_MINIO                    the endpoint
      LAMBDAPORT_TEST_MINIO_ACCESS_KEY         an identity allowed everything
      LAMBDAPORT_TEST_MINIO_SECRET_KEY         (default minioadmin/minioadmin, MinIO's own default)
      LAMBDAPORT_TEST_MINIO_DENIED_ACCESS_KEY  an identity allowed to list but denied s3:GetObject
      LAMBDAPORT_TEST_MINIO_DENIED_SECRET_KEY  and s3:PutObject (the AccessDenied check)
      LAMBDAPORT_TEST_MINIO_QUIRKS             conformance quirks to declare (comma-separated names
                                               from tests/conformance/conformance.cpp), if any

    The tests treat it as scratch space: the conformance suite makes buckets of its own, and the
    pipeline test empties the pipeline's buckets (raw, clean, analysis, reports) before it runs.
    Never point it at a MinIO that holds data you want to keep."""

    name = "minio"

    def __init__(self, endpoint: str, credentials: Credentials, restricted: Credentials | None,
                 quirks: list[str]):
        self.endpoint = endpoint.rstrip("/")
        self.credentials = credentials
        self.restricted = restricted
        self.quirks = quirks

    @classmethod
    def from_environment(cls) -> "Minio | None":
        endpoint = os.environ.get("LAMBDAPORT_TEST_MINIO", "")
        if not endpoint:
            return None
        if not re.fullmatch(r"http://[^/]+:[0-9]+/?", endpoint):
            raise ServerError(f"LAMBDAPORT_TEST_MINIO must be http://HOST:PORT, got {endpoint!r}")
        env = os.environ
        credentials = Credentials(env.get("LAMBDAPORT_TEST_MINIO_ACCESS_KEY", "minioadmin"),
                                  env.get("LAMBDAPORT_TEST_MINIO_SECRET_KEY", "minioadmin"))
        restricted = None
        if env.get("LAMBDAPORT_TEST_MINIO_DENIED_ACCESS_KEY"):
            restricted = Credentials(env["LAMBDAPORT_TEST_MINIO_DENIED_ACCESS_KEY"],
                                     env.get("LAMBDAPORT_TEST_MINIO_DENIED_SECRET_KEY", ""))
        quirks = [q for q in env.get("LAMBDAPORT_TEST_MINIO_QUIRKS", "").split(",") if q]
        return cls(endpoint, credentials, restricted, quirks)

    def wait_ready(self, timeout: float = START_DEADLINE) -> "Minio":
        """Waits until a signed ListBuckets is answered 200 (the server is up and takes the
        credentials); raises ServerError with the last answer otherwise."""
        last: list[str] = ["no answer"]

        def ready() -> bool:
            try:
                r = aws_request(self.endpoint, "GET", "/", credentials=self.credentials, service="s3",
                                timeout=5.0)
            except OSError as e:
                last[0] = f"no answer ({e})"
                return False
            last[0] = str(r)
            return r.status == 200
        try:
            wait_until(ready, timeout, f"MinIO at {self.endpoint}", 0.2)
        except TimeoutError as e:
            raise ServerError(f"{e}: a signed ListBuckets with LAMBDAPORT_TEST_MINIO_ACCESS_KEY "
                              f"{self.credentials.access_key_id!r} got {last[0]}") from None
        return self

    def client_env(self, credentials: Credentials, base: dict[str, str] | None = None) -> dict[str, str]:
        return s3_client_env(self.endpoint, credentials, base)

    # What the conformance driver asks of a server.
    def running(self) -> bool:
        return True

    def output(self) -> str:
        return "(MinIO runs outside this test: see its own logs, e.g. docker compose logs minio-tests)\n"
