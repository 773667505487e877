"""`lambdaport serve --template template.yaml`: one AWS SAM template for local runs and for AWS.

- The pipeline's template (the build's copy of examples/pipeline/template.yaml, beside the packages
  its CodeUri name) runs the pipeline end to end on local disk and on moto's S3, creating its four
  buckets itself, and gives the statistics of the JSON configuration (pipeline.json) on the same data.
- A small template with an SQS event, against moto (SigV4 verified): the engine creates the queue
  and its dead-letter queue with the template's attributes (RedrivePolicy included, checked with
  GetQueueAttributes), the function (from a zip) gets the queue's messages, a failing message ends
  in the dead-letter queue, and a restart with changed attributes brings the queue in line.
- Every construct lambdaport does not run, in a set of small templates, stops start-up with exit
  status 2, nothing on standard output and one exact line on standard error.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import unittest
import zipfile

from harness import ACCOUNT, REGION, Engine, EngineTestCase, engine_binary, example, wait_until
from storage_servers import MotoServer, aws_request, sqs_call
from test_pipeline import PART_BYTES, PipelineChecks, comparable, examples_dir

STACK = "local"  # the engine's AWS::StackName when --stack-name is not given
PIPELINE_BUCKETS = {kind: f"{STACK}-{kind}-{ACCOUNT}-{REGION}"
                    for kind in ("raw", "clean", "analysis", "reports")}


def pipeline_template() -> str:
    return os.path.join(examples_dir(), "pipeline", "template.yaml")


def as_json_run(stats: dict) -> dict:
    """`comparable`, with the template's raw bucket called `raw` as pipeline.json calls it."""
    s = comparable(stats)
    for o in s["objects"]:
        if o["bucket"] == PIPELINE_BUCKETS["raw"]:
            o["bucket"] = "raw"
    return s


class PipelineTemplate(PipelineChecks, EngineTestCase):
    def serve_template(self, name: str, storage: str, env: dict, drop, read) -> dict:
        """The pipeline from its template: the engine makes the buckets itself."""
        work = os.path.join(self.tmp, name)
        os.makedirs(work)
        args = ["--template", pipeline_template(), "--storage", storage,
                "--parameter-overrides", "Mappers=8", f"PartBytes={PART_BYTES}"]
        stats, engine = self.run_engine(name, work, args, env, drop, read,
                                        reports_bucket=PIPELINE_BUCKETS["reports"])
        # The template's Outputs are logged: the user learns where to put the raw files.
        self.assertIn(f"output key=RawBucketName value={PIPELINE_BUCKETS['raw']}", engine.output())
        # Functions are named by their logical ids; split reached clean through CLEAN_FUNCTION.
        self.assertIn("REPORT RequestId:", engine.log("CleanFunction"))
        self.assertTrue(all(o["parts"] > 1 for o in stats["objects"]), stats["objects"])
        return stats

    def test_on_local_disk_and_on_moto_the_template_gives_the_json_configurations_statistics(self):
        json_data = os.path.join(self.tmp, "json-data")
        for bucket in ("raw", "clean", "analysis", "reports"):
            os.makedirs(os.path.join(json_data, bucket))
        drop, read = self.local_disk(json_data)
        expected = as_json_run(self.run_pipeline("json", 8, ["--storage", json_data], {}, drop, read))

        data = os.path.join(self.tmp, "template-data")  # no bucket folders: the engine makes them
        drop, read = self.local_disk(data, PIPELINE_BUCKETS["raw"])
        local = self.serve_template("template-local", data, {}, drop, read)
        for bucket in PIPELINE_BUCKETS.values():
            self.assertTrue(os.path.isdir(os.path.join(data, bucket)), bucket)
        self.assertEqual(as_json_run(local), expected)
        self.assertTrue(os.path.exists(os.path.join(data, PIPELINE_BUCKETS["reports"], "report.html")))

        # Without signature checks: moto rejects correctly signed listings with a prefix such as
        # trips/ (storage_servers.MotoServer says why).
        with MotoServer(os.path.join(self.tmp, "moto"), auth=False) as moto:
            env = moto.client_env(moto.credentials, base={})
            env.pop("AWS_ENDPOINT_URL_S3")
            drop, read = self.on_s3(moto.endpoint, moto.credentials, PIPELINE_BUCKETS["raw"])
            on_moto = self.serve_template("template-moto", moto.endpoint, env, drop, read)
            for bucket in PIPELINE_BUCKETS.values():  # made by the engine, not by this test
                r = aws_request(moto.endpoint, "HEAD", f"/{bucket}", credentials=moto.credentials,
                                service="s3")
                self.assertEqual(r.status, 200, f"{bucket}: {r}")
        self.assertEqual(as_json_run(on_moto), expected)


