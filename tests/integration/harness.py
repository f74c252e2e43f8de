"""Shared pieces of mfr's end-to-end tests: real loop devices and
filesystems, real mfr processes, and a JUnit report for Bazel.

Everything a test creates (mounts, loop devices, processes, files) is
registered with a Cleanup stack and undone even when the test fails.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import unittest
import xml.etree.ElementTree as ET


def runfile(path):
    """Absolute path of a data dependency, e.g. 'controller/mfr-controller'."""
    for base in (os.environ.get("RUNFILES_DIR"), os.environ.get("TEST_SRCDIR")):
        if base:
            candidate = os.path.join(base, "mfr", path)
            if os.path.exists(candidate):
                return candidate
    here = os.path.dirname(os.path.abspath(__file__))
    for base in (os.path.join(here, "..", ".."),  # runfiles/mfr (bazel run)
                 os.path.join(here, "..", "..", "bazel-bin")):
        candidate = os.path.join(base, path)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    raise FileNotFoundError(f"{path} (build it with bazel first)")


def why_no_loop_devices():
    """None when loop devices and mounts can be used, else the reason."""
    if os.geteuid() != 0:
        return "needs root for loop devices and mounts"
    if not os.path.exists("/dev/loop-control"):
        return "no /dev/loop-control on this machine"
    for tool in ("losetup", "mkfs.xfs", "mkfs.ext4", "xfs_io"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (run tools/install-deps.sh)"
    return None


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)


_LIVE_CLEANUPS = []


def _cleanup_on_sigterm(signum, frame):
    """Bazel's timeout sends SIGTERM: undo everything before dying."""
    for cleanup in reversed(_LIVE_CLEANUPS):
        cleanup.run_all()
    os._exit(128 + signum)


signal.signal(signal.SIGTERM, _cleanup_on_sigterm)


class Cleanup:
    """A stack of undo actions, run in reverse order; failures are printed.
    Also run when the test process gets SIGTERM (a Bazel timeout)."""

    def __init__(self):
        self._undo = []
        _LIVE_CLEANUPS.append(self)

    def push(self, what, fn):
        self._undo.append((what, fn))

    def run_all(self):
        while self._undo:
            what, fn = self._undo.pop()
            try:
                fn()
            except Exception as e:  # keep cleaning up the rest
                print(f"cleanup of {what} failed: {e}", file=sys.stderr)


def make_filesystem(cleanup, fs_type, size_bytes=320 << 20, mkfs_args=(),
                    parent=None):
    """Creates a sparse image (named "image" in a new temp dir under
    `parent`), a loop device, a filesystem and a mount. XFS gets rmapbt and
    reflink; `mkfs_args` are added to mkfs.

    Returns (mount_point, device name like 'loop3')."""
    workdir = tempfile.mkdtemp(prefix=f"mfr-{fs_type}-", dir=parent)
    cleanup.push("temp dir", lambda: shutil.rmtree(workdir, ignore_errors=True))
    image = os.path.join(workdir, "image")
    with open(image, "wb") as f:
        f.truncate(size_bytes)
    loop = run(["losetup", "-f", "--show", image]).stdout.strip()
    cleanup.push(f"loop device {loop}", lambda: run(["losetup", "-d", loop]))
    if fs_type == "xfs":
        run(["mkfs.xfs", "-q", "-f", "-m", "rmapbt=1,reflink=1", *mkfs_args, loop])
    else:
        run(["mkfs.ext4", "-q", "-F", *mkfs_args, loop])
    mount_point = os.path.join(workdir, "mnt")
    os.mkdir(mount_point)
    run(["mount", loop, mount_point])

    def unmount():
        if subprocess.run(["umount", mount_point]).returncode != 0:
            subprocess.run(["umount", "-l", mount_point])
    cleanup.push(f"mount {mount_point}", unmount)
    return mount_point, os.path.basename(loop)


def make_xfs_with_file(cleanup, name, size_bytes):
    """An XFS on a loop device holding one synced file of random bytes.
    Returns (mount_point, device name, path of the file)."""
    mount_point, device = make_filesystem(cleanup, "xfs")
    path = os.path.join(mount_point, name)
    with open(path, "wb") as f:
        f.write(os.urandom(size_bytes))
    os.sync()
    return mount_point, device, path


class Controller:
    """A real mfr-controller on a loopback port chosen at run time."""

    def __init__(self, cleanup, extra_args=()):
        self.db = tempfile.mkdtemp(prefix="mfr-db-")
        cleanup.push("controller db", lambda: shutil.rmtree(self.db, ignore_errors=True))
        self.log = open(os.path.join(self.db, "..", os.path.basename(self.db) + ".log"), "w+")
        cleanup.push("controller log", self.log.close)
        self.proc = subprocess.Popen(
            [runfile("controller/mfr-controller"), f"--db={self.db}",
             "--listen=127.0.0.1:0", *extra_args],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        cleanup.push("controller process", self.stop)
        line = self.proc.stdout.readline()
        while line and "listening on port" not in line:
            line = self.proc.stdout.readline()
        m = re.search(r"listening on port (\d+)", line or "")
        if not m:
            raise RuntimeError("controller did not start: " + self.logs())
        self.address = f"127.0.0.1:{m.group(1)}"

    def logs(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def agent_snapshot(controller, host, *mounts):
    return run([runfile("agent/mfr-agent"), "snapshot",
                f"--controller={controller.address}", f"--host={host}", *mounts])


def mfrctl(controller, *args, check=True):
    """Runs mfrctl; returns parsed JSON for --json calls, else the process."""
    proc = subprocess.run([runfile("cli/mfrctl"), f"--controller={controller.address}", *args],
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"mfrctl {' '.join(args)} failed: {proc.stderr}")
    if check and "--json" in args:
        return json.loads(proc.stdout)
    return proc


# ------------------------------------------------------------ JUnit report

class _Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = []
        self._start = 0

    def startTest(self, test):
        self._start = time.time()
        super().startTest(test)

    def _record(self, test, outcome, text=""):
        self.records.append((test.id(), outcome, text, time.time() - self._start))

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failure", "".join(traceback.format_exception(*err)))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", "".join(traceback.format_exception(*err)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)


def main():
    """Runs the calling module's tests and writes $XML_OUTPUT_FILE."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules["__main__"])
    runner = unittest.TextTestRunner(resultclass=_Recorder, verbosity=2, stream=sys.stdout)
    result = runner.run(suite)
    out = os.environ.get("XML_OUTPUT_FILE")
    if out:
        suites = ET.Element("testsuites")
        ts = ET.SubElement(suites, "testsuite", name="integration",
                           tests=str(len(result.records)))
        for name, outcome, text, seconds in result.records:
            case = ET.SubElement(ts, "testcase", name=name, time=f"{seconds:.3f}")
            if outcome != "passed":
                ET.SubElement(case, outcome, message=text[:200]).text = text
        ET.ElementTree(suites).write(out)
    sys.exit(0 if result.wasSuccessful() else 1)
