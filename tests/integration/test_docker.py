"""The Dockerfile and docker-compose.yml, built and run for real:

- a Docker engine: the one that answers, or `dockerd` started here (and stopped by its PID at the
  end) when none runs and this process may start one (root, dockerd installed: scripts/setup.sh
  --tests installs docker.io, docker-compose and debootstrap);
- base images: debian:12 and debian:12-slim as they are, else pulled, else -- no registry reachable,
  as on the machines this project is built on -- made from Debian's archive with `debootstrap
  --variant=minbase bookworm` and `docker import` (kept by the engine for the next run);
- the image, built from the repository's Dockerfile (BuildKit, host network for apt): it runs as
  the unprivileged user `lambdaport`, every program in it finds every library it loads (`ldd`), and
  it is small (the build tree stays in the build stage);
- the pipeline in the container against Ceph's radosgw on the host network (SigV4 verified), with
  the configuration docker-compose.yml runs (pipeline-push.json: radosgw pushes every new object,
  as MinIO's webhooks do there), the raw trips put with the AWS CLI v2; and with pipeline.json on a
  folder mounted from the host, the raw trips copied in by the host: both end with
  reports/stats.json covering every row;
- docker-compose.yml: `docker-compose config` accepts it with and without the tests profile, and it
  names the services, ports, commands and webhook targets the README promises. (Its lambdaport
  service is not started here: the servers it needs are MinIO's, and an override moving it onto the
  host network beside radosgw is refused by docker-compose 1.29 -- "host" network_mode is
  incompatible with the published port, which an override file cannot remove.) MinIO's image cannot be pulled here,
  so the MinIO stack runs where a registry answers (the two checks at the end; skipped, saying so,
  elsewhere).

Skipped as a whole only where there is no `docker` command at all, or in a sanitized build (the
image is built from the sources, not from that build: the plain build's run covers it). Where a
Docker engine should be usable and is not, the tests fail and say why.

Environment: LAMBDAPORT_SOURCE_DIR (the checkout to build; defaults to this one), LAMBDAPORT_EXAMPLES
(the host build's data generator), LAMBDAPORT_DEBIAN_MIRROR (for debootstrap; deb.debian.org).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid

from harness import (AWS_CLI, client_env, http_request, remove_temp_folder, run_with_deadline,
                     wait_until)
from storage_servers import Credentials, RadosGW, aws_request, free_port, terminate

BUILD_DEADLINE = 3600.0  # seconds: the image builds the engine and the pipeline on whatever the host has
BASE_DEADLINE = 1200.0  # seconds for debootstrap and docker import
DOCKERD_DEADLINE = 60.0  # seconds for a dockerd started here to answer
STACK_DEADLINE = 300.0  # seconds for MinIO, the buckets and the engine to come up (images pulled)
PIPELINE_DEADLINE = 600.0  # seconds for the generated trips to go through the pipeline
TESTS_DEADLINE = 3600.0  # seconds for the tests profile
OUTPUT_TAIL = 30_000
PIPELINE_CONFIG = "/opt/lambdaport/pipeline/pipeline.json"
PUSH_CONFIG = "/opt/lambdaport/pipeline/pipeline-push.json"  # what docker-compose.yml runs
# The pipeline's bucket sources: bucket -> (function, event, prefix, suffix), as pipeline.json has them.
PUSHED_SOURCES = {"raw": ("split", "Raw", "trips/", ""), "clean": ("analyse", "Cleaned", "trips/", ".csv"),
                  "analysis": ("report", "Partials", "partials/", ".json")}
BUCKETS = ("raw", "clean", "analysis", "reports")
MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z"  # docker-compose.yml's pin

# docker-compose.yml's defaults for the identity lambdaport (and a user) works with.
ACCESS = Credentials("lambdaport", "lambdaport-secret")


def _source_dir() -> str:
    return os.path.abspath(os.environ.get("LAMBDAPORT_SOURCE_DIR") or
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def covers_every_row(stats: dict, manifest: dict) -> bool:
    """Whether a pipeline's reports/stats.json is complete for the generator's `manifest`."""
    return stats["complete"] and len(stats["objects"]) == len(manifest["files"]) and \
        stats["quality"]["rows"] == manifest["totals"]["rows"]


def _docker_command() -> str | None:
    # Debian's client first: another `docker` on PATH may lack BuildKit's builder.
    if os.access("/usr/bin/docker", os.X_OK):
        return "/usr/bin/docker"
    return shutil.which("docker")


DOCKER = _docker_command()


def docker(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kwargs)


def _engine_answers() -> bool:
    try:
        return docker("info", timeout=30).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _compose_command() -> list[str] | None:
    """Compose v2 (`docker compose`) where the client has it, else Debian's docker-compose 1.29."""
    try:
        if docker("compose", "version", timeout=30).returncode == 0:
            return [DOCKER, "compose"]
    except subprocess.TimeoutExpired:
        pass
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


