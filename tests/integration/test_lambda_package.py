"""Lambda packages made by lambdaport_package() (cmake/LambdaportPackage.cmake), as Lambda would run them.

LambdaPackage:

Each zip is unpacked with `unzip` into an empty folder and run from there under `lambdaport serve`,
the engine started with no environment but Lambda's LD_LIBRARY_PATH, so the handler has Lambda's
variables and nothing else. The handler process's /proc/PID/maps must then show every file it
mapped — its loader, each shared library, the program — coming from the package. The same check on
the unpackaged build shows the host's libraries, so the check can tell the two apart.

OnOlderGlibc: the packages run inside a chroot of Debian 11 (glibc 2.31, GCC 10's libstdc++: older
than Amazon Linux 2023's glibc 2.34, so a stricter target), made once with debootstrap and kept in
LAMBDAPORT_TEST_ROOTFS (default /var/tmp/lambdaport-rootfs-bullseye). The engine stays on the host;
each handler is started as `unshare --mount` + `chroot` (root only) and reaches the engine and moto on
127.0.0.1 as usual. The unpackaged build must fail there, naming the glibc versions it lacks.
"""

import os
import shutil
import stat
import struct
import subprocess
import time
import unittest
import zipfile

from harness import EngineTestCase, example, wait_until
from storage_servers import MotoServer, aws_request, fresh_bucket

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_SCRIPT = os.path.join(HERE, "..", "..", "cmake", "LambdaportPackageBuild.cmake")
SANITIZED = os.environ.get("LAMBDAPORT_SANITIZE") == "1"
HOST_LIBRARIES = "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu"

# What Lambda puts in a function's environment (LAMBDA_REFERENCE.md, "Defined runtime environment
# variables"), and lambdaport's own AWS_ENDPOINT_URL_LAMBDA (the Invoke API, for handlers that fan out)
# and LAMBDAPORT_STORAGE (set by --storage). A function's configured variables are added per test.
LAMBDA_VARIABLES = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ", "LANG", "PATH", "LD_LIBRARY_PATH",
    "AWS_ENDPOINT_URL_LAMBDA", "LAMBDAPORT_STORAGE",
}


def examples_dir() -> str:
    return os.path.dirname(os.path.dirname(example("hello")))


def package_zip(folder: str, name: str) -> str:
    path = os.path.join(examples_dir(), folder, f"{name}.zip")
    if not os.path.isfile(path):
        raise AssertionError(f"{path} is not built (lambdaport_package({name}) in examples/{folder})")
    return path


