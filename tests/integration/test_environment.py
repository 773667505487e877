"""What a handler sees of its environment: its configured variables and Lambda's own."""

import os
import unittest

from harness import REQUEST_ID, EngineTestCase, example, function_arn


class Environment(EngineTestCase):
    def test_configured_variables_and_lambda_context(self):
        engine = self.start_engine({"greeter": {"handler": example("hello"), "memory": 256, "timeout": 5,
                                                "environment": {"GREETING": "hi"}}})
        out = self.assertSuccess(engine.invoke("greeter", {"who": "you"}))
        self.assertEqual(out["env"]["GREETING"], "hi")
        ctx = out["context"]
        # These come from AWS_LAMBDA_FUNCTION_NAME, _VERSION, _MEMORY_SIZE, _LOG_GROUP_NAME, _LOG_STREAM_NAME.
        self.assertEqual(ctx["function_name"], "greeter")
        self.assertEqual(ctx["function_version"], "$LATEST")
        self.assertEqual(int(ctx["memory_limit_mb"]), 256)
        self.assertEqual(ctx["log_group_name"], "/aws/lambda/greeter")
        self.assertIsInstance(ctx["log_stream_name"], str)
        self.assertTrue(ctx["log_stream_name"])
        self.assertEqual(ctx["invoked_function_arn"], function_arn("greeter"))
        self.assertRegex(ctx["request_id"], REQUEST_ID)
        # The trace header reaches the context and _X_AMZN_TRACE_ID.
        self.assertTrue(ctx["trace_id"])
        self.assertEqual(out["env"]["_X_AMZN_TRACE_ID"], ctx["trace_id"])

    def test_trace_id_changes_per_invocation(self):
        engine = self.start_engine({"hello": {"handler": example("hello")}})
        a = self.assertSuccess(engine.invoke("hello", {}))
        b = self.assertSuccess(engine.invoke("hello", {}))
        self.assertNotEqual(a["context"]["request_id"], b["context"]["request_id"])
        self.assertNotEqual(a["context"]["trace_id"], b["context"]["trace_id"])
        self.assertEqual(b["env"]["_X_AMZN_TRACE_ID"], b["context"]["trace_id"])

    def test_function_flag_quick_form(self):
        # `lambdaport serve --function NAME=PATH` with no config file at all.
        engine = self.start_engine(None, args=["--function", f"hi={example('hello')}"])
        out = self.assertSuccess(engine.invoke("hi", {"quick": True}))
        self.assertEqual(out["event"], {"quick": True})
        self.assertEqual(out["context"]["function_name"], "hi")
        self.assertEqual(int(out["context"]["memory_limit_mb"]), 128)
        self.assertTrue(os.path.exists(engine.log_path("hi")))

    def test_function_flag_adds_to_the_config_file(self):
        engine = self.start_engine({"hello": {"handler": example("hello")}},
                                   args=["--function", f"other={example('hello')}"])
        self.assertEqual(self.assertSuccess(engine.invoke("hello", {}))["context"]["function_name"], "hello")
        self.assertEqual(self.assertSuccess(engine.invoke("other", {}))["context"]["function_name"], "other")

    def test_relative_handler_path_resolves_against_the_config_folder(self):
        config_dir = os.path.join(self.tmp, "project")
        os.makedirs(config_dir)
        os.symlink(os.path.dirname(example("hello")), os.path.join(config_dir, "handlers"))
        elsewhere = os.path.join(self.tmp, "elsewhere")
        os.makedirs(elsewhere)
        # The engine runs in another folder: only the config file's folder can anchor the path.
        engine = self.start_engine({"hello": {"handler": "handlers/hello"}}, workdir=config_dir,
                                   cwd=elsewhere)
        out = self.assertSuccess(engine.invoke("hello", {"relative": True}))
        self.assertEqual(out["event"], {"relative": True})

    def test_state_folder_layout(self):
        engine = self.start_engine({"hello": {"handler": example("hello")}})
        self.assertSuccess(engine.invoke("hello", {}))
        engine.wait_log("hello", r"REPORT RequestId:")
        self.assertTrue(os.path.isfile(os.path.join(engine.state_dir, "logs", "hello.log")))


if __name__ == "__main__":
    unittest.main()