class DockerEngine:
    """The Docker engine the tests use; `dockerd` started here when none answers."""

    def __init__(self, workdir: str):
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    def ensure(self) -> None:
        if _engine_answers():
            return
        dockerd = shutil.which("dockerd") or ("/usr/sbin/dockerd" if os.access("/usr/sbin/dockerd", os.X_OK)
                                              else None)
        if dockerd is None or os.geteuid() != 0:
            raise AssertionError(
                "no Docker engine answers (`docker info` fails) and none can be started here "
                f"({'not root' if dockerd else 'no dockerd: apt-get install docker.io'})")
        log_path = os.path.join(self.workdir, "dockerd.log")
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen([dockerd], stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=log, start_new_session=True)
        deadline = time.monotonic() + DOCKERD_DEADLINE
        while not _engine_answers():
            if self.proc.poll() is not None or time.monotonic() >= deadline:
                with open(log_path, errors="replace") as f:
                    tail = f.read()[-OUTPUT_TAIL:]
                raise AssertionError(f"dockerd (started here) did not answer within "
                                     f"{DOCKERD_DEADLINE:.0f} s:\n{tail}")
            time.sleep(0.5)
        print(f"\n[docker] started dockerd (PID {self.proc.pid})", flush=True)

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc, 60.0)
            self.proc = None


def _have_image(tag: str) -> bool:
    return docker("image", "inspect", tag, timeout=60).returncode == 0


def _pull(tag: str) -> bool:
    try:
        return docker("pull", tag, timeout=300).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def ensure_base_images(workdir: str) -> str:
    """debian:12 and debian:12-slim for the Dockerfile; returns how they were had."""
    how = "present"
    if not _have_image("debian:12") and not _pull("debian:12"):
        debootstrap = shutil.which("debootstrap") or "/usr/sbin/debootstrap"
        if not os.access(debootstrap, os.X_OK):
            raise AssertionError("debian:12 cannot be pulled and debootstrap is not installed "
                                 "(scripts/setup.sh --tests installs it)")
        rootfs = os.path.join(workdir, "rootfs")
        mirror = os.environ.get("LAMBDAPORT_DEBIAN_MIRROR", "http://deb.debian.org/debian")
        started = time.monotonic()
        p = run_with_deadline([debootstrap, "--variant=minbase", "bookworm", rootfs, mirror],
                              "debootstrap", BASE_DEADLINE)
        if p.returncode != 0:
            raise AssertionError(f"debootstrap failed (status {p.returncode}):\n{p.stdout[-OUTPUT_TAIL:]}")
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run([DOCKER, "import", "-", "debian:12"], stdin=tar.stdout,
                                  capture_output=True, text=True, timeout=BASE_DEADLINE)
        tar.stdout.close()
        tar.wait(60)
        shutil.rmtree(rootfs, ignore_errors=True)
        if imported.returncode != 0 or tar.returncode != 0:
            raise AssertionError(f"docker import of the debootstrap tree failed: {imported.stderr}")
        how = f"made with debootstrap and docker import in {time.monotonic() - started:.0f} s"
    if not _have_image("debian:12-slim") and not _pull("debian:12-slim"):
        tagged = docker("tag", "debian:12", "debian:12-slim")
        if tagged.returncode != 0:
            raise AssertionError(f"docker tag debian:12 debian:12-slim: {tagged.stderr}")
    return how


