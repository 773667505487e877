"""Who may call the Invoke API (README: Security): SigV4 verified against the configured credential
when one is set, AWS's 403 answers for what is refused, loopback open by default, and start-up
refused on any other address without a credential unless --no-auth says so.

Clients: the AWS CLI v2 and the AWS SDK for JavaScript v3 (js/node_modules: `npm ci`), http.client
for unsigned and hand-made requests, `lambdaport invoke`, handlers invoking through the SDK. Every
engine listens on loopback except in the start-up tests, which send nothing to it."""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import unittest

from harness import (ACCOUNT, REGION, EngineTestCase, engine_binary, example, http_request,
                     run_with_deadline)
from storage_servers import Credentials, aws_request, sigv4_headers

# What the harness's AWS CLI and JS SDK sign with by default: the credential the engines accept.
KEY = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
AUTH_ENV = {"LAMBDAPORT_ACCESS_KEY_ID": KEY.access_key_id,
            "LAMBDAPORT_SECRET_ACCESS_KEY": KEY.secret_access_key}
WRONG_SECRET = {"AWS_SECRET_ACCESS_KEY": "not-the-secret-the-engine-knows"}
UNKNOWN_KEY = {"AWS_ACCESS_KEY_ID": "AKIAUNKNOWNKEY000000"}

MISMATCH = ("The request signature we calculated does not match the signature you provided. Check "
            "your AWS Secret Access Key and signing method. Consult the service documentation for "
            "details.")
INVALID_TOKEN = "The security token included in the request is invalid."
STAMP = r"\d{8}T\d{6}Z"
# How the AWS CLI prints an API error (it counts retries for the codes it would retry).
CLI_ERROR = r"An error occurred \({}\) when calling the Invoke operation( \(reached max retries: 0\))?: "


