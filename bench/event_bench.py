#!/usr/bin/env python3
"""Event-source latency and SQS throughput, each beside a baseline measured in the same run.

    scripts/build.sh build && python3 bench/event_bench.py [--build build] [--events 200]

Latency is "the event exists" → "the handler starts": the moment the object's rename into the bucket
folder returns, the S3 PUT is answered, or SendMessage is answered, to the wall-clock time
examples/record notes when its handler is called (same machine, same clock). Events are sent one at a
time, each once the previous one was handled (S3 objects after a random pause within the poll interval, so
they land anywhere in the poll cycle), so every figure is a lone event's latency, not a queue's.
Baseline: the same handler invoked directly through the Invoke API (HTTP POST → handler start), in the
same run, so the ratio is what a source adds to an invocation.

  folder      local disk (`--storage DIR`), inotify                 target p50 ≤ 10 ms
  s3-poll     moto_server's S3, ListObjectsV2 every 0.5 s           target p50 ≤ 0.5 s + 50 ms
  sqs         moto_server's SQS, long polling                       target p50 ≤ 50 ms

Throughput: N messages are sent with the AWS CLI (`aws sqs send-message-batch`, 10 per call) — the
CLI's send rate is the baseline — then an engine with the no-op handler (examples/record without
RECORD_DIR) and an SQS source (batch 10, up to 5 pollers) drains the queue; its rate is messages
deleted per second, from the engine's start to the queue being empty.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import harness  # noqa: E402
import storage_servers  # noqa: E402

AWS_CLI = "/usr/bin/aws"


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


class Recorder:
    def __init__(self, folder: str, function: str):
        self.path = os.path.join(folder, f"{function}.jsonl")
        self.offset = 0

    def next_line(self, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(self.path, "rb") as f:
                    f.seek(self.offset)
                    line = f.readline()
                if line.endswith(b"\n"):
                    self.offset += len(line)
                    return json.loads(line)
            except FileNotFoundError:
                pass
            time.sleep(0.0005)
        raise SystemExit(f"event_bench: no handler start within {timeout} s")


def summary(name: str, lat_ms: list[float], baseline_ms: list[float], target: str, ok: bool) -> str:
    p50, p99 = statistics.median(lat_ms), percentile(lat_ms, 99)
    b50 = statistics.median(baseline_ms)
    return (f"| {name} | {len(lat_ms)} | {p50:.2f} | {p99:.2f} | {b50:.2f} | {p50 / b50:.1f}× | "
            f"{target} | {'PASS' if ok else 'MISS'} |")


def invoke_baseline(engine: harness.Engine, rec: Recorder, n: int) -> list[float]:
    out = []
    for i in range(n):
        body = json.dumps({"baseline": i}).encode()
        t0 = time.time_ns()
        r = harness.http_request(engine.host, engine.port, "POST",
                                 "/2015-03-31/functions/rec/invocations", body,
                                 {"X-Amz-Invocation-Type": "Event"}, 10)
        assert r.status == 202, r
        out.append((rec.next_line()["t_ns"] - t0) / 1e6)
    return out


def engine_for(workdir: str, events: dict, env: dict[str, str], args: list[str], record: bool = True
               ) -> harness.Engine:
    rec_dir = os.path.join(workdir, "rec")
    os.makedirs(rec_dir, exist_ok=True)
    function = {"handler": harness.example("record"), "events": events, "keep_warm": 1,
                "concurrency": 5}
    if record:
        function["environment"] = {"RECORD_DIR": rec_dir}
    e = harness.Engine(workdir, {"rec": function}, args=args, env=env)
    return e.start()


def bench_folder(tmp: str, n: int) -> str:
    data = os.path.join(tmp, "folder-data")
    os.makedirs(os.path.join(data, "raw"))
    work = os.path.join(tmp, "folder")
    os.makedirs(work)
    engine = engine_for(work, {"raw": {"type": "s3", "bucket": "raw"}}, {}, ["--storage", data])
    try:
        rec = Recorder(os.path.join(work, "rec"), "rec")
        lat = []
        for i in range(n):
            tmpfile = os.path.join(tmp, "staging")
            with open(tmpfile, "wb") as f:
                f.write(b"x" * 1024)
            t0 = time.time_ns()
            os.rename(tmpfile, os.path.join(data, "raw", f"obj-{i:05d}"))
            lat.append((rec.next_line()["t_ns"] - t0) / 1e6)
        base = invoke_baseline(engine, rec, n)
    finally:
        engine.stop()
    return summary("folder (inotify)", lat, base, "p50 ≤ 10 ms", statistics.median(lat) <= 10)


def bench_s3_poll(tmp: str, moto: storage_servers.MotoServer, n: int, interval: float) -> str:
    creds = moto.credentials
    r = storage_servers.aws_request(moto.endpoint, "PUT", "/pollbench", credentials=creds, service="s3")
    assert r.status == 200, r
    work = os.path.join(tmp, "s3poll")
    os.makedirs(work)
    env = moto.client_env(creds, base={})
    env.pop("AWS_ENDPOINT_URL_S3")
    engine = engine_for(work, {"raw": {"type": "s3", "bucket": "pollbench", "poll_interval": interval}},
                        env, ["--storage", moto.endpoint])
    try:
        rec = Recorder(os.path.join(work, "rec"), "rec")
        lat = []
        for i in range(n):
            # Sent right after a delivery, every object would land just after a listing: a random
            # pause spreads them over the poll cycle, as objects arriving on their own would be.
            time.sleep(random.uniform(0, interval))
            r = storage_servers.aws_request(moto.endpoint, "PUT", f"/pollbench/obj-{i:05d}",
                                            credentials=creds, service="s3", body=b"x" * 1024)
            t0 = time.time_ns()  # the object exists once the PUT is answered
            assert r.status == 200, r
            lat.append((rec.next_line()["t_ns"] - t0) / 1e6)
        base = invoke_baseline(engine, rec, min(n, 100))
    finally:
        engine.stop()
    limit = interval * 1000 + 50
    return summary(f"s3-poll ({interval:g} s)", lat, base, f"p50 ≤ {limit:.0f} ms",
                   statistics.median(lat) <= limit)


def sqs_call(moto: storage_servers.MotoServer, action: str, body: dict) -> dict:
    r = storage_servers.aws_request(moto.endpoint, "POST", "/", credentials=moto.credentials,
                                    service="sqs", body=json.dumps(body).encode(),
                                    headers={"content-type": "application/x-amz-json-1.0",
                                             "x-amz-target": f"AmazonSQS.{action}"})
    if r.status != 200:
        raise SystemExit(f"event_bench: SQS {action} failed: {r}")
    return json.loads(r.body or b"{}")


def bench_sqs_latency(tmp: str, moto: storage_servers.MotoServer, n: int) -> str:
    url = sqs_call(moto, "CreateQueue", {"QueueName": "latency"})["QueueUrl"]
    work = os.path.join(tmp, "sqs")
    os.makedirs(work)
    env = moto.client_env(moto.credentials, base={})
    env["AWS_ENDPOINT_URL_SQS"] = moto.endpoint
    engine = engine_for(work, {"jobs": {"type": "sqs", "queue": "latency", "batch_size": 1}}, env, [])
    try:
        rec = Recorder(os.path.join(work, "rec"), "rec")
        lat = []
        for i in range(n):
            sqs_call(moto, "SendMessage", {"QueueUrl": url, "MessageBody": f"message {i}"})
            t0 = time.time_ns()
            lat.append((rec.next_line()["t_ns"] - t0) / 1e6)
        base = invoke_baseline(engine, rec, n)
    finally:
        engine.stop()
    return summary("sqs (long polling)", lat, base, "p50 ≤ 50 ms", statistics.median(lat) <= 50)


def bench_sqs_throughput(tmp: str, moto: storage_servers.MotoServer, total: int) -> list[str]:
    url = sqs_call(moto, "CreateQueue", {"QueueName": "throughput",
                                         "Attributes": {"VisibilityTimeout": "30"}})["QueueUrl"]
    env = moto.client_env(moto.credentials)
    env.update({"HOME": tmp, "AWS_PAGER": "", "AWS_CONFIG_FILE": os.path.join(tmp, "none"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "none")})
    # The AWS CLI's own send rate: one process per batch of 10, as a shell script would send them.
    batch_file = os.path.join(tmp, "batch.json")
    t0 = time.perf_counter()
    for b in range(total // 10):
        entries = [{"Id": str(i), "MessageBody": f"m{b * 10 + i}"} for i in range(10)]
        with open(batch_file, "w") as f:
            json.dump(entries, f)
        p = subprocess.run([AWS_CLI, "--endpoint-url", moto.endpoint, "sqs", "send-message-batch",
                            "--queue-url", url, "--entries", f"file://{batch_file}"],
                           env=env, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"event_bench: aws sqs send-message-batch failed: {p.stderr}")
    cli_rate = total / (time.perf_counter() - t0)

    work = os.path.join(tmp, "sqs-throughput")
    os.makedirs(work)
    engine_env = moto.client_env(moto.credentials, base={})
    engine_env["AWS_ENDPOINT_URL_SQS"] = moto.endpoint
    t0 = time.perf_counter()
    engine = engine_for(work, {"jobs": {"type": "sqs", "queue": "throughput", "batch_size": 10,
                                        "maximum_concurrency": 5}}, engine_env, [], record=False)
    try:
        def drained():
            status = json.loads(harness.http_request(engine.host, engine.port, "GET",
                                                     "/lambdaport/status", b"", {}, 10).body)
            return sum(s.get("delivered", 0) for s in status["sources"]) >= total
        storage_servers.wait_until(drained, 600, "the queue drained", interval=0.01)
        rate = total / (time.perf_counter() - t0)
        left = sqs_call(moto, "GetQueueAttributes",
                        {"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages",
                                                             "ApproximateNumberOfMessagesNotVisible"]})
    finally:
        engine.stop()
    return [f"| SQS source, no-op handler | {total} | {rate:,.0f} msg/s | AWS CLI send-message-batch "
            f"{cli_rate:,.0f} msg/s | {rate / cli_rate:.1f}× |",
            f"(queue afterwards: {left.get('Attributes')})"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--events", type=int, default=200, help="events per latency figure")
    ap.add_argument("--poll-interval", type=float, default=0.5)
    ap.add_argument("--messages", type=int, default=2000, help="messages for the throughput figure")
    ap.add_argument("--only", choices=["folder", "s3", "sqs"], action="append")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    os.environ["LAMBDAPORT_BIN"] = os.path.join(build, "runtime", "lambdaport")
    os.environ["LAMBDAPORT_EXAMPLES"] = os.path.join(build, "examples")
    only = set(a.only or ["folder", "s3", "sqs"])
    rows, extra = [], []
    with tempfile.TemporaryDirectory(prefix="event-bench-") as tmp:
        if "folder" in only:
            rows.append(bench_folder(tmp, a.events))
        if only & {"s3", "sqs"}:
            with storage_servers.MotoServer(os.path.join(tmp, "moto"), auth=False) as moto:
                if "s3" in only:
                    rows.append(bench_s3_poll(tmp, moto, max(20, a.events // 4), a.poll_interval))
                if "sqs" in only:
                    rows.append(bench_sqs_latency(tmp, moto, a.events))
                    extra = bench_sqs_throughput(tmp, moto, a.messages)
    print("| source | events | p50 ms | p99 ms | direct invoke p50 ms | ratio | target | |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(r)
    if extra:
        print()
        print("| throughput | messages | rate | baseline | ratio |")
        print("|---|---|---|---|---|")
        for line in extra:
            print(line)


if __name__ == "__main__":
    main()
