"""`aws lambda invoke` (AWS CLI v2, /usr/bin/aws) against `lambdaport serve`, as a user would run it."""

import base64
import json
import re
import time
import unittest

from harness import REQUEST_ID, EngineTestCase, b64, example, function_arn, wait_until

HELLO_TIMEOUT = 3


class AwsCliInvoke(EngineTestCase):
    def setUp(self):
        super().setUp()
        self.engine = self.start_engine({
            "hello": {"handler": example("hello"), "timeout": HELLO_TIMEOUT,
                      "environment": {"GREETING": "hi"}},
            "fail": {"handler": example("fail")},
        })

    def test_sync_invoke_returns_the_handlers_result(self):
        event = {"x": 1, "nested": {"list": [1, "two", None], "text": "żółw"}}
        before_ms = time.time() * 1000
        r = self.aws_invoke(self.engine, "hello", event)
        after_ms = time.time() * 1000
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.meta.get("StatusCode"), 200, r.meta)
        self.assertEqual(r.meta.get("ExecutedVersion"), "$LATEST", r.meta)
        self.assertNotIn("FunctionError", r.meta)
        out = r.out_json()
        self.assertEqual(out["event"], event)
        ctx = out["context"]
        self.assertRegex(ctx["request_id"], REQUEST_ID)
        self.assertEqual(ctx["invoked_function_arn"], function_arn("hello"))
        self.assertEqual(ctx["function_name"], "hello")
        self.assertEqual(ctx["function_version"], "$LATEST")
        # The deadline is set when the invocation is handed to the handler: timeout from then.
        deadline = float(ctx["deadline_ms"])
        self.assertGreaterEqual(deadline, before_ms + HELLO_TIMEOUT * 1000 - 250, ctx)
        self.assertLessEqual(deadline, after_ms + HELLO_TIMEOUT * 1000 + 250, ctx)
        self.assertGreater(float(ctx["remaining_ms"]), 0, ctx)
        self.assertLessEqual(float(ctx["remaining_ms"]), HELLO_TIMEOUT * 1000, ctx)
        self.assertEqual(out["env"]["GREETING"], "hi")
        # The handler's own output reaches the function's log, tagged with START/END/REPORT.
        rid = ctx["request_id"]
        log = self.engine.wait_log("hello", rf"REPORT RequestId: {rid}")
        self.assertIn(f"START RequestId: {rid}", self.engine.log("hello"))
        self.assertIn(f"hello: handling {rid}", self.engine.log("hello"))
        self.assertIn(f"END RequestId: {rid}", self.engine.log("hello"))
        self.assertTrue(log)
        # ... and the console, as one line tagged with the function and the request id.
        self.engine.wait_output(rf"[^\n]*hello[^\n]*{rid}[^\n]*hello: handling {rid}")

    def test_event_invocation_is_accepted_and_runs(self):
        starts_before = self.engine.log("hello").count("START RequestId:")
        r = self.aws_invoke(self.engine, "hello", {"async": True}, "--invocation-type", "Event")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.meta.get("StatusCode"), 202, r.meta)
        self.assertEqual(r.outfile, b"")
        wait_until(lambda: self.engine.log("hello").count("REPORT RequestId:") > starts_before, 15,
                   "the Event invocation to run")

    def test_dry_run_answers_204_and_runs_nothing(self):
        r = self.aws_invoke(self.engine, "hello", {"dry": True}, "--invocation-type", "DryRun")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.meta.get("StatusCode"), 204, r.meta)
        self.assertNotIn("START RequestId:", self.engine.log("hello"))

    def test_log_tail_has_start_handler_line_end_and_report(self):
        r = self.aws_invoke(self.engine, "hello", {"x": 1}, "--log-type", "Tail")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("LogResult", r.meta)
        log = base64.b64decode(r.meta["LogResult"]).decode()
        rid = r.out_json()["context"]["request_id"]
        self.assertIn(f"START RequestId: {rid} Version: $LATEST", log)
        self.assertIn(f"hello: handling {rid}", log)
        self.assertIn(f"END RequestId: {rid}", log)
        report = re.search(rf"REPORT RequestId: {rid}\t(.*)", log)
        self.assertIsNotNone(report, log)
        fields = report.group(1)
        self.assertRegex(fields, r"Duration: [0-9]+(\.[0-9]+)? ms\t")
        self.assertRegex(fields, r"Billed Duration: [0-9]+ ms\t")
        self.assertRegex(fields, r"Memory Size: 128 MB\t")
        self.assertRegex(fields, r"Max Memory Used: [0-9]+ MB")
        self.assertLess(log.index("START"), log.index("hello: handling"))
        self.assertLess(log.index("hello: handling"), log.index("END RequestId"))
        self.assertLess(log.index("END RequestId"), log.index("REPORT RequestId"))

    def test_log_tail_is_the_last_4kb(self):
        r = self.aws_invoke(self.engine, "hello", {"log_lines": 500}, "--log-type", "Tail")
        self.assertEqual(r.returncode, 0, r.stderr)
        raw = base64.b64decode(r.meta["LogResult"])
        self.assertLessEqual(len(raw), 4096)
        self.assertGreater(len(raw), 3000, "a chatty handler should fill most of the 4 KB tail")
        rid = r.out_json()["context"]["request_id"]
        text = raw.decode(errors="replace")
        self.assertIn(f"REPORT RequestId: {rid}", text, "the tail keeps the end of the log")
        self.assertNotIn(f"START RequestId: {rid}", text, "the start of a long log is cut off")

    def test_function_error(self):
        r = self.aws_invoke(self.engine, "fail", {"mode": "typed"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.meta.get("StatusCode"), 200, r.meta)
        self.assertEqual(r.meta.get("FunctionError"), "Unhandled", r.meta)
        out = r.out_json()
        self.assertEqual(out["errorType"], "Validation.BadInput")
        self.assertIsInstance(out["errorMessage"], str)

    def test_client_context_reaches_the_handler(self):
        client_context = {"client": {"app_title": "lambdaport-tests", "installation_id": "i-1"},
                          "custom": {"tenant": "t-42"}, "env": {"platform": "linux"}}
        r = self.aws_invoke(self.engine, "hello", {}, "--client-context", b64(client_context))
        self.assertEqual(r.returncode, 0, r.stderr)
        seen = r.out_json()["context"]["client_context"]
        if isinstance(seen, str):
            seen = json.loads(seen)
        self.assertEqual(seen, client_context)

    def test_function_named_by_arn(self):
        r = self.aws_invoke(self.engine, function_arn("hello"), {"by": "arn"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.meta.get("StatusCode"), 200)
        self.assertEqual(r.out_json()["event"], {"by": "arn"})

    def test_function_named_by_qualified_arn(self):
        r = self.aws_invoke(self.engine, function_arn("hello") + ":$LATEST", {"by": "qualified arn"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.out_json()["event"], {"by": "qualified arn"})

    def test_function_named_with_latest_qualifier(self):
        r = self.aws_invoke(self.engine, "hello:$LATEST", {"by": "name:qualifier"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.meta.get("ExecutedVersion"), "$LATEST")
        self.assertEqual(r.out_json()["event"], {"by": "name:qualifier"})

    def test_qualifier_option(self):
        r = self.aws_invoke(self.engine, "hello", {"by": "qualifier"}, "--qualifier", "$LATEST")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.meta.get("ExecutedVersion"), "$LATEST")
        self.assertEqual(r.out_json()["event"], {"by": "qualifier"})

    def test_unknown_function_prints_resource_not_found(self):
        r = self.aws_invoke(self.engine, "no-such-function", {})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ResourceNotFoundException", r.stderr)

    def test_unknown_qualifier_prints_resource_not_found(self):
        r = self.aws_invoke(self.engine, "hello", {}, "--qualifier", "7")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ResourceNotFoundException", r.stderr)

    def test_payload_too_large_prints_request_entity_too_large(self):
        big = f"{self.tmp}/big.json"
        with open(big, "w") as f:
            f.write('{"pad":"' + "x" * 6_291_456 + '"}')
        r = self.aws_invoke(self.engine, "hello", payload_file=big)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("RequestEntityTooLargeException", r.stderr)
        # And the engine still serves.
        ok = self.aws_invoke(self.engine, "hello", {"after": "413"})
        self.assertEqual(ok.returncode, 0, ok.stderr)


if __name__ == "__main__":
    unittest.main()
