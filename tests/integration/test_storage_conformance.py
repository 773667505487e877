"""The storage conformance suite (tests/conformance), run unchanged against every backend:

  local disk   LAMBDAPORT_STORAGE=file://<temp folder>
  moto_server  SigV4 verified against moto's IAM: an admin identity for the suite, a restricted
               one (reads and writes denied) for the AccessDenied check
  moto_server  again without signature verification, for the checks the first run skips: moto
               rebuilds the canonical request from an IRI, so it refuses correctly signed requests
               for keys and query values with most non-alphanumeric characters (quirk sigv4-iri)
  s3rver       its S3RVER/S3RVER identity; it checks key ids but not signatures
  radosgw      Ceph's S3 gateway (Debian's radosgw, a production server) as a one-node cluster the
               test starts (storage_servers.RadosGW): SigV4 verified, a user policy denying reads and
               writes for AccessDenied
  MinIO        only where LAMBDAPORT_TEST_MINIO names one (storage_servers.Minio; docker-compose.yml's
               `tests` profile runs one): SigV4 verified, a restricted identity for AccessDenied;
               skipped, saying so, elsewhere

Where a server deviates from S3, the driver names the quirk (LAMBDAPORT_CONFORMANCE_QUIRKS; each is
described in tests/conformance/conformance.cpp) and only the checks that quirk covers are skipped.

Each run is one test method; the program's output is shown when it fails (always with
LAMBDAPORT_TEST_VERBOSE=1), and every check it skipped is reported as a skipped subtest with its
reason. The program's path comes from LAMBDAPORT_STORAGE_CONFORMANCE, which CMake sets; by hand:

  LAMBDAPORT_STORAGE_CONFORMANCE=../../build/tests/conformance/lambdaport_storage_conformance \
      python3 -m unittest -v test_storage_conformance
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from storage_servers import Minio, MotoServer, RadosGW, S3rver, ServerProcess

SUITE_DEADLINE = 800.0  # seconds for one run of the whole suite (four runs fit ctest's TIMEOUT)
OUTPUT_TAIL = 40_000  # characters of the program's output shown on failure
SKIPPED = re.compile(r"MESSAGE: SKIPPED: \[([^\]]*)\] (.*)$", re.MULTILINE)


def conformance_binary() -> str:
    path = os.environ.get("LAMBDAPORT_STORAGE_CONFORMANCE")
    if not path:
        raise AssertionError("LAMBDAPORT_STORAGE_CONFORMANCE is not set: it must name the "
                             "lambdaport_storage_conformance program (CMake sets it)")
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        raise AssertionError(f"LAMBDAPORT_STORAGE_CONFORMANCE={path} is not an executable file")
    return path


def base_environment(tmp: str) -> dict[str, str]:
    """This process's environment without anything that picks or configures a store."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "LAMBDAPORT_CONFORMANCE_")) and k != "LAMBDAPORT_STORAGE"}
    env["TMPDIR"] = tmp  # put_file's temporary files
    env["LAMBDAPORT_CONFORMANCE_BUCKET_PREFIX"] = "lp-conformance"
    return env


class StorageConformanceTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="lambdaport-conformance-")
        self.addCleanup(self._remove_tmp)

    def _remove_tmp(self) -> None:
        if os.environ.get("LAMBDAPORT_KEEP_TMP"):
            sys.stderr.write(f"(kept {self.tmp})\n")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def run_suite(self, env: dict[str, str], server: ServerProcess | None = None) -> None:
        try:
            # subprocess.run kills the program (by its PID) when the deadline passes.
            p = subprocess.run([conformance_binary(), "--no-colors=true", "--duration=true"],
                               env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=SUITE_DEADLINE, cwd=self.tmp)
        except subprocess.TimeoutExpired as e:
            partial = (e.output or b"").decode("utf-8", errors="replace")
            self.fail(f"conformance suite did not finish within {SUITE_DEADLINE:.0f} s:\n"
                      f"{partial[-OUTPUT_TAIL:]}")
        output = p.stdout.decode("utf-8", errors="replace")
        if os.environ.get("LAMBDAPORT_TEST_VERBOSE"):
            sys.stderr.write(f"\n----- conformance output ({self.id()}) -----\n{output}"
                             f"----- end of conformance output -----\n")
        for check, reason in dict.fromkeys(SKIPPED.findall(output)):
            with self.subTest(skipped=check):
                self.skipTest(reason)
        if p.returncode != 0:
            report = f"conformance suite failed (status {p.returncode}):\n{output[-OUTPUT_TAIL:]}"
            if server is not None:
                state = "running" if server.running() else f"exited with {server.proc.returncode}"
                report += (f"\n----- {server.name} ({state}), last lines -----\n"
                           f"{server.output()[-OUTPUT_TAIL // 4:]}")
            self.fail(report)
        if server is not None:
            self.assertTrue(server.running(), f"{server.name} died during the suite:\n"
                                              f"{server.output()}")

    def test_local_disk(self) -> None:
        env = base_environment(self.tmp)
        env["LAMBDAPORT_STORAGE"] = "file://" + os.path.join(self.tmp, "store")
        self.run_suite(env)

    def test_moto(self) -> None:
        with MotoServer(os.path.join(self.tmp, "moto"), auth=True) as moto:
            assert moto.admin is not None and moto.restricted is not None
            env = moto.client_env(moto.admin, base_environment(self.tmp))
            env.update({
                "LAMBDAPORT_CONFORMANCE_AUTH": "1",
                "LAMBDAPORT_CONFORMANCE_DENIED_KEY_ID": moto.restricted.access_key_id,
                "LAMBDAPORT_CONFORMANCE_DENIED_SECRET": moto.restricted.secret_access_key,
                "LAMBDAPORT_CONFORMANCE_QUIRKS": "sigv4-iri",
            })
            self.run_suite(env, moto)

    def test_moto_unsigned(self) -> None:
        with MotoServer(os.path.join(self.tmp, "moto"), auth=False) as moto:
            self.run_suite(moto.client_env(moto.credentials, base_environment(self.tmp)), moto)

    def test_s3rver(self) -> None:
        with S3rver(os.path.join(self.tmp, "s3rver")) as s3rver:
            env = s3rver.client_env(s3rver.credentials, base_environment(self.tmp))
            env.update({
                "LAMBDAPORT_CONFORMANCE_AUTH": "1",
                "LAMBDAPORT_CONFORMANCE_QUIRKS": ",".join([
                    "sigv4-unverified", "no-policies", "bucket-already-exists", "multipart-etag",
                    "path-order", "delimiter-listing", "copy-source-decodeuri"]),
            })
            self.run_suite(env, s3rver)

    def test_radosgw(self) -> None:
        with RadosGW(os.path.join(self.tmp, "radosgw")) as rgw:
            env = rgw.client_env(rgw.admin, base_environment(self.tmp))
            env.update({
                "LAMBDAPORT_CONFORMANCE_AUTH": "1",
                "LAMBDAPORT_CONFORMANCE_DENIED_KEY_ID": rgw.restricted.access_key_id,
                "LAMBDAPORT_CONFORMANCE_DENIED_SECRET": rgw.restricted.secret_access_key,
            })
            self.run_suite(env, rgw)

    def test_minio(self) -> None:
        minio = Minio.from_environment()
        if minio is None:
            self.skipTest("no MinIO: LAMBDAPORT_TEST_MINIO is not set (docker compose --profile tests "
                          "run --rm tests sets it)")
        minio.wait_ready()
        env = minio.client_env(minio.credentials, base_environment(self.tmp))
        env["LAMBDAPORT_CONFORMANCE_AUTH"] = "1"
        if minio.restricted is not None:
            env["LAMBDAPORT_CONFORMANCE_DENIED_KEY_ID"] = minio.restricted.access_key_id
            env["LAMBDAPORT_CONFORMANCE_DENIED_SECRET"] = minio.restricted.secret_access_key
        if minio.quirks:
            env["LAMBDAPORT_CONFORMANCE_QUIRKS"] = ",".join(minio.quirks)
        self.run_suite(env, minio)


if __name__ == "__main__":
    unittest.main()
