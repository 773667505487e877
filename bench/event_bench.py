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
  radosgw     Ceph's radosgw: polled every 0.5 s, and pushed (`"mode": "push"`) target p50 ≤ 10 ms
              (from the PUT's sending: radosgw pushes before it answers the PUT)
  sqs         moto_server's and fauxqs's SQS, long polling            target p50 ≤ 50 ms
  schedule    cron(* * * * ? *): the minute it was due → handler start  (EventBridge promises the minute)

Throughput: an engine with the no-op handler (examples/record without RECORD_DIR) and an SQS source
(batch 10, up to 5 pollers) drains N messages from fauxqs; its rate is messages handled and deleted per
second, from the engine's start to the last delete. Baselines in the same run: one plain client on one
connection receiving and deleting batches of 10 from fauxqs as fast as it can (the server's own rate), and
the AWS CLI's send rate (`aws sqs send-message-batch`, 10 per call, one process per call) on moto, since
the CLI v2.9 speaks only SQS's query protocol, which fauxqs does not. (moto itself takes ~0.4 s per
ReceiveMessage on a queue of 2,000 messages, so it cannot show a throughput.)
"""

from __future__ import annotations

import argparse
import datetime
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


def bench_radosgw(tmp: str, n: int, interval: float) -> list[str]:
    """Ceph's radosgw (SigV4 verified): the same objects found by a listing every `interval` and
    pushed by radosgw to the engine (`"mode": "push"`, set up by the engine), one engine each."""
    rows = []
    with storage_servers.RadosGW(os.path.join(tmp, "radosgw")) as rgw:
        creds = rgw.admin
        env = rgw.client_env(creds, base={})
        env.pop("AWS_ENDPOINT_URL_S3")
        for mode in ("poll", "push"):
            bucket = f"bench-{mode}"
            r = storage_servers.aws_request(rgw.endpoint, "PUT", f"/{bucket}", credentials=creds,
                                            service="s3")
            assert r.status == 200, r
            event = {"type": "s3", "bucket": bucket, "mode": mode}
            event.update({"poll_interval": interval} if mode == "poll" else {"rescan_interval": 3600})
            work = os.path.join(tmp, f"rgw-{mode}")
            os.makedirs(work)
            engine = engine_for(work, {"raw": event}, env, ["--storage", rgw.endpoint])
            try:
                rec = Recorder(os.path.join(work, "rec"), "rec")
                # radosgw takes about 2 s to apply a new notification configuration: one object
                # first, not counted.
                storage_servers.aws_request(rgw.endpoint, "PUT", f"/{bucket}/warm-up",
                                            credentials=creds, service="s3", body=b"x")
                rec.next_line(60)
                lat = []
                for i in range(n):
                    time.sleep(random.uniform(0, interval))
                    # From the PUT's sending: radosgw pushes inside the PUT (it answers once the
                    # engine has stored the event), so the handler may start before the answer.
                    t0 = time.time_ns()
                    r = storage_servers.aws_request(rgw.endpoint, "PUT", f"/{bucket}/obj-{i:05d}",
                                                    credentials=creds, service="s3", body=b"x" * 1024)
                    assert r.status == 200, r
                    lat.append((rec.next_line()["t_ns"] - t0) / 1e6)
                base = invoke_baseline(engine, rec, min(n, 100))
            finally:
                engine.stop()
            if mode == "poll":
                limit = interval * 1000 + 50
                rows.append(summary(f"radosgw poll ({interval:g} s)", lat, base,
                                    f"p50 ≤ {limit:.0f} ms", statistics.median(lat) <= limit))
            else:
                rows.append(summary("radosgw push", lat, base, "p50 ≤ 10 ms",
                                    statistics.median(lat) <= 10))
    return rows


def bench_schedule(tmp: str, firings: int) -> str:
    """A cron rule that fires every minute: the lag from the minute it was due to the handler's start."""
    work = os.path.join(tmp, "schedule")
    os.makedirs(work)
    engine = engine_for(work, {"tick": {"type": "schedule", "schedule": "cron(* * * * ? *)"}}, {}, [])
    try:
        rec = Recorder(os.path.join(work, "rec"), "rec")
        lat = []
        for _ in range(firings):
            line = rec.next_line(timeout=75)
            due = datetime.datetime.strptime(line["event"]["time"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            lat.append((line["t_ns"] / 1e9 - due) * 1000)
        base = invoke_baseline(engine, rec, 100)
    finally:
        engine.stop()
    # No target was set: EventBridge itself promises only the minute.
    return summary("schedule (cron, every minute)", lat, base, "within its minute",
                   statistics.median(lat) < 60_000)


def sqs(server: storage_servers.ServerProcess, action: str, body: dict) -> dict:
    return storage_servers.sqs_call(server.endpoint, server.credentials, action, body)


def sqs_engine_env(server: storage_servers.ServerProcess) -> dict[str, str]:
    env = server.client_env(server.credentials, base={})
    env.pop("AWS_ENDPOINT_URL_S3")
    env["AWS_ENDPOINT_URL_SQS"] = server.endpoint
    return env


def bench_sqs_latency(tmp: str, server: storage_servers.ServerProcess, n: int) -> str:
    url = sqs(server, "CreateQueue", {"QueueName": "latency"})["QueueUrl"]
    work = os.path.join(tmp, f"sqs-{server.name}")
    os.makedirs(work)
    engine = engine_for(work, {"jobs": {"type": "sqs", "queue": "latency", "batch_size": 1}},
                        sqs_engine_env(server), [])
    try:
        rec = Recorder(os.path.join(work, "rec"), "rec")
        lat = []
        for i in range(n):
            sqs(server, "SendMessage", {"QueueUrl": url, "MessageBody": f"message {i}"})
            t0 = time.time_ns()  # the message exists once SendMessage is answered
            lat.append((rec.next_line()["t_ns"] - t0) / 1e6)
        base = invoke_baseline(engine, rec, n)
    finally:
        engine.stop()
    return summary(f"sqs on {server.name} (long polling)", lat, base, "p50 ≤ 50 ms",
                   statistics.median(lat) <= 50)


def send_all(server: storage_servers.ServerProcess, url: str, total: int) -> None:
    for b in range(total // 10):
        answer = sqs(server, "SendMessageBatch", {"QueueUrl": url, "Entries": [
            {"Id": str(i), "MessageBody": f"m{b * 10 + i}"} for i in range(10)]})
        assert not answer.get("Failed"), answer


def cli_send_rate(tmp: str, moto: storage_servers.MotoServer, total: int) -> float:
    """The AWS CLI's own send rate: one process per batch of 10, as a shell script would send them
    (on moto: the CLI v2.9 speaks SQS's query protocol, which fauxqs does not)."""
    url = sqs(moto, "CreateQueue", {"QueueName": "cli-rate"})["QueueUrl"]
    env = moto.client_env(moto.credentials)
    env.update({"HOME": tmp, "AWS_PAGER": "", "AWS_CONFIG_FILE": os.path.join(tmp, "none"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "none")})
    batch_file = os.path.join(tmp, "batch.json")
    t0 = time.perf_counter()
    for b in range(total // 10):
        with open(batch_file, "w") as f:
            json.dump([{"Id": str(i), "MessageBody": f"m{b * 10 + i}"} for i in range(10)], f)
        p = subprocess.run([AWS_CLI, "--endpoint-url", moto.endpoint, "sqs", "send-message-batch",
                            "--queue-url", url, "--entries", f"file://{batch_file}"],
                           env=env, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"event_bench: aws sqs send-message-batch failed: {p.stderr}")
    return total / (time.perf_counter() - t0)


def plain_drain_rate(server: storage_servers.ServerProcess, total: int) -> float:
    """One client on one connection receiving 10 and deleting them, as fast as the server lets it."""
    url = sqs(server, "CreateQueue", {"QueueName": "plain-drain"})["QueueUrl"]
    send_all(server, url, total)
    done = 0
    t0 = time.perf_counter()
    while done < total:
        messages = sqs(server, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10,
                                                  "WaitTimeSeconds": 1}).get("Messages", [])
        if messages:
            sqs(server, "DeleteMessageBatch", {"QueueUrl": url, "Entries": [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]})
        done += len(messages)
    return total / (time.perf_counter() - t0)


def engine_drain_rate(tmp: str, server: storage_servers.ServerProcess, total: int) -> tuple[float, dict]:
    """The SQS source with the no-op handler draining `total` messages: messages handled (and
    deleted) per second, from the engine's start to the last one."""
    url = sqs(server, "CreateQueue", {"QueueName": "throughput",
                                      "Attributes": {"VisibilityTimeout": "30"}})["QueueUrl"]
    send_all(server, url, total)
    work = os.path.join(tmp, f"sqs-throughput-{server.name}")
    os.makedirs(work)
    t0 = time.perf_counter()
    engine = engine_for(work, {"jobs": {"type": "sqs", "queue": "throughput", "batch_size": 10,
                                        "maximum_concurrency": 5}}, sqs_engine_env(server), [],
                        record=False)
    try:
        def drained():
            status = json.loads(harness.http_request(engine.host, engine.port, "GET",
                                                     "/lambdaport/status", b"", {}, 10).body)
            return status["sources"][0] if status["sources"][0]["deleted"] >= total else None
        source = storage_servers.wait_until(drained, 900, "the queue drained", interval=0.005)
        rate = total / (time.perf_counter() - t0)
    finally:
        engine.stop()
    return rate, source


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--events", type=int, default=200, help="events per latency figure")
    ap.add_argument("--poll-interval", type=float, default=0.5)
    ap.add_argument("--messages", type=int, default=20000, help="messages for the throughput figure")
    ap.add_argument("--cli-messages", type=int, default=200, help="messages the AWS CLI sends")
    ap.add_argument("--firings", type=int, default=3, help="schedule firings (one a minute)")
    ap.add_argument("--only", choices=["folder", "s3", "radosgw", "sqs", "schedule"], action="append")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    os.environ["LAMBDAPORT_BIN"] = os.path.join(build, "runtime", "lambdaport")
    os.environ["LAMBDAPORT_EXAMPLES"] = os.path.join(build, "examples")
    only = set(a.only or ["folder", "s3", "radosgw", "sqs", "schedule"])
    rows, extra = [], []
    with tempfile.TemporaryDirectory(prefix="event-bench-") as tmp:
        if "folder" in only:
            rows.append(bench_folder(tmp, a.events))
        if "radosgw" in only:
            rows += bench_radosgw(tmp, max(20, a.events // 4), a.poll_interval)
        if "schedule" in only:
            rows.append(bench_schedule(tmp, a.firings))
        if only & {"s3", "sqs"}:
            with storage_servers.MotoServer(os.path.join(tmp, "moto"), auth=False) as moto:
                if "s3" in only:
                    rows.append(bench_s3_poll(tmp, moto, max(20, a.events // 4), a.poll_interval))
                if "sqs" in only:
                    rows.append(bench_sqs_latency(tmp, moto, a.events))
                    cli_rate = cli_send_rate(tmp, moto, a.cli_messages)
            if "sqs" in only:
                with storage_servers.Fauxqs(os.path.join(tmp, "fauxqs")) as fauxqs:
                    rows.append(bench_sqs_latency(tmp, fauxqs, a.events))
                    plain = plain_drain_rate(fauxqs, a.messages)
                    rate, source = engine_drain_rate(tmp, fauxqs, a.messages)
                extra = [f"| SQS source on fauxqs, no-op handler | {a.messages} | {rate:,.0f} msg/s | "
                         f"one plain client on fauxqs {plain:,.0f} msg/s ({rate / plain:.2f}×); "
                         f"AWS CLI send-message-batch on moto {cli_rate:,.0f} msg/s "
                         f"({rate / cli_rate:,.0f}×) |",
                         f"(source afterwards: pollers {source['pollers']}, polls {source['polls']}, "
                         f"deleted {source['deleted']}, failed {source['failed']})"]
    print("| source | events | p50 ms | p99 ms | direct invoke p50 ms | ratio | target | |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(r)
    if extra:
        print()
        print("| throughput | messages | rate | baselines, same run |")
        print("|---|---|---|---|")
        for line in extra:
            print(line)
    load = os.getloadavg()
    print(f"\nload average after the runs: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