def elf_interpreter_and_needed(path: str) -> tuple[str | None, bool]:
    """The PT_INTERP of a 64-bit little-endian ELF file, and whether it has a PT_DYNAMIC segment."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise AssertionError(f"{path} is not a 64-bit little-endian ELF file")
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    interpreter, dynamic = None, False
    for i in range(phnum):
        p_type, = struct.unpack_from("<I", data, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP
            offset, = struct.unpack_from("<Q", data, phoff + i * phentsize + 8)
            size, = struct.unpack_from("<Q", data, phoff + i * phentsize + 32)
            interpreter = data[offset:offset + size].rstrip(b"\0").decode()
        elif p_type == 2:  # PT_DYNAMIC
            dynamic = True
    return interpreter, dynamic


def mapped_files(pid: int) -> set[str]:
    """Every file `pid` has mapped (paths from /proc/PID/maps; anonymous and special mappings left out)."""
    files = set()
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split(maxsplit=5)
            if len(parts) == 6 and parts[5].startswith("/"):
                files.add(parts[5].rstrip("\n").removesuffix(" (deleted)"))
    return files


def environment_of(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/environ", "rb") as f:
        entries = [e.decode(errors="replace") for e in f.read().split(b"\0") if e]
    return dict(e.split("=", 1) for e in entries if "=" in e)


class PackageTestCase(EngineTestCase):
    """What both test classes do: unzip a package, find the one instance the engine started."""

    def unpack(self, zip_path: str) -> str:
        """Unzips `zip_path` with unzip(1) into a new empty folder; returns the folder."""
        task = os.path.join(self.tmp, "task-" + os.path.basename(zip_path).removesuffix(".zip"))
        os.makedirs(task)
        subprocess.run(["unzip", "-q", zip_path, "-d", task], check=True, timeout=60)
        return task

    def instance_pid(self, engine) -> int:
        pids = wait_until(engine.handler_pids, 10, "a handler instance")
        self.assertEqual(len(pids), 1, f"one warm instance expected, found {pids}")
        return next(iter(pids))

    def assertAllFromPackage(self, pid: int, task: str) -> set[str]:
        files = mapped_files(pid)
        outside = sorted(f for f in files if not f.startswith(task + os.sep))
        self.assertEqual(outside, [], f"files the handler mapped from outside its package {task}")
        return files


class LambdaPackage(PackageTestCase):
    def serve(self, task_or_handler: str, function: dict | None = None, args: list[str] | None = None):
        """An engine with Lambda's environment only, running `handler` as function `f`."""
        handler = task_or_handler
        if os.path.isdir(handler):
            handler = os.path.join(handler, "bootstrap")
        task = os.path.dirname(handler)
        # Lambda's LD_LIBRARY_PATH, with the host's library folders first: a package that fell back
        # on the host's libraries would load them from there.
        env = {"LD_LIBRARY_PATH": f"{HOST_LIBRARIES}:/lib64:/usr/lib64:{task}:{task}/lib:/opt/lib"}
        return self.start_engine({"f": {"handler": handler, **(function or {})}}, env=env,
                                 inherit_env=False, args=args or [])

    def assertOnlyLambdaEnvironment(self, pid: int, configured: set[str] = frozenset(),
                                    script: bool = True) -> None:
        names = set(environment_of(pid))
        # /bin/sh exports PWD: a bundled package's bootstrap script adds it, on Lambda as here.
        shell = {"PWD"} if script else set()
        self.assertEqual(names - LAMBDA_VARIABLES - set(configured) - shell, set(),
                         "variables in the handler's environment that Lambda does not set")
        self.assertIn("AWS_LAMBDA_RUNTIME_API", names)


    # --- the zips ---------------------------------------------------------------------------------

    def test_bundled_zip_layout(self):
        for folder, name in (("hello", "hello"), ("csv_clean", "csv_clean")):
            with self.subTest(name), zipfile.ZipFile(package_zip(folder, name)) as z:
                entries = {i.filename: i for i in z.infolist()}
                self.assertIn("bootstrap", entries)
                for entry in ("bootstrap", f"bin/{name}", "lib/ld-linux-x86-64.so.2"):
                    mode = entries[entry].external_attr >> 16
                    self.assertTrue(stat.S_ISREG(mode), f"{entry} is not a regular file in the zip")
                    self.assertEqual(mode & 0o777, 0o755, f"{entry} is not rwxr-xr-x in the zip")
                libraries = {e.removeprefix("lib/") for e in entries if e.startswith("lib/") and e != "lib/"}
                self.assertLessEqual({"libc.so.6", "libstdc++.so.6", "libm.so.6", "libgcc_s.so.1"}, libraries)
                if name == "csv_clean":
                    self.assertLessEqual({"libcurl.so.4", "libssl.so.3", "libcrypto.so.3"}, libraries)
                else:
                    # The plain SDK speaks HTTP itself: hello's package has no libcurl to load.
                    self.assertNotIn("libcurl.so.4", libraries)
                script = z.read("bootstrap").decode()
                self.assertTrue(script.startswith("#!/bin/sh\n"))
                self.assertIn('--library-path "$root/lib"', script)

    def test_static_zip_is_one_static_executable(self):
        if SANITIZED:
            self.skipTest("AddressSanitizer cannot link -static: hello_static is not built in this build")
        zip_path = package_zip("hello", "hello_static")
        with zipfile.ZipFile(zip_path) as z:
            self.assertEqual(z.namelist(), ["bootstrap"])
            self.assertEqual((z.getinfo("bootstrap").external_attr >> 16) & 0o777, 0o755)
        task = self.unpack(zip_path)
        interpreter, dynamic = elf_interpreter_and_needed(os.path.join(task, "bootstrap"))
        self.assertIsNone(interpreter, "a static package's bootstrap names a loader")
        self.assertFalse(dynamic, "a static package's bootstrap has a dynamic section")

    # --- running them -----------------------------------------------------------------------------

    def test_bundled_hello_loads_only_its_package(self):
        task = self.unpack(package_zip("hello", "hello"))
        engine = self.serve(task)
        out = self.assertSuccess(engine.invoke("f", {"who": "packaged"}))
        self.assertEqual(out["event"], {"who": "packaged"})
        pid = self.instance_pid(engine)
        self.assertOnlyLambdaEnvironment(pid)
        files = self.assertAllFromPackage(pid, task)
        # The bootstrap script exec'd the bundled loader, which loaded the program and glibc.
        self.assertEqual(os.readlink(f"/proc/{pid}/exe"), os.path.join(task, "lib", "ld-linux-x86-64.so.2"))
        for f in ("bin/hello", "lib/libc.so.6", "lib/libstdc++.so.6"):
            self.assertIn(os.path.join(task, f), files)

    def test_static_hello_loads_nothing_else(self):
        if SANITIZED:
            self.skipTest("AddressSanitizer cannot link -static: hello_static is not built in this build")
        task = self.unpack(package_zip("hello", "hello_static"))
        engine = self.serve(task)
        self.assertSuccess(engine.invoke("f", {"static": True}))
        pid = self.instance_pid(engine)
        self.assertOnlyLambdaEnvironment(pid, script=False)
        self.assertEqual(self.assertAllFromPackage(pid, task), {os.path.join(task, "bootstrap")})

    def test_bundled_curl_handler_cleans_an_object_from_its_package(self):
        task = self.unpack(package_zip("csv_clean", "csv_clean"))
        data = os.path.join(self.tmp, "data")
        for bucket in ("raw", "clean"):  # a bucket on local disk is a folder
            os.makedirs(os.path.join(data, bucket))
        with open(os.path.join(data, "raw", "trips.csv"), "wb") as f:
            f.write(b"id , fare\r\n1, 2.50 \r\n\r\n2,\"3,5\"\r\nbroken\r\n")
        engine = self.serve(task, {"environment": {"CLEAN_BUCKET": "clean"}}, args=["--storage", data])
        out = self.assertSuccess(engine.invoke("f", {"bucket": "raw", "key": "trips.csv"}))
        self.assertEqual((out["rows_out"], out["rejected"], out["blank"]), (2, 1, 1), out)
        with open(os.path.join(data, "clean", "trips.csv"), "rb") as f:
            self.assertEqual(f.read(), b"id,fare\n1,2.50\n2,\"3,5\"\n")
        pid = self.instance_pid(engine)
        self.assertOnlyLambdaEnvironment(pid, {"CLEAN_BUCKET"})
        files = self.assertAllFromPackage(pid, task)
        for f in ("lib/libcurl.so.4", "lib/libssl.so.3", "lib/libcrypto.so.3", "lib/libc.so.6"):
            self.assertIn(os.path.join(task, f), files)

    def test_the_check_sees_the_hosts_libraries_in_an_unpackaged_handler(self):
        # The same engine and environment with the build tree's hello: the maps show the host's glibc.
        engine = self.serve(example("hello"))
        self.assertSuccess(engine.invoke("f", {}))
        files = mapped_files(self.instance_pid(engine))
        self.assertTrue(any(f.startswith("/lib/x86_64-linux-gnu/libc.so") or
                            f.startswith("/usr/lib/x86_64-linux-gnu/libc.so") for f in files), files)

    # --- the packaging script ---------------------------------------------------------------------

    def package(self, executable: str, name: str, mode: str, out: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["cmake", f"-DEXECUTABLE={executable}", f"-DNAME={name}", f"-DMODE={mode}",
             f"-DDIRECTORY={out}", f"-DZIP={out}.zip", "-P", PACKAGE_SCRIPT],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)

    def test_static_package_of_a_dynamic_executable_is_refused(self):
        r = self.package(example("csv_clean"), "csv_clean", "static", os.path.join(self.tmp, "p"))
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("lambdaport_package(csv_clean STATIC): the executable still loads", r.stdout)
        self.assertIn("libcurl.so.4", r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "p.zip")))



