"""The engine's Runtime API, seen from a handler written directly against it (handlers/runtime_probe.py,
no lambdaport SDK): request headers, the environment, status codes and error bodies, response size."""

import json
import os
import re
import shutil
import unittest

from harness import HERE, MAX_RESPONSE, REQUEST_ID, EngineTestCase, b64, function_arn

PROBE = os.path.join(HERE, "handlers", "runtime_probe.py")


class RuntimeApi(EngineTestCase):
    def setUp(self):
        super().setUp()
        if not shutil.which("python3"):
            self.fail("python3 must be on PATH for handlers/runtime_probe.py")
        self.engine = self.start_engine({
            "probe": {"handler": PROBE, "memory": 512, "timeout": 30,
                      "environment": {"PROBE_SETTING": "on"}},
            "probe_init": {"handler": PROBE, "environment": {"PROBE_INIT_ERROR": "1"}},
        })

    def probe_line(self, key: str, request_id: str) -> dict:
        pattern = r"probe: (\{.*\"request_id\": \"%s\".*\})" % re.escape(request_id)
        m = self.engine.wait_log("probe", pattern)
        record = json.loads(m.group(1))
        self.assertIn(key, record)
        return record

    def test_next_headers(self):
        cc = {"custom": {"k": "v"}}
        r = self.engine.invoke("probe", {"mode": "env", "x": 1}, client_context=b64(cc))
        out = self.assertSuccess(r)
        self.assertEqual(out["next_status"], 200)
        h = out["next_headers"]
        self.assertRegex(h["lambda-runtime-aws-request-id"], REQUEST_ID)
        self.assertEqual(h["lambda-runtime-aws-request-id"], r.header("x-amzn-RequestId"))
        self.assertRegex(h["lambda-runtime-deadline-ms"], r"^[0-9]{13}$")
        self.assertEqual(h["lambda-runtime-invoked-function-arn"], function_arn("probe"))
        self.assertRegex(h["lambda-runtime-trace-id"], r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}")
        self.assertEqual(json.loads(h["lambda-runtime-client-context"]), cc)
        self.assertNotIn("lambda-runtime-cognito-identity", h, "sent only when the caller sent one")
        self.assertEqual(out["event"], {"mode": "env", "x": 1})

    def test_no_client_context_header_unless_sent(self):
        out = self.assertSuccess(self.engine.invoke("probe", {"mode": "env"}))
        self.assertNotIn("lambda-runtime-client-context", out["next_headers"])

    def test_environment_of_a_handler_process(self):
        out = self.assertSuccess(self.engine.invoke("probe", {"mode": "env"}))
        env = out["env"]
        self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:[0-9]+$", "host:port, no scheme")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "probe")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "512")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
        self.assertEqual(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand")
        self.assertEqual(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/probe")
        self.assertTrue(env["AWS_LAMBDA_LOG_STREAM_NAME"])
        self.assertEqual(env["AWS_REGION"], "us-east-1")
        self.assertEqual(env["AWS_DEFAULT_REGION"], "us-east-1")
        self.assertTrue(env["LAMBDA_TASK_ROOT"])
        self.assertTrue(env["_HANDLER"])
        self.assertEqual(env["TZ"], ":UTC")
        self.assertTrue(env["PATH"])
        self.assertEqual(env["PROBE_SETTING"], "on")

    def test_unknown_request_id_and_wrong_state(self):
        r = self.engine.invoke("probe", {"mode": "ids"})
        out = self.assertSuccess(r)
        bogus = out["bogus"]
        self.assertEqual(bogus["status"], 400, bogus)
        self.assertEqual(bogus["body"]["errorType"], "InvalidRequestID", bogus)
        self.assertIn("errorMessage", bogus["body"])
        rid = r.header("x-amzn-RequestId")
        record = self.probe_line("again", rid)
        self.assertEqual(record["ok"]["status"], 202, record)
        self.assertEqual(record["ok"]["body"], {"status": "OK"}, record)
        self.assertEqual(record["again"]["status"], 403, record)
        self.assertEqual(record["again"]["body"]["errorType"], "InvalidStateTransition", record)
        self.assertEqual(record["error_after"]["status"], 403, record)
        # The instance keeps serving after the refused calls.
        self.assertSuccess(self.engine.invoke("probe", {"mode": "env"}))

    def test_response_over_the_limit_is_refused_with_413(self):
        r = self.engine.invoke("probe", {"mode": "too_large", "bytes": MAX_RESPONSE + 1})
        body = self.assertFunctionError(r, "Function.ResponseSizeTooLarge")
        self.assertTrue(body["errorMessage"])
        record = self.probe_line("too_large", r.header("x-amzn-RequestId"))
        self.assertEqual(record["too_large"]["status"], 413, record)
        self.assertEqual(record["too_large"]["body"]["errorType"], "RequestEntityTooLarge", record)
        self.assertSuccess(self.engine.invoke("probe", {"mode": "env"}))

    def test_response_of_exactly_the_limit_is_delivered(self):
        r = self.engine.invoke("probe", {"mode": "too_large", "bytes": MAX_RESPONSE})
        self.assertSuccess(r)
        self.assertEqual(len(r.body), MAX_RESPONSE)

    def test_error_without_body_or_header(self):
        r = self.engine.invoke("probe", {"mode": "error_bare"})
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", str(r))
        body = r.json()
        self.assertTrue(body.get("errorType"), str(r))
        self.assertEqual(self.probe_line("error_bare", r.header("x-amzn-RequestId"))["error_bare"], 202)

    def test_error_type_from_header_only(self):
        r = self.engine.invoke("probe", {"mode": "error_header"})
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", str(r))
        self.assertEqual(r.json().get("errorType"), "Probe.HeaderOnly", str(r))

    def test_error_body_is_passed_to_the_caller(self):
        r = self.engine.invoke("probe", {"mode": "error_body"})
        body = self.assertFunctionError(r, "Probe.Body")
        self.assertEqual(body["errorMessage"], "from the body")
        self.assertEqual(body.get("stackTrace"), ["frame 1", "frame 2"])

    def test_unknown_runtime_api_path(self):
        out = self.assertSuccess(self.engine.invoke("probe", {"mode": "unknown_path"}))
        self.assertEqual(out["unknown_path"]["status"], 404, out)

    def test_init_error_answers_the_first_invocation(self):
        r = self.engine.invoke("probe_init", {})
        body = self.assertFunctionError(r, "Probe.InitFailed")
        self.assertEqual(body["errorMessage"], "init failed on purpose")
        self.assertIn('probe: {"init_error": 202}', self.engine.wait_log("probe_init", r"probe: .*").group(0))


if __name__ == "__main__":
    unittest.main()