class TamperingProxy:
    """A man in the middle on 127.0.0.1: forwards each request to the engine with `old` in its body
    replaced by `new` (same length), and the engine's answer back; one request per connection."""

    def __init__(self, engine_port: int, old: bytes, new: bytes):
        self.engine_port, self.old, self.new = engine_port, old, new
        self.tampered = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.sock.close()
        self.thread.join(10)

    @staticmethod
    def _read_message(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        length = int(m.group(1)) if m else 0
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            with client, socket.create_connection(("127.0.0.1", self.engine_port), 30) as upstream:
                client.settimeout(30)
                request = self._read_message(client)
                if not request:
                    continue
                head, _, body = request.partition(b"\r\n\r\n")
                if self.old in body:
                    body = body.replace(self.old, self.new)
                    self.tampered += 1
                upstream.sendall(head + b"\r\n\r\n" + body)
                client.sendall(self._read_message(upstream))


class AuthTestCase(EngineTestCase):
    def assertRefused(self, r, error_type: str) -> str:
        """AWS's 403: x-amzn-ErrorType, x-amzn-RequestId, a body of {"message"} alone."""
        self.assertEqual(r.status, 403, str(r))
        self.assertEqual(r.header("x-amzn-ErrorType"), error_type, str(r))
        self.assertRegex(r.header("x-amzn-RequestId") or "", r"^[0-9a-f-]{36}$", str(r))
        self.assertEqual(r.header("Content-Type"), "application/json", str(r))
        body = r.json()
        self.assertEqual(list(body), ["message"], str(r))
        return body["message"]


class SignedInvokeApi(AuthTestCase):
    """An engine with a credential (from the environment), on loopback: everything is verified."""

    def setUp(self):
        super().setUp()
        self.engine = self.start_engine({
            "hello": {"handler": example("hello"), "environment": {"GREETING": "signed"}},
            "invoke_other": {"handler": example("invoke_other")},
        }, env=AUTH_ENV)

    def signed(self, method: str, path: str, body: bytes = b"", *, credentials=KEY,
               now: datetime.datetime | None = None, send_body: bytes | None = None):
        headers = sigv4_headers(method, f"127.0.0.1:{self.engine.port}", path, {}, body,
                                credentials=credentials, service="lambda", now=now)
        return http_request("127.0.0.1", self.engine.port, method, path,
                            body if send_body is None else send_body, headers, 30.0)

    # the clients, signing with the configured credential

    def test_aws_cli_with_the_configured_credential_invokes(self):
        r = self.aws_invoke(self.engine, "hello", {"via": "cli"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.meta["StatusCode"], 200)
        out = r.out_json()
        self.assertEqual(out["event"], {"via": "cli"})
        self.assertEqual(out["env"]["GREETING"], "signed")
        # By ARN: the client signs the encoded path encoded once more; the engine does too.
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:hello"
        r = self.aws_invoke(self.engine, arn, {"via": "arn"}, "--qualifier", "$LATEST")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.out_json()["event"], {"via": "arn"})

    def test_js_sdk_with_the_configured_credential_invokes(self):
        r = self.js_invoke(self.engine, "hello", payload={"via": "js"})
        self.assertTrue(r["ok"], r)
        self.assertEqual(json.loads(r["payload"])["event"], {"via": "js"})
        r = self.js_invoke(self.engine, "hello", payload={"e": 1}, invocationType="Event")
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["statusCode"], 202)

    # refused: wrong secret, unknown key, no signature

    def test_wrong_secret_is_invalid_signature(self):
        r = self.aws_invoke(self.engine, "hello", {}, env=WRONG_SECRET)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, CLI_ERROR.format("InvalidSignatureException") + re.escape(MISMATCH))
        r = self.js_invoke(self.engine, "hello", payload={},
                           secretAccessKey=WRONG_SECRET["AWS_SECRET_ACCESS_KEY"])
        self.assertFalse(r["ok"], r)
        self.assertEqual((r["name"], r["httpStatusCode"], r["fault"], r["message"]),
                         ("InvalidSignatureException", 403, "client", MISMATCH))
        self.assertNotIn("START RequestId", self.engine.log("hello"))
        self.engine.wait_output(r"WARN invoke refused error=InvalidSignatureException "
                                r"access_key_id=AKIAIOSFODNN7EXAMPLE")

    def test_unknown_key_is_unrecognized_client(self):
        r = self.aws_invoke(self.engine, "hello", {}, env=UNKNOWN_KEY)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr,
                         CLI_ERROR.format("UnrecognizedClientException") + re.escape(INVALID_TOKEN))
        r = self.js_invoke(self.engine, "hello", payload={},
                           accessKeyId=UNKNOWN_KEY["AWS_ACCESS_KEY_ID"])
        self.assertEqual((r["name"], r["httpStatusCode"], r["message"]),
                         ("UnrecognizedClientException", 403, INVALID_TOKEN), r)

    def test_unsigned_request_is_missing_authentication_token(self):
        r = self.engine.invoke("hello", {"unsigned": True})
        self.assertEqual(self.assertRefused(r, "MissingAuthenticationTokenException"),
                         "Missing Authentication Token")
        # Refused before routing: an unknown operation is no different.
        r = http_request("127.0.0.1", self.engine.port, "GET", "/2015-03-31/functions", b"", {}, 30)
        self.assertRefused(r, "MissingAuthenticationTokenException")
        # A header that is no SigV4 at all.
        r = self.engine.invoke("hello", {}, headers={"Authorization": "Basic dXNlcjpwYXNz"})
        self.assertRefused(r, "IncompleteSignatureException")
        self.assertNotIn("START RequestId", self.engine.log("hello"))

    # refused: what was signed is not what arrived, or not now

    def test_body_changed_after_signing_is_invalid_signature(self):
        proxy = TamperingProxy(self.engine.port, b'"n": 1', b'"n": 2')
        self.addCleanup(proxy.close)
        r = self.aws_invoke(self.engine, "hello", '{"n": 1}', endpoint=proxy.endpoint)
        self.assertEqual(proxy.tampered, 1)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("(InvalidSignatureException)", r.stderr)
        self.assertNotIn("START RequestId", self.engine.log("hello"))
        # The same proxy passing an untouched body: the client's signature holds through it.
        r = self.aws_invoke(self.engine, "hello", '{"n": 3}', endpoint=proxy.endpoint)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.out_json()["event"], {"n": 3})

    def test_signed_content_sha256_does_not_vouch_for_another_body(self):
        # X-Amz-Content-Sha256 signed with the hash of the body signed; the engine hashes the body
        # that arrived.
        path = "/2015-03-31/functions/hello/invocations"
        r = self.signed("POST", path, b'{"n": 1}', send_body=b'{"n": 2}')
        self.assertEqual(self.assertRefused(r, "InvalidSignatureException"), MISMATCH)
        r = self.signed("POST", path, b'{"n": 1}')
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.json()["event"], {"n": 1})

    def test_dates_more_than_five_minutes_off_are_refused(self):
        r = self.js_invoke(self.engine, "hello", payload={}, systemClockOffset=-10 * 60 * 1000)
        self.assertEqual((r["name"], r["httpStatusCode"]), ("InvalidSignatureException", 403), r)
        self.assertRegex(r["message"], rf"^Signature expired: {STAMP} is now earlier than {STAMP} "
                                       rf"\({STAMP} - 5 min\.\)$")
        r = self.js_invoke(self.engine, "hello", payload={}, systemClockOffset=10 * 60 * 1000)
        self.assertEqual(r["name"], "InvalidSignatureException", r)
        self.assertRegex(r["message"], rf"^Signature not yet current: {STAMP} is still later than "
                                       rf"{STAMP} \({STAMP} \+ 5 min\.\)$")
        # A clock a few minutes off is still within the window.
        now = datetime.datetime.now(datetime.timezone.utc)
        r = self.signed("POST", "/2015-03-31/functions/hello/invocations", b"{}",
                        now=now - datetime.timedelta(minutes=3))
        self.assertEqual(r.status, 200, str(r))
        r = self.signed("POST", "/2015-03-31/functions/hello/invocations", b"{}",
                        now=now - datetime.timedelta(minutes=6))
        self.assertRegex(self.assertRefused(r, "InvalidSignatureException"), r"^Signature expired")

    # the status page, handlers, lambdaport invoke

    def test_status_needs_a_signature_too(self):
        r = http_request("127.0.0.1", self.engine.port, "GET", "/lambdaport/status", b"", {}, 30)
        self.assertRefused(r, "MissingAuthenticationTokenException")
        self.assertNotIn(b"hello", r.body)
        r = aws_request(self.engine.endpoint, "GET", "/lambdaport/status", credentials=KEY,
                        service="lambda")
        self.assertEqual(r.status, 200, str(r))
        self.assertIn("hello", json.loads(r.body)["functions"])
        curl = shutil.which("curl")
        if curl:  # as the README shows it
            p = run_with_deadline([curl, "-sS", "--fail", "--aws-sigv4", "aws:amz:us-east-1:lambda",
                                   "--user", f"{KEY.access_key_id}:{KEY.secret_access_key}",
                                   f"{self.engine.endpoint}/lambdaport/status"], "curl", 60)
            self.assertEqual(p.returncode, 0, p.stdout)
            self.assertIn("hello", json.loads(p.stdout)["functions"])

    def test_handlers_invoke_with_a_credential_of_their_own(self):
        event = {"function": "hello", "payload": {"from": "inside"}}
        r = self.signed("POST", "/2015-03-31/functions/invoke_other/invocations",
                        json.dumps(event).encode())
        self.assertEqual(r.status, 200, str(r))
        self.assertIsNone(r.header("X-Amz-Function-Error"), str(r))
        self.assertEqual(r.json()["payload"]["event"], {"from": "inside"})
        # What the handlers hold: a key made for this run, never the configured secret.
        pids = self.engine.handler_pids()
        self.assertTrue(pids)
        for pid in pids:
            with open(f"/proc/{pid}/environ", "rb") as f:
                environ = dict(v.split(b"=", 1) for v in f.read().split(b"\0") if b"=" in v)
            self.assertRegex(environ[b"LAMBDAPORT_ACCESS_KEY_ID"].decode(), r"^LPH[A-Z2-7]{17}$")
            self.assertEqual(len(environ[b"LAMBDAPORT_SECRET_ACCESS_KEY"]), 40)
            for value in environ.values():
                self.assertNotIn(KEY.secret_access_key.encode(), value)

    def lambdaport_invoke(self, env: dict[str, str]) -> subprocess.CompletedProcess:
        base = {k: v for k, v in os.environ.items()
                if not k.startswith("AWS_") and not k.startswith("LAMBDAPORT_")}
        base.update(env)
        return subprocess.run([engine_binary(), "invoke", "hello", "--payload", '{"cli": 1}',
                               "--endpoint", self.engine.endpoint], env=base,
                              capture_output=True, text=True, timeout=60)

    def test_lambdaport_invoke_signs_with_the_credentials_it_is_given(self):
        p = self.lambdaport_invoke(AUTH_ENV)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["event"], {"cli": 1})
        p = self.lambdaport_invoke({"AWS_ACCESS_KEY_ID": KEY.access_key_id,
                                    "AWS_SECRET_ACCESS_KEY": KEY.secret_access_key,
                                    "AWS_REGION": "eu-west-1"})
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.lambdaport_invoke({})
        self.assertEqual(p.returncode, 2)
        self.assertIn("403 MissingAuthenticationTokenException", p.stderr)
        p = self.lambdaport_invoke({"LAMBDAPORT_ACCESS_KEY_ID": KEY.access_key_id,
                                    "LAMBDAPORT_SECRET_ACCESS_KEY": "wrong-secret-wrong-secret"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("403 InvalidSignatureException", p.stderr)


class ConfiguredInFile(AuthTestCase):
    def test_engine_auth_in_the_config_file(self):
        engine = self.start_engine({"hello": {"handler": example("hello")}},
                                   engine={"auth": {"access_key_id": KEY.access_key_id,
                                                    "secret_access_key": KEY.secret_access_key}})
        engine.wait_output(r"invoke api signed .*access_key_id=AKIAIOSFODNN7EXAMPLE "
                           r"from=\"?[^ ]*config\.json: engine\.auth")
        self.assertRefused(engine.invoke("hello", {}), "MissingAuthenticationTokenException")
        r = self.aws_invoke(engine, "hello", {"file": True})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.out_json()["event"], {"file": True})


class LoopbackStaysOpen(EngineTestCase):
    def test_loopback_without_a_credential_takes_unsigned_requests(self):
        engine = self.start_engine({"hello": {"handler": example("hello")}})
        engine.wait_output(r"invoke api open address=127\.0\.0\.1:\d+ "
                           r"reason=\"loopback address, no credential configured\"")
        self.assertEqual(self.assertSuccess(engine.invoke("hello", {"open": 1}))["event"], {"open": 1})
        r = http_request("127.0.0.1", engine.port, "GET", "/lambdaport/status", b"", {}, 30)
        self.assertEqual(r.status, 200, str(r))

    def test_all_of_127_0_0_0_8_is_loopback(self):
        engine = self.start_engine({"hello": {"handler": example("hello")}}, listen="127.0.0.2:0")
        r = http_request("127.0.0.2", engine.port, "POST", "/2015-03-31/functions/hello/invocations",
                         b'{"two": 2}', {}, 30)
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.json()["event"], {"two": 2})


