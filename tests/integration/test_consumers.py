"""lambdaport's CMake package as an outside project uses it: the two projects of tests/consumer are
configured and built with this machine's CMake and Ninja, and their handlers run under the real
engine.

  find_package      against `cmake --install <build> --prefix <temp>` of the build under test:
                    lambdaport::sdk and lambdaport::storage (the package config finds nlohmann_json,
                    CURL and OpenSSL itself); a version the version file calls incompatible is refused
  add_subdirectory  the SDK compiled again from the source tree as a subproject: every step of its
                    default build is the SDK's or the consumer's (no engine, examples, tests)
  FetchContent      the same project with FETCHCONTENT_SOURCE_DIR_LAMBDAPORT: the same targets under
                    the same names (configured and planned, not compiled a second time)

Paths come from the environment CMake sets for this module (tests/integration/CMakeLists.txt):
  LAMBDAPORT_BUILD_DIR, LAMBDAPORT_SOURCE_DIR  the build under test and its source tree
  LAMBDAPORT_CMAKE, LAMBDAPORT_CXX_COMPILER    the cmake and the C++ compiler that build used
  LAMBDAPORT_NINJA                             ninja (else the one on PATH)
  LAMBDAPORT_SANITIZE=ON                       the build is instrumented: so are the consumers
plus LAMBDAPORT_BIN for the engine, as for every integration test.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import EngineTestCase, remove_temp_folder, run_with_deadline

CONFIGURE_DEADLINE = 300.0  # seconds
BUILD_DEADLINE = 1200.0  # seconds: the SDK compiled again, maybe with sanitizers, on 2 cores
OUTPUT_TAIL = 20_000  # characters of a failed command's output shown

CONSUMERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "consumer")
SDK_LIBRARIES = {"lambdaport_sdk", "lambdaport_aws", "lambdaport_storage", "lambdaport_sqs",
                 "lambdaport_lambda"}


def _setting(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise AssertionError(f"{name} is not set (CMake sets it for integration.test_consumers; see "
                             f"this module's docstring to run it by hand)")
    return value


def _ninja() -> str:
    path = os.environ.get("LAMBDAPORT_NINJA") or shutil.which("ninja")
    if not path:
        raise AssertionError("ninja not found: set LAMBDAPORT_NINJA or put ninja on PATH")
    return path


def _sanitizer_flags() -> list[str]:
    """The sanitized build's libraries need the consumers built and linked the same way."""
    if os.environ.get("LAMBDAPORT_SANITIZE", "").upper() not in ("ON", "1", "TRUE", "YES"):
        return []
    flags = "-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    return [f"-DCMAKE_CXX_FLAGS={flags}", "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined"]


def _run(command: list[str], what: str, deadline: float, cwd: str | None = None) -> str:
    """Runs `command` (killed by subprocess.run when `deadline` passes); fails the test with its
    output unless it exits 0. Returns the output."""
    p = _run_status(command, what, deadline, cwd)
    if p.returncode != 0:
        raise AssertionError(f"{what} failed (status {p.returncode}): {' '.join(command)}\n"
                             f"{p.stdout[-OUTPUT_TAIL:]}")
    return p.stdout