# --- on an older glibc -------------------------------------------------------------------------------

ROOTFS = os.environ.get("LAMBDAPORT_TEST_ROOTFS", "/var/tmp/lambdaport-rootfs-bullseye")
DEBIAN_MIRROR = os.environ.get("LAMBDAPORT_TEST_DEBIAN_MIRROR", "http://deb.debian.org/debian")
OLD_SUITE = "bullseye"
DEBOOTSTRAP_DEADLINE = 600


def older_rootfs() -> tuple[str | None, str]:
    """The Debian 11 root folder (made on first use), or None and why there is none."""
    if os.geteuid() != 0:
        return None, "chroot and unshare --mount need root, and this suite runs as uid %d" % os.geteuid()
    marker = os.path.join(ROOTFS, ".lambdaport-complete")
    if os.path.isfile(marker):
        return ROOTFS, ""
    for tool in ("debootstrap", "unshare", "chroot"):
        if shutil.which(tool) is None:
            return None, f"{tool} is not installed (scripts/setup.sh --tests installs debootstrap)"
    partial = f"{ROOTFS}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    started = time.monotonic()
    try:
        p = subprocess.run(["debootstrap", "--variant=minbase", OLD_SUITE, partial, DEBIAN_MIRROR],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=DEBOOTSTRAP_DEADLINE)
    except subprocess.TimeoutExpired:
        shutil.rmtree(partial, ignore_errors=True)
        return None, f"debootstrap {OLD_SUITE} from {DEBIAN_MIRROR} took over {DEBOOTSTRAP_DEADLINE} s"
    if p.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        tail = " | ".join(p.stdout.strip().splitlines()[-3:])
        return None, f"debootstrap {OLD_SUITE} from {DEBIAN_MIRROR} failed ({p.returncode}): {tail}"
    open(os.path.join(partial, ".lambdaport-complete"), "w").close()
    shutil.rmtree(ROOTFS, ignore_errors=True)
    os.rename(partial, ROOTFS)
    print(f"\n(made {ROOTFS} with debootstrap in {time.monotonic() - started:.0f} s)", flush=True)
    return ROOTFS, ""