_ENGINE: DockerEngine | None = None
_ENGINE_WORK = ""


def setUpModule() -> None:
    global _ENGINE, _ENGINE_WORK
    if os.environ.get("LAMBDAPORT_SANITIZE", "").upper() in ("ON", "1", "TRUE", "YES"):
        raise unittest.SkipTest("this is the sanitized build, and the image is built from the "
                                "sources, not from it: the plain build's run covers the image")
    if DOCKER is None:
        raise unittest.SkipTest("no `docker` command (scripts/setup.sh --tests installs docker.io)")
    _ENGINE_WORK = tempfile.mkdtemp(prefix="lambdaport-dockerd-")
    _ENGINE = DockerEngine(_ENGINE_WORK)
    # A failure here is the first test's (DockerImage.setUpClass), so that it is reported, not skipped.


def tearDownModule() -> None:
    if _ENGINE is not None:
        _ENGINE.stop()
    if _ENGINE_WORK:
        remove_temp_folder(_ENGINE_WORK)


class DockerImage(unittest.TestCase):
    """One image built for the class; each test runs containers of it."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.source = _source_dir()
        cls.work = tempfile.mkdtemp(prefix="lambdaport-docker-")
        cls.image = f"lambdaport-test-{uuid.uuid4().hex[:10]}:latest"
        cls.containers: list[str] = []
        try:
            assert _ENGINE is not None
            _ENGINE.ensure()
            base = ensure_base_images(cls.work)
            started = time.monotonic()
            command = [DOCKER, "build", "--network", "host", "--tag", cls.image, cls.source]
            p = run_with_deadline(command, "docker build", BUILD_DEADLINE,
                                  env=dict(os.environ, DOCKER_BUILDKIT="1"), output_tail=OUTPUT_TAIL)
            if p.returncode != 0:
                raise AssertionError(f"docker build failed (status {p.returncode}):\n"
                                     f"{p.stdout[-OUTPUT_TAIL:]}")
            print(f"\n[docker] base images {base}; image built in {time.monotonic() - started:.0f} s",
                  flush=True)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            for name in cls.containers:
                docker("rm", "--force", name, timeout=120)
            if _engine_answers():
                docker("image", "rm", "--force", cls.image, timeout=300)
        finally:
            remove_temp_folder(cls.work)

    # helpers

    def run_detached(self, *args: str) -> str:
        """`docker run --detach` with a name of this run's; removed at the end of the test."""
        name = f"lambdaport-test-{uuid.uuid4().hex[:10]}"
        p = docker("run", "--detach", "--name", name, *args)
        self.assertEqual(p.returncode, 0, f"docker run: {p.stderr}")
        self.containers.append(name)
        self.addCleanup(docker, "rm", "--force", name, timeout=120)
        return name

    def logs(self, name: str) -> str:
        p = docker("logs", name, timeout=60)
        return (p.stdout + p.stderr)[-OUTPUT_TAIL:]

    def generate(self, folder: str) -> dict:
        """Two small files of trips from the host build's generator; returns its manifest."""
        examples = os.environ.get("LAMBDAPORT_EXAMPLES", "")
        generator = os.path.join(examples, "pipeline", "generate", "pipeline_generate")
        if not os.access(generator, os.X_OK):
            self.fail(f"{generator} is not built (LAMBDAPORT_EXAMPLES names the build's examples)")
        p = subprocess.run([generator, "--out", folder, "--size", "4MB", "--files", "2", "--seed", "3",
                            "--format", "mixed"], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(folder, "manifest.json")) as f:
            return json.load(f)

    def wait_for_report(self, read, manifest: dict, container: str) -> dict:
        """Waits until `read(key)` (bytes or None) gives a reports/stats.json covering every row."""
        def report():
            body = read("stats.json")
            if body is None:
                return None
            stats = json.loads(body)
            return stats if covers_every_row(stats, manifest) else None
        try:
            stats = wait_until(report, PIPELINE_DEADLINE, "reports/stats.json covering every row", 1.0)
        except AssertionError:
            raise AssertionError(f"the pipeline did not finish; the container's output:\n"
                                 f"{self.logs(container)}") from None
        self.assertEqual(stats["quality"]["clean"], manifest["totals"]["clean"])
        html = read("report.html")
        self.assertIsNotNone(html)
        self.assertIn(b"<svg", html)
        return stats

    # the image

    def test_image_runs_as_lambdaport_has_its_libraries_and_is_small(self):
        inspect = docker("image", "inspect", self.image)
        self.assertEqual(inspect.returncode, 0, inspect.stderr)
        config = json.loads(inspect.stdout)[0]
        self.assertEqual(config["Config"]["User"], "lambdaport")
        self.assertEqual(config["Config"]["Entrypoint"], ["lambdaport"])
        # The build tree (hundreds of MB of objects) and the toolchain stay in the build stage:
        # what the image adds to debian:12-slim (the real one, ~75 MB, or a debootstrap minbase,
        # ~200 MB) is the programs and their runtime libraries.
        base = docker("image", "inspect", "debian:12-slim")
        self.assertEqual(base.returncode, 0, base.stderr)
        size_mb = config["Size"] / 1e6
        added_mb = size_mb - json.loads(base.stdout)[0]["Size"] / 1e6
        print(f"\n[docker] image {self.image}: {size_mb:.0f} MB, {added_mb:.0f} MB over "
              f"debian:12-slim", flush=True)
        self.assertLess(added_mb, 150, "the final image should add the runtime libraries only")

        version = docker("run", "--rm", self.image, "--version")
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertRegex(version.stdout, r"^lambdaport \d+\.\d+\.\d+")
        whoami = docker("run", "--rm", "--entrypoint", "id", self.image, "-u")
        self.assertEqual(whoami.stdout.strip(), "10001", whoami.stderr)

        # Every program: the engine, the generator, the pipeline's functions, and unzip.
        ldd = docker("run", "--rm", "--entrypoint", "/bin/sh", self.image, "-c",
                     "for f in /usr/local/bin/* /opt/lambdaport/pipeline/functions/* "
                     "$(command -v unzip); do echo \"== $f\"; ldd \"$f\" || exit 1; done")
        self.assertEqual(ldd.returncode, 0, ldd.stdout + ldd.stderr)
        self.assertNotIn("not found", ldd.stdout)
        for library in ("libcurl.so.4", "libyaml-cpp.so.0.7"):
            self.assertIn(library, ldd.stdout)
        programs = ldd.stdout.count("== ")
        self.assertGreaterEqual(programs, 7, ldd.stdout)  # lambdaport, the generator, 4 functions, unzip

    # the pipeline in the container

    def test_pipeline_in_the_container_on_radosgw_over_the_host_network(self):
        missing = RadosGW.available()
        if missing:
            self.fail(f"radosgw: {missing}")
        with RadosGW(os.path.join(self.work, f"radosgw-{uuid.uuid4().hex[:6]}")) as rgw:
            for bucket in BUCKETS:
                r = aws_request(rgw.endpoint, "PUT", f"/{bucket}", credentials=rgw.admin, service="s3")
                self.assertEqual(r.status, 200, str(r))
            # The configuration docker-compose.yml runs: bucket sources in push mode, set up by
            # hand as `mc event add` does for MinIO (configure_server false), the token from the
            # environment.
            port = free_port()
            token = "push-token-" + uuid.uuid4().hex
            for bucket, (function, event, prefix, suffix) in PUSHED_SOURCES.items():
                rgw.push_notifications(
                    bucket, f"{function}-{event}",
                    f"http://127.0.0.1:{port}/lambdaport/notifications/{function}/{event}?token={token}",
                    prefix, suffix)
            name = self.run_detached(
                "--network", "host",
                "--env", f"AWS_ACCESS_KEY_ID={rgw.admin.access_key_id}",
                "--env", f"AWS_SECRET_ACCESS_KEY={rgw.admin.secret_access_key}",
                "--env", "AWS_REGION=us-east-1",
                "--env", f"LAMBDAPORT_PUSH_TOKEN={token}",
                self.image, "serve", "--config", PUSH_CONFIG, "--listen", f"127.0.0.1:{port}",
                "--state", "/var/lib/lambdaport/state", "--storage", rgw.endpoint)
            wait_until(lambda: self._answers(port), 60, "the engine in the container", 0.5)

            data = os.path.join(self.work, "trips-rgw")
            manifest = self.generate(data)
            home = os.path.join(self.work, "home")
            os.makedirs(home, exist_ok=True)
            env = client_env(home)
            env.update({"AWS_ACCESS_KEY_ID": rgw.admin.access_key_id,
                        "AWS_SECRET_ACCESS_KEY": rgw.admin.secret_access_key})
            for f in manifest["files"]:
                put = subprocess.run([AWS_CLI, "--endpoint-url", rgw.endpoint, "s3", "cp",
                                      os.path.join(data, f["key"]), f"s3://raw/{f['key']}"],
                                     env=env, capture_output=True, text=True, timeout=120)
                self.assertEqual(put.returncode, 0, put.stderr)

            def read(key: str) -> bytes | None:
                r = aws_request(rgw.endpoint, "GET", f"/reports/{key}", credentials=rgw.admin,
                                service="s3")
                return r.body if r.status == 200 else None
            stats = self.wait_for_report(read, manifest, name)
            status = json.loads(http_request("127.0.0.1", port, "GET", "/lambdaport/status", b"", {},
                                             5.0).body)
            pushed = {f"{s['function']}/{s['event']}": s["pushed"] for s in status["sources"]}
            print(f"\n[docker] pipeline on radosgw, pushed: {stats['quality']['rows']} rows; "
                  f"events pushed per source {pushed}", flush=True)
            # (radosgw pushes nothing for about 2 s after a notification is set; a listing finds
            # what came before.)
            self.assertGreater(sum(pushed.values()), 0, status["sources"])

    def test_pipeline_in_the_container_on_a_mounted_folder(self):
        data = os.path.join(self.work, "store")
        for bucket in BUCKETS:
            os.makedirs(os.path.join(data, bucket))
        # The image's user (uid 10001) owns the folder it writes to, as `--user` would arrange.
        for root, dirs, _ in os.walk(data):
            for d in [root, *[os.path.join(root, x) for x in dirs]]:
                os.chown(d, 10001, 10001)
        port = free_port()
        name = self.run_detached(
            "--network", "host", "--volume", f"{data}:/data",
            self.image, "serve", "--config", PIPELINE_CONFIG, "--listen", f"127.0.0.1:{port}",
            "--state", "/var/lib/lambdaport/state", "--storage", "/data")
        wait_until(lambda: self._answers(port), 60, "the engine in the container", 0.5)

        trips = os.path.join(self.work, "trips-folder")
        manifest = self.generate(trips)
        staging = os.path.join(self.work, "staging")  # the same file system as the bucket
        os.makedirs(staging, exist_ok=True)
        for f in manifest["files"]:
            target = os.path.join(data, "raw", f["key"])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            # Written outside the bucket, then renamed in: the engine sees whole files only.
            part = os.path.join(staging, os.path.basename(f["key"]))
            shutil.copyfile(os.path.join(trips, f["key"]), part)
            os.rename(part, target)

        def read(key: str) -> bytes | None:
            try:
                with open(os.path.join(data, "reports", key), "rb") as f:
                    return f.read()
            except OSError:
                return None
        stats = self.wait_for_report(read, manifest, name)
        print(f"\n[docker] pipeline on a mounted folder: {stats['quality']['rows']} rows", flush=True)

    @staticmethod
    def _answers(port: int) -> bool:
        try:
            return http_request("127.0.0.1", port, "GET", "/lambdaport/status", b"", {}, 2.0).status == 200
        except OSError:
            return False

    # the compose file

    def compose(self, *args: str, env: dict | None = None,
                deadline: float = 120) -> subprocess.CompletedProcess:
        compose = _compose_command()
        if compose is None:
            self.fail("neither `docker compose` nor docker-compose is installed "
                      "(scripts/setup.sh --tests installs docker-compose)")
        command = [*compose, "--file", os.path.join(self.source, "docker-compose.yml"), *args]
        return run_with_deadline(command, " ".join(command), deadline, cwd=self.source,
                                 env=env or dict(os.environ), output_tail=OUTPUT_TAIL)

    def test_compose_file_is_valid_and_names_what_the_readme_promises(self):
        plain = self.compose("config")
        self.assertEqual(plain.returncode, 0, plain.stdout)
        services = self.compose("config", "--services")
        self.assertEqual(services.returncode, 0, services.stdout)
        # (docker-compose 1.29 lists the profiles' services too; Compose v2 does not.)
        self.assertLessEqual({"minio", "buckets", "lambdaport"}, set(services.stdout.split()))
        with_tests = self.compose("--profile", "tests", "config", "--services")
        self.assertEqual(with_tests.returncode, 0, with_tests.stdout)
        self.assertEqual(set(with_tests.stdout.split()),
                         {"minio", "buckets", "lambdaport", "minio-tests", "minio-tests-setup", "tests"})
        # The ports land on 127.0.0.1 only, where the environment says.
        env = dict(os.environ, LAMBDAPORT_PORT="13001", MINIO_PORT="19000")
        resolved = self.compose("config", env=env)
        self.assertEqual(resolved.returncode, 0, resolved.stdout)
        self.assertRegex(resolved.stdout, r"host_ip: 127\.0\.0\.1|127\.0\.0\.1:13001:3001")
        self.assertIn("13001", resolved.stdout)
        self.assertIn("19000", resolved.stdout)
        self.assertNotRegex(resolved.stdout, r"\b0\.0\.0\.0:\d+:")
        self.assertIn("http://minio:9000", resolved.stdout)
        # MinIO's webhook targets point at the engine's sources, with the engine's token.
        env["LAMBDAPORT_PUSH_TOKEN"] = "token-from-the-environment"
        resolved = self.compose("config", env=env)
        self.assertIn(PUSH_CONFIG, resolved.stdout)
        for function, event, _, _ in PUSHED_SOURCES.values():
            self.assertIn(f"http://lambdaport:3001/lambdaport/notifications/{function}/{event}",
                          resolved.stdout)
        self.assertEqual(resolved.stdout.count("token-from-the-environment"), 4, resolved.stdout)


