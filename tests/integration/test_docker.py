"""The Dockerfile and docker-compose.yml, built and run for real where a Docker engine answers:

- the final image: runs as the unprivileged user `lambdaport`, `lambdaport --version` works, every
  library its binaries load is in it, and it is small (the build tree stays in the build stage);
- `docker compose up lambdaport`: MinIO, its buckets and the pipeline; raw trips put into MinIO
  through the published port with the AWS CLI v2 come out as reports/stats.json and report.html;
- `docker compose --profile tests run --rm tests`: the storage conformance suite and the pipeline
  test against the stack's own MinIO pass, and their MinIO runs ran (not skipped).

Where `docker info` fails (no engine: the machines this project is built on have only the client)
or `docker compose` is missing, every test here is skipped and says why. The stack runs under a
project name of its own, with free host ports (bound to 127.0.0.1) and image tags of its own, and is
taken down with its volumes and images at the end, whatever happened.

Environment: LAMBDAPORT_SOURCE_DIR (the checkout to build; CMake sets it), LAMBDAPORT_EXAMPLES (for
the data generator), LAMBDAPORT_SANITIZE=ON skips (the image does not depend on this build: one run,
from the plain build, is enough).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import unittest
import uuid

from harness import (AWS_CLI, client_env, http_request, remove_temp_folder, run_with_deadline,
                     wait_until)
from storage_servers import Credentials, aws_request, free_port

BUILD_DEADLINE = 3600.0  # seconds: the image builds the whole project on whatever the host has
STACK_DEADLINE = 300.0  # seconds for MinIO, the buckets and the engine to come up (images pulled)
PIPELINE_DEADLINE = 600.0  # seconds for the generated trips to go through the pipeline
TESTS_DEADLINE = 3600.0  # seconds for the tests profile
OUTPUT_TAIL = 30_000

# docker-compose.yml's defaults for the identity lambdaport (and a user) works with.
ACCESS = Credentials("lambdaport", "lambdaport-secret")


def _source_dir() -> str:
    return os.path.abspath(os.environ.get("LAMBDAPORT_SOURCE_DIR") or
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def docker_unavailable() -> str | None:
    """Why the Docker tests cannot run here, or None when they can."""
    if os.environ.get("LAMBDAPORT_SANITIZE", "").upper() in ("ON", "1", "TRUE", "YES"):
        return ("this is the sanitized build, and the image is built from the sources, not from it: "
                "the plain build's run covers the image and the stack")
    docker = shutil.which("docker")
    if not docker:
        return "no `docker` command on PATH: the image and the compose stack are not tested here"
    try:
        info = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer within 60 s: no usable Docker engine here"
    if info.returncode != 0:
        last = (info.stderr.strip().splitlines() or ["(no message)"])[-1]
        return (f"no Docker engine here (`docker info` failed: {last}): the image and the compose "
                f"stack are not tested")
    compose = subprocess.run([docker, "compose", "version"], capture_output=True, text=True,
                             timeout=60, stdin=subprocess.DEVNULL)
    if compose.returncode != 0:
        return "a Docker engine answers but `docker compose` (Compose v2) is not installed"
    return None


class DockerStack(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        reason = docker_unavailable()
        if reason:
            raise unittest.SkipTest(reason)
        cls.source = _source_dir()
        cls.work = tempfile.mkdtemp(prefix="lambdaport-docker-")
        run_id = uuid.uuid4().hex[:10]
        cls.project = f"lambdaport-test-{run_id}"
        cls.image = f"lambdaport-test-{run_id}:latest"
        cls.tests_image = f"lambdaport-test-{run_id}-tests:latest"
        cls.lambdaport_port, cls.minio_port, cls.console_port = free_port(), free_port(), free_port()
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COMPOSE_"))}
        cls.env.update({
            "LAMBDAPORT_IMAGE": cls.image,
            "LAMBDAPORT_TESTS_IMAGE": cls.tests_image,
            "LAMBDAPORT_PORT": str(cls.lambdaport_port),
            "MINIO_PORT": str(cls.minio_port),
            "MINIO_CONSOLE_PORT": str(cls.console_port),
        })
        for name in ("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "LAMBDAPORT_ACCESS_KEY",
                     "LAMBDAPORT_SECRET_KEY"):
            cls.env.pop(name, None)  # the compose file's defaults, which ACCESS names
        try:
            cls.compose("--profile", "tests", "build", deadline=BUILD_DEADLINE)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        # Containers, networks and volumes of this project, then its two images.
        cls.compose("--profile", "tests", "down", "--volumes", "--remove-orphans", "--timeout", "20",
                    deadline=300, check=False)
        subprocess.run(["docker", "image", "rm", "--force", cls.image, cls.tests_image],
                       capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
        remove_temp_folder(cls.work)

    @classmethod
    def compose(cls, *args: str, deadline: float, check: bool = True) -> subprocess.CompletedProcess:
        command = ["docker", "compose", "--project-name", cls.project, "--file",
                   os.path.join(cls.source, "docker-compose.yml"), *args]
        p = run_with_deadline(command, " ".join(command), deadline, cwd=cls.source, env=cls.env,
                              output_tail=OUTPUT_TAIL)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed (status {p.returncode}):\n"
                                 f"{p.stdout[-OUTPUT_TAIL:]}")
        return p

    def docker(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)

    # the image

    def test_image_runs_as_lambdaport_has_its_libraries_and_is_small(self):
        inspect = self.docker("image", "inspect", self.image)
        self.assertEqual(inspect.returncode, 0, inspect.stderr)
        config = json.loads(inspect.stdout)[0]
        self.assertEqual(config["Config"]["User"], "lambdaport")
        self.assertEqual(config["Config"]["Entrypoint"], ["lambdaport"])
        # The build tree (hundreds of MB of objects) and the toolchain stay in the build stage.
        size_mb = config["Size"] / 1e6
        print(f"\nimage {self.image}: {size_mb:.0f} MB")
        self.assertLess(size_mb, 300, "the final image should hold the runtime libraries only")

        version = self.docker("run", "--rm", self.image, "--version")
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertRegex(version.stdout, r"^lambdaport \d+\.\d+\.\d+")
        whoami = self.docker("run", "--rm", "--entrypoint", "id", self.image, "-u")
        self.assertEqual(whoami.stdout.strip(), "10001", whoami.stderr)

        ldd = self.docker("run", "--rm", "--entrypoint", "/bin/sh", self.image, "-c",
                          "for f in /usr/local/bin/* /opt/lambdaport/pipeline/functions/*; do "
                          "echo \"== $f\"; ldd \"$f\" || exit 1; done")
        self.assertEqual(ldd.returncode, 0, ldd.stdout + ldd.stderr)
        self.assertNotIn("not found", ldd.stdout)
        self.assertIn("libcurl.so.4", ldd.stdout)

    # the stack

    def test_pipeline_on_minio_through_the_published_ports(self):
        self.compose("up", "--detach", "lambdaport", deadline=STACK_DEADLINE + 600)
        self.addCleanup(self.compose, "stop", "--timeout", "20", deadline=300, check=False)

        def status():
            # The engine listens on 0.0.0.0 in its container: it verifies every request, the
            # status included, against the compose file's identity.
            try:
                r = aws_request(f"http://127.0.0.1:{self.lambdaport_port}", "GET",
                                "/lambdaport/status", credentials=ACCESS, service="lambda",
                                timeout=5.0)
            except OSError:
                return None
            return r if r.status == 200 else None
        try:
            wait_until(status, STACK_DEADLINE, "lambdaport's Invoke API on the published port", 1.0)
        except AssertionError:
            logs = self.compose("logs", "--no-color", deadline=120, check=False).stdout
            raise AssertionError(f"the stack did not come up:\n{logs[-OUTPUT_TAIL:]}") from None
        unsigned = http_request("127.0.0.1", self.lambdaport_port, "GET", "/lambdaport/status", b"",
                                {}, 5.0)
        self.assertEqual(unsigned.status, 403, str(unsigned))

        examples = os.environ.get("LAMBDAPORT_EXAMPLES", "")
        generator = os.path.join(examples, "pipeline", "generate", "pipeline_generate")
        if not os.access(generator, os.X_OK):
            self.fail(f"{generator} is not built (LAMBDAPORT_EXAMPLES names the build's examples)")
        data = os.path.join(self.work, "trips")
        p = subprocess.run([generator, "--out", data, "--size", "4MB", "--files", "2", "--seed", "3",
                            "--format", "mixed"], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(data, "manifest.json")) as f:
            manifest = json.load(f)

        endpoint = f"http://127.0.0.1:{self.minio_port}"
        home = os.path.join(self.work, "home")
        os.makedirs(home, exist_ok=True)
        env = client_env(home)
        env.update({"AWS_ACCESS_KEY_ID": ACCESS.access_key_id,
                    "AWS_SECRET_ACCESS_KEY": ACCESS.secret_access_key})
        for f in manifest["files"]:
            put = subprocess.run([AWS_CLI, "--endpoint-url", endpoint, "s3", "cp",
                                  os.path.join(data, f["key"]), f"s3://raw/{f['key']}"],
                                 env=env, capture_output=True, text=True, timeout=120)
            self.assertEqual(put.returncode, 0, put.stderr)

        def report():
            r = aws_request(endpoint, "GET", "/reports/stats.json", credentials=ACCESS, service="s3")
            if r.status != 200:
                return None
            stats = json.loads(r.body)
            done = stats["complete"] and len(stats["objects"]) == len(manifest["files"]) and \
                stats["quality"]["rows"] == manifest["totals"]["rows"]
            return stats if done else None
        try:
            stats = wait_until(report, PIPELINE_DEADLINE, "reports/stats.json covering every row", 1.0)
        except AssertionError:
            logs = self.compose("logs", "--no-color", "lambdaport", deadline=120, check=False).stdout
            raise AssertionError(f"the pipeline did not finish:\n{logs[-OUTPUT_TAIL:]}") from None
        self.assertEqual(stats["quality"]["clean"], manifest["totals"]["clean"])
        html = aws_request(endpoint, "GET", "/reports/report.html", credentials=ACCESS, service="s3")
        self.assertEqual(html.status, 200, str(html))
        self.assertIn(b"<svg", html.body)

    def test_tests_profile_passes_against_minio(self):
        p = self.compose("--profile", "tests", "run", "--rm", "tests", deadline=TESTS_DEADLINE,
                         check=False)
        self.assertEqual(p.returncode, 0, p.stdout[-OUTPUT_TAIL:])
        # The MinIO runs ran: a skip would mean the service did not point them at MinIO.
        self.assertRegex(p.stdout, r"test_minio \([^)]*\) \.\.\. ok")
        self.assertRegex(p.stdout,
                         r"test_on_minio_the_statistics_are_those_of_local_disk \([^)]*\) \.\.\. ok")


if __name__ == "__main__":
    unittest.main()