SQS_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  RecordDir:
    Type: String
  Visibility:
    Type: Number
    Default: 2
Resources:
  DeadLetters:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${AWS::StackName}-dead-letters"
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Visibility
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DeadLetters.Arn
        maxReceiveCount: 2
  Recorder:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: record.handler
      CodeUri: record.zip
      Timeout: 1
      Environment:
        Variables:
          RECORD_DIR: !Ref RecordDir
          JOBS_URL: !Ref Jobs
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 1
Outputs:
  JobsUrl:
    Value: !Ref Jobs
"""


class SqsTemplateOnMoto(EngineTestCase):
    def test_the_engine_creates_the_queues_and_their_redrive_policy_and_polls_them(self):
        work = os.path.join(self.tmp, "app")
        records = os.path.join(self.tmp, "records")
        os.makedirs(work)
        os.makedirs(records)
        template = os.path.join(work, "template.yaml")
        with open(template, "w") as f:
            f.write(SQS_TEMPLATE)
        # A zip with bootstrap at its root, executable, as a packaging step makes it.
        with zipfile.ZipFile(os.path.join(work, "record.zip"), "w") as z:
            info = zipfile.ZipInfo("bootstrap")
            info.external_attr = 0o100755 << 16
            with open(example("record"), "rb") as f:
                z.writestr(info, f.read(), compress_type=zipfile.ZIP_DEFLATED)

        with MotoServer(os.path.join(self.tmp, "moto"), auth=True) as moto:
            creds = moto.credentials
            env = moto.client_env(creds, base={})
            env.pop("AWS_ENDPOINT_URL_S3")
            env["AWS_ENDPOINT_URL_SQS"] = moto.endpoint

            def sqs(action: str, body: dict) -> dict:
                return sqs_call(moto.endpoint, creds, action, body)

            def serve(*extra: str) -> Engine:
                return self.start_engine(None, workdir=work, env=env,
                                         args=["--template", template, "--parameter-overrides",
                                               f"RecordDir={records}", *extra])

            engine = serve()
            jobs = sqs("GetQueueUrl", {"QueueName": "Jobs"})["QueueUrl"]
            dead = sqs("GetQueueUrl", {"QueueName": "local-dead-letters"})["QueueUrl"]
            attributes = sqs("GetQueueAttributes", {"QueueUrl": jobs, "AttributeNames": ["All"]})["Attributes"]
            dead_arn = sqs("GetQueueAttributes", {"QueueUrl": dead,
                                                  "AttributeNames": ["QueueArn"]})["Attributes"]["QueueArn"]
            policy = json.loads(attributes["RedrivePolicy"])
            self.assertEqual(policy["deadLetterTargetArn"], dead_arn)
            self.assertEqual(int(policy["maxReceiveCount"]), 2)
            self.assertEqual(attributes["VisibilityTimeout"], "2")
            template_url = engine.wait_output(r"output key=JobsUrl value=(http://\S+/Jobs)").group(1)
            self.assertEqual(template_url, f"{moto.endpoint}/{ACCOUNT}/Jobs")
            self.assertIn("deployed queue=local-dead-letters", engine.output())

            # A message sent to the URL the template's !Ref gives reaches the function (unpacked
            # from the zip, named by its logical id).
            sqs("SendMessage", {"QueueUrl": template_url, "MessageBody": "hello"})
            recorded = os.path.join(records, "Recorder.jsonl")

            def bodies() -> list[str]:
                try:
                    with open(recorded) as f:
                        return [r["body"] for line in f for r in json.loads(line)["event"]["Records"]]
                except FileNotFoundError:
                    return []
            wait_until(lambda: "hello" in bodies(), 30, "the message in the function's records")
            with open(recorded) as f:
                record = json.loads(f.readline())["event"]["Records"][0]
            self.assertEqual(record["eventSourceARN"], attributes["QueueArn"])

            # A message the function fails on twice goes to the dead-letter queue, by the
            # RedrivePolicy the engine set.
            sqs("SendMessage", {"QueueUrl": jobs, "MessageBody": "ERROR please"})

            def in_dead_letters():
                got = sqs("ReceiveMessage", {"QueueUrl": dead, "WaitTimeSeconds": 1,
                                             "MaxNumberOfMessages": 10}).get("Messages", [])
                return [m for m in got if m["Body"] == "ERROR please"]
            wait_until(in_dead_letters, 60, "the failing message in the dead-letter queue", interval=0.2)
            self.assertGreaterEqual(bodies().count("ERROR please"), 2)
            self.assertEqual(engine.stop(), 0)

            # Started again with another visibility timeout: the existing queue is brought in line.
            serve("Visibility=5")
            attributes = sqs("GetQueueAttributes", {"QueueUrl": jobs,
                                                    "AttributeNames": ["VisibilityTimeout", "RedrivePolicy"]})
            self.assertEqual(attributes["Attributes"]["VisibilityTimeout"], "5")
            self.assertEqual(json.loads(attributes["Attributes"]["RedrivePolicy"])["deadLetterTargetArn"],
                             dead_arn)


class TemplateErrors(EngineTestCase):
    """Each template holds one thing lambdaport does not run; the line names file, place, reason."""

    HEADER = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"

    def function(self, extra: str = "", runtime: str = "provided.al2023") -> str:
        """CleanFunction (the hello handler), with `extra` (YAML, any indentation) under Properties."""
        return ("  CleanFunction:\n"
                "    Type: AWS::Serverless::Function\n"
                "    Properties:\n"
                f"      Runtime: {runtime}\n"
                "      Handler: bootstrap\n"
                f"      CodeUri: {example('hello')}\n"
                + textwrap.indent(textwrap.dedent(extra), "      "))

    def serve(self, text: str, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
        with open(os.path.join(self.tmp, "template.yaml"), "w") as f:
            f.write(text)
        base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        base.update(env or {})
        return subprocess.run([engine_binary(), "serve", "--template", "template.yaml", *extra,
                               "--listen", "127.0.0.1:0", "--state", os.path.join(self.tmp, "state")],
                              cwd=self.tmp, env=base, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=30)

    def assertRefused(self, text: str, line: str, *extra: str, env: dict | None = None) -> None:
        p = self.serve(text, *extra, env=env)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr, "lambdaport: " + line + "\n")

    def test_an_event_on_a_bucket_the_template_does_not_declare(self):
        self.assertRefused(self.HEADER + "Resources:\n  Raw:\n    Type: AWS::S3::Bucket\n" + self.function("""\
              Events:
                Raw:
                  Type: S3
                  Properties:
                    Bucket: !Ref OtherBucket
                    Events: s3:ObjectCreated:*
            """), "template.yaml: Resources.CleanFunction.Properties.Events.Raw.Properties.Bucket: "
               "!Ref OtherBucket names no resource in the template", "--storage", "data")

    def test_a_runtime_other_than_provided(self):
        self.assertRefused(self.HEADER + "Resources:\n" + self.function(runtime="python3.12"),
                           "template.yaml: Resources.CleanFunction.Properties.Runtime: python3.12 is "
                           "not supported (lambdaport runs custom runtimes: provided.al2023 or "
                           "provided.al2)")

    def test_an_api_event(self):
        self.assertRefused(self.HEADER + "Resources:\n" + self.function("""\
              Events:
                Http:
                  Type: Api
                  Properties: {Path: /clean, Method: post}
            """), "template.yaml: Resources.CleanFunction.Properties.Events.Http.Type: Api is not "
               "supported (lambdaport runs S3, SQS, Schedule and ScheduleV2 events)")

    def test_import_value_and_if(self):
        self.assertRefused(self.HEADER + "Resources:\n" + self.function("""\
              Environment:
                Variables:
                  SHARED: !ImportValue shared-bucket
            """), "template.yaml: Resources.CleanFunction.Properties.Environment.Variables.SHARED: "
               "!ImportValue is not supported (lambdaport evaluates !Ref, !GetAtt and !Sub)")
        self.assertRefused(self.HEADER + "Resources:\n" + self.function("""\
              MemorySize:
                Fn::If: [Big, 1024, 128]
            """), "template.yaml: Resources.CleanFunction.Properties.MemorySize: Fn::If: is not "
               "supported (lambdaport evaluates Ref, Fn::GetAtt and Fn::Sub)")

    def test_a_ref_to_a_missing_logical_id(self):
        self.assertRefused(self.HEADER + "Resources:\n" + self.function("""\
              Environment:
                Variables:
                  TARGET: !Ref ReportFunction
            """), "template.yaml: Resources.CleanFunction.Properties.Environment.Variables.TARGET: "
               "!Ref ReportFunction names no parameter or resource in the template")

    def test_another_resource_type(self):
        self.assertRefused(self.HEADER + "Resources:\n" + self.function() +
                           "  Table:\n    Type: AWS::DynamoDB::Table\n",
                           "template.yaml: Resources.Table.Type: AWS::DynamoDB::Table is not supported "
                           "(lambdaport runs AWS::Serverless::Function, AWS::S3::Bucket and "
                           "AWS::SQS::Queue)")

    def test_unknown_properties(self):
        self.assertRefused(self.HEADER + "Resources:\n" + self.function("Layers: [arn:aws:lambda:x]\n"),
                           "template.yaml: Resources.CleanFunction.Properties.Layers: is not supported "
                           "by lambdaport (README: \"One template for local and AWS\" lists what is)")
        self.assertRefused(self.HEADER + "Resources:\n" + self.function() +
                           "  Raw:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                           "      VersioningConfiguration: {Status: Enabled}\n",
                           "template.yaml: Resources.Raw.Properties.VersioningConfiguration: is not "
                           "supported by lambdaport (README: \"One template for local and AWS\" lists "
                           "what is)", "--storage", "data")

    def test_an_sqs_event_without_an_sqs_endpoint(self):
        self.assertRefused(self.HEADER + "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n" + self.function("""\
              Events:
                Work:
                  Type: SQS
                  Properties: {Queue: !GetAtt Jobs.Arn}
            """), "template.yaml: Resources.Jobs: an AWS::SQS::Queue needs an SQS endpoint: set "
               "AWS_ENDPOINT_URL_SQS (lambdaport creates the template's queues there)")

    def test_a_bucket_without_storage(self):
        self.assertRefused(self.HEADER + "Resources:\n  Raw:\n    Type: AWS::S3::Bucket\n" + self.function(),
                           "template.yaml: Resources.Raw: an AWS::S3::Bucket needs a place: give "
                           "--storage DIR (local disk), --storage http://HOST:PORT (an S3-compatible "
                           "store) or --storage s3")

    def test_a_parameter_override_the_template_does_not_have(self):
        self.assertRefused(self.HEADER + "Resources:\n" + self.function(),
                           "template.yaml: --parameter-overrides: Stage is not a parameter of the "
                           "template", "--parameter-overrides", "Stage=prod")

    def test_a_stack_name_cloudformation_would_refuse(self):
        self.assertRefused(self.HEADER + "Resources:\n" + self.function(),
                           "--stack-name: 'my_stack' is not a stack name (up to 128 letters, digits "
                           "and '-', starting with a letter)", "--stack-name", "my_stack")

    def test_yaml_that_does_not_parse(self):
        p = self.serve(self.HEADER + "Resources: [\n")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertRegex(p.stderr, r"^lambdaport: template\.yaml: line \d+, column \d+: .+\n$")

    def test_yaml_nested_100000_deep(self):
        # yaml-cpp stops at about 500 levels and calls it "bad file".
        p = self.serve(self.HEADER + "Metadata: " + "[" * 100_000 + "]" * 100_000 + "\nResources:\n" +
                       self.function())
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertRegex(p.stderr, r"^lambdaport: template\.yaml: line 3, column \d+: nested more than 499 "
                                   r"levels deep\n$")

    def test_aliases_nested_deeper_than_yaml_allows(self):
        # An alias nests its anchor's depth again: 400 levels in `b`, 800 in `c`; yaml-cpp sees 400.
        metadata = ("Metadata:\n  b: &b " + "[" * 400 + "x" + "]" * 400 + "\n  c: " + "[" * 400 + "*b" +
                    "]" * 400 + "\n")
        self.assertRefused(self.HEADER + metadata + "Resources:\n" + self.function(),
                           "template.yaml: line 4, column 107: nested more than 500 levels deep (through "
                           "aliases)")

    def test_an_alias_inside_its_own_anchor(self):
        self.assertRefused(self.HEADER + "Metadata:\n  a: &a [x, *a]\nResources:\n" + self.function(),
                           "template.yaml: line 4, column 6: an alias refers to a node that contains it")

    def test_an_alias_bomb_is_refused_in_bounded_memory(self):
        # The "billion laughs": nine anchors of nine aliases each, 387 million values once expanded.
        # Serving it used 4 GB and ended in std::bad_alloc.
        laughs = ["  x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
        laughs += [f"  x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]\n" for i in range(1, 10)]
        with open(os.path.join(self.tmp, "template.yaml"), "w") as f:
            f.write(self.HEADER + "Metadata:\n" + "".join(laughs) + "Resources:\n" + self.function())
        err_path = os.path.join(self.tmp, "stderr")
        limit_kb = 512 * 1024  # the engine is killed above this: on a shared machine, 4 GB is not an option
        with open(err_path, "w") as err:
            proc = subprocess.Popen([engine_binary(), "serve", "--template", "template.yaml",
                                     "--listen", "127.0.0.1:0", "--state", os.path.join(self.tmp, "state")],
                                    cwd=self.tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=err)
        outcome = {}

        def ended():
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                outcome["max_rss_kb"] = usage.ru_maxrss
                return True
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            except (OSError, StopIteration):
                return False
            if rss > limit_kb:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                outcome["max_rss_kb"] = rss
                return True
            return False

        try:
            wait_until(ended, 60, "lambdaport to refuse the template")
        finally:
            if proc.returncode is None:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
        with open(err_path) as f:
            stderr = f.read()
        self.assertLess(outcome["max_rss_kb"], 256 * 1024, f"peak resident memory; stderr: {stderr}")
        self.assertEqual(proc.returncode, 2, stderr)
        self.assertRegex(stderr, r"^lambdaport: template\.yaml: line \d+, column \d+: aliases expand the "
                                 r"template to more than 100000 values\n$")

    def test_numbers_that_are_not_numbers(self):
        # Coverage rather than a regression (these were refused already): every number in a template
        # goes through one checked conversion, and each refusal is one line.
        for prop, value, reason in (
                ("Timeout", ".nan", "must be an integer between 1 and 900"),
                ("Timeout", "1e999", "must be an integer between 1 and 900"),
                ("Timeout", "-1", "must be an integer between 1 and 900"),
                ("MemorySize", "18446744073709551616", "must be an integer between 128 and 10240"),
                ("MemorySize", ".inf", "must be an integer between 128 and 10240")):
            with self.subTest(prop=prop, value=value):
                self.assertRefused(self.HEADER + "Resources:\n" + self.function(f"{prop}: {value}\n"),
                                   f"template.yaml: Resources.CleanFunction.Properties.{prop}: {reason}")
        parameters = "Parameters:\n  Size:\n    Type: Number\n    Default: .inf\n"
        self.assertRefused(self.HEADER + parameters + "Resources:\n" + self.function(),
                           "template.yaml: Parameters.Size: the value '.inf' is not a number")

    def test_template_and_config_together(self):
        self.assertRefused(self.HEADER + "Resources:\n" + self.function(),
                           "--template: cannot be combined with --config", "--config", "x.json")

    def test_a_good_template_starts(self):
        # The control case: the same function with nothing unsupported serves.
        with open(os.path.join(self.tmp, "template.yaml"), "w") as f:
            f.write(self.HEADER + "Resources:\n" + self.function())
        engine = self.start_engine(None, workdir=self.tmp,
                                   args=["--template", os.path.join(self.tmp, "template.yaml")])
        self.assertEqual(engine.invoke("CleanFunction", {"x": 1}).status, 200)


if __name__ == "__main__":
    unittest.main()