class MinioStack(unittest.TestCase):
    """docker-compose.yml's stack as shipped (MinIO from quay.io), where its images can be had."""

    @classmethod
    def setUpClass(cls) -> None:
        if not _engine_answers():
            raise unittest.SkipTest("no Docker engine answers (DockerImage says why)")
        cls.compose_command = _compose_command()
        if cls.compose_command is None:
            raise unittest.SkipTest("no compose command")
        if not _have_image(MINIO_IMAGE) and not _pull(MINIO_IMAGE):
            raise unittest.SkipTest(f"{MINIO_IMAGE} cannot be pulled here (no registry answers); "
                                    f"DockerImage runs the image against radosgw and a folder instead")
        cls.source = _source_dir()
        cls.work = tempfile.mkdtemp(prefix="lambdaport-compose-")
        run_id = uuid.uuid4().hex[:10]
        cls.project = f"lambdaport-test-{run_id}"
        cls.image = f"lambdaport-test-{run_id}:latest"
        cls.tests_image = f"lambdaport-test-{run_id}-tests:latest"
        cls.lambdaport_port, cls.minio_port, cls.console_port = free_port(), free_port(), free_port()
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COMPOSE_"))}
        cls.env.update({
            "DOCKER_BUILDKIT": "1",
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
        cls.compose("--profile", "tests", "down", "--volumes", "--remove-orphans", "--timeout", "20",
                    deadline=300, check=False)
        docker("image", "rm", "--force", cls.image, cls.tests_image)
        remove_temp_folder(cls.work)

    @classmethod
    def compose(cls, *args: str, deadline: float, check: bool = True) -> subprocess.CompletedProcess:
        command = [*cls.compose_command, "--project-name", cls.project, "--file",
                   os.path.join(cls.source, "docker-compose.yml"), *args]
        p = run_with_deadline(command, " ".join(command), deadline, cwd=cls.source, env=cls.env,
                              output_tail=OUTPUT_TAIL)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed (status {p.returncode}):\n"
                                 f"{p.stdout[-OUTPUT_TAIL:]}")
        return p

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
            return stats if covers_every_row(stats, manifest) else None
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