class OnOlderGlibc(PackageTestCase):
    rootfs = ""

    @classmethod
    def setUpClass(cls) -> None:
        rootfs, why = older_rootfs()
        if rootfs is None:
            raise unittest.SkipTest(why)
        cls.rootfs = rootfs
        p = subprocess.run(["chroot", rootfs, "ldd", "--version"], capture_output=True, text=True, timeout=30)
        if "2.31" not in p.stdout.splitlines()[0]:
            raise AssertionError(f"{rootfs} is not Debian 11's glibc 2.31: {p.stdout[:200]}{p.stderr[:200]}")

    def install(self, name: str, source: str) -> str:
        """Copies the unpacked package (or an executable) `source` into the root folder; returns the
        path of what to start there, as the chroot sees it."""
        inside = f"/lambdaport-tasks/{os.getpid()}-{name}"
        target = self.rootfs + inside
        shutil.rmtree(target, ignore_errors=True)
        if os.path.isdir(source):
            shutil.copytree(source, target, symlinks=True)
            start = f"{inside}/bootstrap"
        else:
            os.makedirs(target)
            shutil.copy2(source, target)
            start = f"{inside}/{os.path.basename(source)}"
        self.addCleanup(shutil.rmtree, target, True)
        return start

    def chrooted(self, name: str, start: str) -> str:
        """A handler on the host that becomes `start` inside the chroot (same PID all the way: each
        step execs the next), with /proc mounted in a mount namespace of its own."""
        wrapper = os.path.join(self.tmp, f"{name}-in-chroot")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\n"
                    "exec unshare --mount sh -c 'mount -t proc proc \"$1/proc\" && exec chroot \"$1\" \"$2\"' "
                    f"sh {self.rootfs} {start}\n")
        os.chmod(wrapper, 0o755)
        return wrapper

    def test_unpackaged_build_does_not_start_there(self):
        engine = self.start_engine({"f": {"handler": self.chrooted("plain", self.install("plain", example("hello")))}})
        r = engine.invoke("f", {})
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", str(r))
        # The loader stops at the first thing the older system lacks: in a sanitizer build that is
        # GCC 12's libasan.so.8 itself (Debian 11 has libasan6), otherwise glibc's newer symbols.
        missing = (r"libasan\.so\.8: cannot open shared object file" if SANITIZED
                   else r"version `GLIBC_2\.3[2-9]' not found")
        engine.wait_log("f", missing)

    def test_bundled_hello_runs_there(self):
        task = self.unpack(package_zip("hello", "hello"))
        start = self.install("hello", task)
        engine = self.start_engine({"f": {"handler": self.chrooted("hello", start)}})
        out = self.assertSuccess(engine.invoke("f", {"on": OLD_SUITE}))
        self.assertEqual(out["event"], {"on": OLD_SUITE})
        self.assertAllFromPackage(self.instance_pid(engine), self.rootfs + os.path.dirname(start))

    def test_static_hello_runs_there(self):
        if SANITIZED:
            self.skipTest("AddressSanitizer cannot link -static: hello_static is not built in this build")
        task = self.unpack(package_zip("hello", "hello_static"))
        engine = self.start_engine({"f": {"handler": self.chrooted("static", self.install("static", task))}})
        self.assertSuccess(engine.invoke("f", {"on": OLD_SUITE}))

    def test_bundled_curl_handler_cleans_an_object_on_moto_there(self):
        moto = MotoServer(os.path.join(self.tmp, "moto")).start()
        self.addCleanup(moto.stop)
        creds = moto.credentials
        for bucket in ("raw", "clean"):
            fresh_bucket(moto.endpoint, creds, bucket)
        r = aws_request(moto.endpoint, "PUT", "/raw/trips.csv", credentials=creds, service="s3",
                        body=b"id,fare\n1, 2.50\nbroken,x,y\n")
        self.assertEqual(r.status, 200, str(r))
        task = self.unpack(package_zip("csv_clean", "csv_clean"))
        start = self.install("csv", task)
        engine = self.start_engine(
            {"f": {"handler": self.chrooted("csv", start)}},
            args=["--storage", moto.endpoint],
            env={"AWS_ACCESS_KEY_ID": creds.access_key_id, "AWS_SECRET_ACCESS_KEY": creds.secret_access_key})
        out = self.assertSuccess(engine.invoke("f", {"bucket": "raw", "key": "trips.csv"}))
        self.assertEqual((out["rows_out"], out["rejected"]), (1, 1), out)
        r = aws_request(moto.endpoint, "GET", "/clean/trips.csv", credentials=creds, service="s3")
        self.assertEqual((r.status, r.body), (200, b"id,fare\n1,2.50\n"))
        self.assertAllFromPackage(self.instance_pid(engine), self.rootfs + os.path.dirname(start))


if __name__ == "__main__":
    unittest.main()