def _run_status(command: list[str], what: str, deadline: float,
                cwd: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CMAKE_", "AWS_"))}
    return run_with_deadline(command, what, deadline, cwd=cwd, env=env, output_tail=OUTPUT_TAIL)


class ConsumerProjects(EngineTestCase):
    prefix = ""
    work = ""

    @classmethod
    def setUpClass(cls) -> None:
        cls.work = tempfile.mkdtemp(prefix="lambdaport-consumers-")
        cls.prefix = os.path.join(cls.work, "prefix")
        try:
            _run([_setting("LAMBDAPORT_CMAKE"), "--install", _setting("LAMBDAPORT_BUILD_DIR"),
                  "--prefix", cls.prefix], "cmake --install of the build under test",
                 CONFIGURE_DEADLINE)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        remove_temp_folder(cls.work)

    # building

    def configure(self, project: str, name: str, *definitions: str) -> tuple[str, str]:
        """Configures tests/consumer/<project> into a fresh build folder with Ninja; returns the
        folder and CMake's output."""
        build = os.path.join(self.work, name)
        shutil.rmtree(build, ignore_errors=True)
        output = _run(self.configure_command(project, build, *definitions),
                      f"configuring the {name} consumer", CONFIGURE_DEADLINE)
        return build, output

    def configure_command(self, project: str, build: str, *definitions: str) -> list[str]:
        return [_setting("LAMBDAPORT_CMAKE"), "-S", os.path.join(CONSUMERS, project), "-B", build,
                "-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={_ninja()}",
                f"-DCMAKE_CXX_COMPILER={_setting('LAMBDAPORT_CXX_COMPILER')}",
                *_sanitizer_flags(), *definitions]

    def build(self, build: str, *targets: str) -> str:
        command = [_setting("LAMBDAPORT_CMAKE"), "--build", build, "-j2"]
        if targets:
            command += ["--target", *targets]
        return _run(command, f"building {build}", BUILD_DEADLINE)

    def default_build_inputs(self, build: str) -> list[str]:
        """Every file the consumer's default build reads or makes on the way (`ninja -t inputs all`,
        Ninja 1.11: nothing runs)."""
        output = _run([_ninja(), "-C", build, "-t", "inputs", "all"], f"listing the inputs of {build}",
                      CONFIGURE_DEADLINE)
        return [line for line in output.splitlines() if line and not line.startswith("ninja:")]

    def assertOnlySdkIsBuilt(self, build: str) -> None:
        """The default build compiles lambdaport's sdk/ sources and the consumer's, nothing else,
        and every target it passes through is an SDK library or the consumer's handler."""
        inputs = self.default_build_inputs(build)
        sdk_sources = os.path.join(os.path.realpath(_setting("LAMBDAPORT_SOURCE_DIR")), "sdk") + os.sep
        consumer_sources = os.path.realpath(CONSUMERS) + os.sep
        sources = [p for p in inputs if p.endswith(".cpp")]
        self.assertTrue(any(p.startswith(sdk_sources) for p in sources), inputs)
        targets = set()
        for path in inputs:
            if path.endswith(".cpp"):
                self.assertTrue(os.path.realpath(path).startswith((sdk_sources, consumer_sources)),
                                f"the default build of a project using lambdaport as a subproject "
                                f"compiles {path}, which is not part of the SDK")
            m = re.search(r"CMakeFiles/([^/]+)\.dir/", path) or \
                re.fullmatch(r"cmake_object_order_depends_target_(.+)", path)
            if m:
                targets.add(m.group(1))
        self.assertEqual(targets - SDK_LIBRARIES, {"consumer_handler"},
                         f"targets the default build passes through: {sorted(targets)}")

    # running

    def invoke_handler(self, handler: str, payload: dict, storage: str | None = None) -> dict:
        args = ["--storage", storage] if storage else []
        engine = self.start_engine({"consumer": {"handler": handler}}, args=args)
        return self.assertSuccess(engine.invoke("consumer", payload))

    # the tests

    def package_dir(self) -> str:
        """<prefix>/<libdir>/cmake/lambdaport (libdir as GNUInstallDirs chose it: lib, lib64, ...)."""
        found = glob.glob(os.path.join(self.prefix, "*", "cmake", "lambdaport")) + \
            glob.glob(os.path.join(self.prefix, "lib", "*", "cmake", "lambdaport"))
        self.assertEqual(len(found), 1, f"lambdaport's package folder below {self.prefix}: {found}")
        return found[0]

    def test_install_tree_holds_the_package(self):
        cmake_dir = self.package_dir()
        for name in ("lambdaportConfig.cmake", "lambdaportConfigVersion.cmake",
                     "lambdaport-targets.cmake"):
            self.assertTrue(os.path.isfile(os.path.join(cmake_dir, name)), f"{cmake_dir}/{name}")
        for header in ("runtime.hpp", "storage.hpp", "sqs.hpp", "lambda.hpp", "events.hpp"):
            self.assertTrue(os.path.isfile(os.path.join(self.prefix, "include", "lambdaport", header)),
                            header)
        # Private headers stay private.
        self.assertFalse(os.path.exists(os.path.join(self.prefix, "include", "lambdaport", "aws")))

    def test_find_package_consumer_runs_under_the_engine(self):
        build, output = self.configure("find_package", "find-package",
                                       f"-DCMAKE_PREFIX_PATH={self.prefix}")
        self.assertRegex(output, r"consumer: lambdaport 0\.1\.0 from " + re.escape(self.package_dir()))
        self.build(build)
        store = os.path.join(self.tmp, "store")
        os.makedirs(os.path.join(store, "out"))  # a bucket on local disk is a folder
        text = "written by a consumer of the installed package"
        answer = self.invoke_handler(os.path.join(build, "consumer_handler"), {"text": text},
                                     storage=store)
        self.assertEqual(answer["consumer"], "find_package")
        self.assertEqual(answer["function"], "consumer")
        self.assertEqual(answer["read_back"], text)
        self.assertRegex(answer["etag"], r'^"[0-9a-f]{32}"$')
        with open(os.path.join(store, "out", "consumer.txt"), encoding="utf-8") as f:
            self.assertEqual(f.read(), text)
        # lambdaport_package() from the installed package: the zip's folder runs the same way.
        self.assertTrue(os.path.isfile(os.path.join(build, "consumer_handler.zip")))
        packaged = self.invoke_handler(os.path.join(build, "consumer_handler.package", "bootstrap"),
                                       {"text": text + " (packaged)"}, storage=store)
        self.assertEqual(packaged["read_back"], text + " (packaged)")

    def test_find_package_refuses_an_incompatible_version(self):
        build = os.path.join(self.work, "find-package-1.0")
        p = _run_status(self.configure_command("find_package", build,
                                               f"-DCMAKE_PREFIX_PATH={self.prefix}",
                                               "-DLAMBDAPORT_CONSUMER_VERSION=1.0"),
                        "configuring the find_package consumer for lambdaport 1.0",
                        CONFIGURE_DEADLINE)
        self.assertNotEqual(p.returncode, 0, p.stdout[-OUTPUT_TAIL:])
        self.assertIn('compatible with requested version "1.0"', p.stdout)
        self.assertRegex(p.stdout, r"lambdaportConfig\.cmake, version: 0\.1\.0")

    def test_add_subdirectory_consumer_builds_only_the_sdk_and_runs_under_the_engine(self):
        build, output = self.configure("add_subdirectory", "add-subdirectory",
                                       f"-DLAMBDAPORT_SOURCE_DIR={_setting('LAMBDAPORT_SOURCE_DIR')}")
        self.assertIn("consumer: lambdaport defined lambdaport_sdk", output)
        self.assertOnlySdkIsBuilt(build)
        # The build type is the consumer's to choose (it chose none): lambdaport leaves it alone.
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            self.assertIn("\nCMAKE_BUILD_TYPE:STRING=\n", f.read())
        # Only what the handler needs: lambdaport::sdk (the rest was planned above).
        self.build(build, "consumer_handler")
        answer = self.invoke_handler(os.path.join(build, "consumer_handler"), {"name": "consumer"})
        self.assertEqual(answer["consumer"], "add_subdirectory")
        self.assertEqual(answer["greeting"], "hello, consumer")
        self.assertEqual(answer["function"], "consumer")
        # The SDK alone: the handler does not load libcurl.
        p = subprocess.run(["ldd", os.path.join(build, "consumer_handler")], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("libcurl", p.stdout)

    def test_fetchcontent_consumer_gets_the_same_targets(self):
        build, output = self.configure(
            "add_subdirectory", "fetchcontent", "-DLAMBDAPORT_CONSUMER_FETCHCONTENT=ON",
            f"-DFETCHCONTENT_SOURCE_DIR_LAMBDAPORT={_setting('LAMBDAPORT_SOURCE_DIR')}")
        self.assertIn("consumer: lambdaport defined lambdaport_sdk", output)
        self.assertOnlySdkIsBuilt(build)


if __name__ == "__main__":
    unittest.main()
