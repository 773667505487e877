"""The SDK's Lambda client (lambdaport::lambda) against the real engine: examples/invoke_probe, a
program that invokes one function and prints the result as JSON, from outside; and
examples/invoke_other, a handler that invokes another function from inside the engine, through the
AWS_ENDPOINT_URL_LAMBDA the engine sets for every handler."""

import json
import os
import subprocess
import unittest

from harness import (MAX_SYNC_BODY, REGION, REQUEST_ID, EngineTestCase, example, function_arn,
                     wait_until)

PROBE_TIMEOUT = 120.0  # seconds for one probe run (the engine answers in milliseconds)


def read_lines(path: str) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


class LambdaClient(EngineTestCase):
    def setUp(self):
        super().setUp()
        self.records = os.path.join(self.tmp, "records")
        os.makedirs(self.records)
        self.engine = self.start_engine({
            "hello": {"handler": example("hello")},
            "echo": {"handler": example("echo")},
            "fail": {"handler": example("fail")},
            "record": {"handler": example("record"), "environment": {"RECORD_DIR": self.records}},
            "invoke_other": {"handler": example("invoke_other")},
        })

    def probe(self, function: str, payload=None, *, payload_file: str | None = None,
              type: str | None = None, log_type: str | None = None,
              client_context: str | None = None, qualifier: str | None = None,
              signed: bool = True) -> tuple[int, dict]:
        """Runs invoke_probe against the engine; returns its exit status and the JSON it printed."""
        args = [example("invoke_probe"), function]
        if payload_file is not None:
            args += ["--payload-file", payload_file]
        elif payload is not None:
            args += ["--payload", payload if isinstance(payload, str) else json.dumps(payload)]
        for option, value in (("--type", type), ("--log-type", log_type),
                              ("--client-context", client_context), ("--qualifier", qualifier)):
            if value is not None:
                args += [option, value]
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ENDPOINT_URL_LAMBDA": self.engine.endpoint, "AWS_REGION": REGION})
        if signed:
            # The engine does not check signatures; these make the client sign (SigV4, lambda).
            env.update({"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
                        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
        p = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=PROBE_TIMEOUT)
        lines = p.stdout.decode().strip().splitlines()
        self.assertTrue(lines, f"invoke_probe printed nothing (status {p.returncode}): "
                               f"{p.stderr.decode()!r}")
        return p.returncode, json.loads(lines[-1])

    def invoke_ok(self, function: str, payload=None, **options) -> dict:
        status, out = self.probe(function, payload, **options)
        self.assertEqual(status, 0, out)
        self.assertNotIn("error", out)
        return out

    def api_error(self, function: str, payload=None, **options) -> dict:
        status, out = self.probe(function, payload, **options)
        self.assertEqual(status, 2, out)
        self.assertIn("error", out, out)
        return out["error"]

    # synchronous invokes

    def test_sync_invoke_returns_the_result_version_and_request_id(self):
        event = {"x": 1, "nested": {"list": [1, "two", None], "text": "żółw"}}
        out = self.invoke_ok("hello", event)
        self.assertEqual(out["status_code"], 200)
        self.assertEqual(out["function_error"], "")
        self.assertEqual(out["executed_version"], "$LATEST")
        self.assertEqual(out["log_result"], "")
        result = json.loads(out["payload"])
        self.assertEqual(result["event"], event)
        self.assertEqual(result["context"]["function_name"], "hello")
        self.assertRegex(out["request_id"], REQUEST_ID)
        self.assertEqual(out["request_id"], result["context"]["request_id"])

    def test_unsigned_invoke_works_too(self):
        out = self.invoke_ok("echo", {"signed": False}, signed=False)
        self.assertEqual(json.loads(out["payload"]), {"signed": False})

    def test_echo_returns_the_payload_byte_for_byte(self):
        payload = json.dumps({"text": "a \"quoted\" line\nand ünïcödé €", "n": [1.5, -2, True]},
                             ensure_ascii=False)
        out = self.invoke_ok("echo", payload)
        self.assertEqual(out["payload"], payload)

    def test_one_megabyte_payload_round_trip(self):
        # Over 1 MiB, so curl also goes through Expect: 100-continue.
        filler = "".join(chr(ord("a") + i % 26) for i in range(1_100_000))
        payload = json.dumps({"data": filler, "end": "fin"})
        path = os.path.join(self.tmp, "big.json")
        with open(path, "w") as f:
            f.write(payload)
        out = self.invoke_ok("echo", payload_file=path)
        self.assertEqual(out["status_code"], 200)
        self.assertEqual(len(out["payload"]), len(payload))
        self.assertEqual(out["payload"], payload)

    def test_payload_over_the_sync_limit_is_refused(self):
        path = os.path.join(self.tmp, "huge.json")
        with open(path, "w") as f:
            f.write(json.dumps("x" * MAX_SYNC_BODY))
        error = self.api_error("echo", payload_file=path)
        self.assertEqual(error["code"], "RequestEntityTooLargeException")
        self.assertEqual(error["http_status"], 413)

    def test_payload_that_is_not_json_is_refused(self):
        error = self.api_error("echo", "{not json")
        self.assertEqual(error["code"], "InvalidRequestContentException")
        self.assertEqual(error["http_status"], 400)
        self.assertEqual(error["type"], "User")

    def test_function_error_is_a_result_with_unhandled(self):
        out = self.invoke_ok("fail", {"mode": "typed"})
        self.assertEqual(out["status_code"], 200)
        self.assertEqual(out["function_error"], "Unhandled")
        body = json.loads(out["payload"])
        self.assertEqual(body["errorType"], "Validation.BadInput")
        self.assertEqual(body["errorMessage"], "the input was bad")

    def test_missing_function_is_resource_not_found(self):
        error = self.api_error("no-such-function", {})
        self.assertEqual(error["code"], "ResourceNotFoundException")
        self.assertEqual(error["http_status"], 404)
        self.assertEqual(error["type"], "User")
        self.assertIn("Function not found", error["message"])
        self.assertIn("no-such-function", error["message"])

    def test_function_named_by_arn_qualified_arn_and_qualifier(self):
        for name, qualifier in ((function_arn("hello"), None),
                                (function_arn("hello") + ":$LATEST", None),
                                ("hello:$LATEST", None),
                                ("hello", "$LATEST")):
            with self.subTest(name=name, qualifier=qualifier):
                out = self.invoke_ok(name, {"by": name}, qualifier=qualifier)
                result = json.loads(out["payload"])
                self.assertEqual(result["event"], {"by": name})
                self.assertEqual(result["context"]["function_name"], "hello")
                expected_arn = function_arn("hello") + ("" if name == function_arn("hello")
                                                        else ":$LATEST")
                self.assertEqual(result["context"]["invoked_function_arn"], expected_arn)
        error = self.api_error("hello", {}, qualifier="7")
        self.assertEqual(error["code"], "ResourceNotFoundException")

    def test_log_tail_has_the_invocations_start_and_report_lines(self):
        out = self.invoke_ok("hello", {"x": 1}, log_type="Tail")
        rid = out["request_id"]
        self.assertIn(f"START RequestId: {rid} Version: $LATEST", out["log_result"])
        self.assertIn(f"hello: handling {rid}", out["log_result"])
        self.assertIn(f"END RequestId: {rid}", out["log_result"])
        self.assertIn(f"REPORT RequestId: {rid}", out["log_result"])

    def test_client_context_reaches_the_handler(self):
        client_context = {"client": {"app_title": "pipeline"}, "custom": {"tenant": "t-42"}}
        out = self.invoke_ok("hello", {}, client_context=json.dumps(client_context))
        seen = json.loads(out["payload"])["context"]["client_context"]
        if isinstance(seen, str):
            seen = json.loads(seen)
        self.assertEqual(seen, client_context)

    # Event and DryRun

    def test_event_invoke_is_accepted_then_runs(self):
        event = {"job": "async-1", "text": "żółw"}
        out = self.invoke_ok("record", event, type="Event")
        self.assertEqual(out["status_code"], 202)
        self.assertEqual(out["payload"], "")
        path = os.path.join(self.records, "record.jsonl")
        lines = wait_until(lambda: read_lines(path), 30, f"the Event invocation recorded in {path}")
        self.assertEqual(len(lines), 1, lines)
        self.assertEqual(lines[0]["event"], event)
        self.assertEqual(lines[0]["function"], "record")
        self.assertEqual(lines[0]["request_id"], out["request_id"])

    def test_dry_run_answers_204_and_runs_nothing(self):
        out = self.invoke_ok("hello", {"dry": True}, type="DryRun")
        self.assertEqual(out["status_code"], 204)
        self.assertEqual(out["payload"], "")
        # Something that does run afterwards is the first and only invocation in the log.
        after = self.invoke_ok("hello", {"after": True})
        self.engine.wait_log("hello", rf"REPORT RequestId: {after['request_id']}")
        self.assertEqual(self.engine.log("hello").count("START RequestId:"), 1)

    # from inside a handler

    def test_a_handler_invokes_another_function_through_the_engines_endpoint(self):
        r = self.engine.invoke("invoke_other", {"function": "hello", "payload": {"nested": [1, 2]}})
        answer = self.assertSuccess(r)
        self.assertEqual(answer["endpoint"], f"lambda {self.engine.endpoint}")
        self.assertEqual(answer["status_code"], 200)
        self.assertEqual(answer["function_error"], "")
        self.assertEqual(answer["executed_version"], "$LATEST")
        nested = answer["payload"]
        self.assertEqual(nested["event"], {"nested": [1, 2]})
        self.assertEqual(nested["context"]["function_name"], "hello")
        self.assertNotEqual(nested["context"]["request_id"], r.header("x-amzn-RequestId"))

    def test_a_handler_sees_the_other_functions_error_and_api_errors(self):
        answer = self.assertSuccess(self.engine.invoke(
            "invoke_other", {"function": "fail", "payload": {"mode": "exception"}}))
        self.assertEqual(answer["function_error"], "Unhandled")
        self.assertEqual(answer["payload"]["errorType"], "std::runtime_error")
        self.assertEqual(answer["payload"]["errorMessage"], "boom")

        r = self.engine.invoke("invoke_other", {"function": "no-such-function"})
        body = self.assertFunctionError(r, "ResourceNotFoundException")
        self.assertIn("Function not found", body["errorMessage"])

    def test_a_handler_queues_an_event_invoke(self):
        answer = self.assertSuccess(self.engine.invoke(
            "invoke_other", {"function": "record", "payload": {"from": "invoke_other"},
                             "type": "Event"}))
        self.assertEqual(answer["status_code"], 202)
        path = os.path.join(self.records, "record.jsonl")
        lines = wait_until(lambda: read_lines(path), 30, f"the queued invocation in {path}")
        self.assertEqual(lines[0]["event"], {"from": "invoke_other"})


if __name__ == "__main__":
    unittest.main()