class StartUpOnTheNetwork(EngineTestCase):
    """`--listen 0.0.0.0:0`: refused before binding without a credential; with one or with --no-auth
    the engine starts and is stopped at once, having been sent nothing."""

    def serve(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        base = {k: v for k, v in os.environ.items()
                if not k.startswith("AWS_") and not k.startswith("LAMBDAPORT_")}
        base.update(env or {})
        return run_with_deadline([engine_binary(), "serve", "--function", f"hello={example('hello')}",
                                  "--state", os.path.join(self.tmp, "state"), *args],
                                 "lambdaport serve", 30, env=base)

    def test_refused_without_a_credential(self):
        p = self.serve("--listen", "0.0.0.0:0")
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertEqual(p.stdout.count("\n"), 1, p.stdout)
        self.assertTrue(p.stdout.startswith(
            "lambdaport: --listen: 0.0.0.0:0 is not a loopback address and no credential is "
            "configured: set engine.auth (or LAMBDAPORT_ACCESS_KEY_ID and "
            "LAMBDAPORT_SECRET_ACCESS_KEY)"), p.stdout)
        self.assertIn("--no-auth", p.stdout)
        self.assertNotIn("listening", p.stdout)

    def test_refusal_names_engine_listen_of_a_config_file(self):
        config = os.path.join(self.tmp, "exposed.json")
        with open(config, "w") as f:
            json.dump({"engine": {"listen": "0.0.0.0:0"},
                       "functions": {"hello": {"handler": example("hello")}}}, f)
        p = self.serve("--config", config)
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertTrue(p.stdout.startswith(f"lambdaport: {config}: engine.listen: 0.0.0.0:0 is not "
                                            f"a loopback address"), p.stdout)

    def test_credential_errors_are_one_line(self):
        p = self.serve("--listen", "0.0.0.0:0", env={"LAMBDAPORT_ACCESS_KEY_ID": "key"})
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertEqual(p.stdout, "lambdaport: LAMBDAPORT_ACCESS_KEY_ID is set but "
                                   "LAMBDAPORT_SECRET_ACCESS_KEY is not: set both, or neither\n")
        p = self.serve(env={"LAMBDAPORT_ACCESS_KEY_ID": "key", "LAMBDAPORT_SECRET_ACCESS_KEY": "x"})
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertEqual(p.stdout, "lambdaport: LAMBDAPORT_SECRET_ACCESS_KEY: must be 16 to 128 "
                                   "printable ASCII characters without blanks\n")

    def test_no_auth_starts_with_a_warning(self):
        engine = self.start_engine({"hello": {"handler": example("hello")}}, listen="0.0.0.0:0",
                                   args=["--no-auth"])
        engine.wait_output(r"WARN invoke api open: --no-auth address=0\.0\.0\.0:\d+ meaning=\"anyone "
                           r"who can reach this address can invoke every function")
        self.assertEqual(engine.stop(), 0)

    def test_starts_with_a_credential(self):
        engine = self.start_engine({"hello": {"handler": example("hello")}}, listen="0.0.0.0:0",
                                   env=AUTH_ENV)
        engine.wait_output(r"invoke api signed address=0\.0\.0\.0:\d+ "
                           r"access_key_id=AKIAIOSFODNN7EXAMPLE from=LAMBDAPORT_ACCESS_KEY_ID")
        self.assertEqual(engine.stop(), 0)


if __name__ == "__main__":
    unittest.main()
