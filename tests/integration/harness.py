"""Shared pieces of mfr's end-to-end tests: real loop devices and
filesystems, real mfr processes, and a JUnit report for Bazel.

Everything a test creates (mounts, loop devices, processes, files) is
registered with a Cleanup stack and undone even when the test fails.
"""
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import unittest
import urllib.request
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


def why_no_fuse():
    """None when the faulty-disk FUSE fixture can run (loop devices and
    mounts too), else the reason."""
    why = why_no_loop_devices()
    if why:
        return why
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse on this machine"
    with open("/proc/filesystems") as f:
        if not any(line.split()[-1] == "fuse" for line in f if line.strip()):
            return "the kernel has no FUSE support (modprobe fuse)"
    return None


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)


_LIVE_CLEANUPS = []


def poll(predicate, seconds, interval=0.05):
    """The first truthy value of predicate() within `seconds`, else None.
    Asks once more at the deadline, so a slow predicate gets a last word."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value or None
        time.sleep(interval)


def _cleanup_on_sigterm(signum, frame):
    """Bazel's timeout sends SIGTERM: undo everything before dying."""
    for cleanup in reversed(_LIVE_CLEANUPS):
        cleanup.run_all()
    os._exit(128 + signum)


signal.signal(signal.SIGTERM, _cleanup_on_sigterm)


def stop_process(proc, timeout=10):
    """SIGTERM, then SIGKILL if it is still there after `timeout` seconds;
    reaps it either way."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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


_LOOP_CTL_ADD = 0x4C80     # linux/loop.h
_LOOP_CTL_REMOVE = 0x4C81


def unused_loop_device(cleanup, first):
    """/dev/loopN for the lowest N >= `first` with no file attached, created
    through /dev/loop-control if it does not exist yet (and then removed
    again by `cleanup`, best effort). For a test whose genuine I/O errors
    stay in the kernel ring buffer: naming a device far above the ones
    `losetup -f` hands out keeps them away from other tests' devices."""
    for n in range(first, first + 256):
        if os.path.exists(f"/sys/block/loop{n}/loop/backing_file"):
            continue  # in use
        if not os.path.exists(f"/sys/block/loop{n}"):
            fd = os.open("/dev/loop-control", os.O_RDWR)
            try:
                fcntl.ioctl(fd, _LOOP_CTL_ADD, n)
            except FileExistsError:
                pass
            finally:
                os.close(fd)
            cleanup.push(f"loop device node loop{n}", lambda n=n: _remove_loop_device(n))
        poll(lambda: os.path.exists(f"/dev/loop{n}"), 5)
        return f"/dev/loop{n}"
    raise RuntimeError(f"no unused loop device from loop{first} on")


def _remove_loop_device(n):
    fd = os.open("/dev/loop-control", os.O_RDWR)
    try:
        for _ in range(20):  # udev may still hold it after the detach
            try:
                fcntl.ioctl(fd, _LOOP_CTL_REMOVE, n)
                return
            except OSError:
                time.sleep(0.05)
    finally:
        os.close(fd)


class LiveTestCase(unittest.TestCase):
    """A test class whose fixtures need root. Subclasses set `needs` (a
    why_no_* function: a reason to skip, or None) and define
    set_up_class(cls); whatever they push on cls.cleanup is undone after
    the class, and at once when set-up fails half way."""

    needs = staticmethod(lambda: why_no_loop_devices())

    @classmethod
    def setUpClass(cls):
        why = cls.needs()
        if why:
            raise unittest.SkipTest(why)
        cls.cleanup = Cleanup()
        try:
            cls.set_up_class()
        except BaseException:
            cls.cleanup.run_all()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.run_all()


def make_filesystem(cleanup, fs_type, size_bytes=320 << 20, mkfs_args=(),
                    parent=None, image=None, loop_device=None):
    """Creates a sparse image (named "image" in a new temp dir under
    `parent`), a loop device, a filesystem and a mount. XFS gets rmapbt and
    reflink; `mkfs_args` are added to mkfs. With `image` (an existing file,
    e.g. FaultyDisk.image_path), the loop device sits on that file instead
    and `size_bytes` is not used. With `loop_device` (e.g. from
    unused_loop_device), that device is used instead of the first free one.

    Returns (mount_point, device name like 'loop3')."""
    workdir = tempfile.mkdtemp(prefix=f"mfr-{fs_type}-", dir=parent)
    cleanup.push("temp dir", lambda: shutil.rmtree(workdir, ignore_errors=True))
    if image is None:
        image = os.path.join(workdir, "image")
        with open(image, "wb") as f:
            f.truncate(size_bytes)
    if loop_device is None:
        loop = run(["losetup", "-f", "--show", image]).stdout.strip()
    else:
        loop = run(["losetup", "--show", loop_device, image]).stdout.strip()
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


class FaultyDisk:
    """The faulty-disk fixture (tests/faulty_disk): a FUSE mount serving
    `image_path`, a file of `size_bytes` whose marked byte ranges fail reads
    with EIO until they are overwritten. Put a loop device on it with
    make_filesystem(..., image=disk.image_path) for genuine kernel I/O
    errors; create the FaultyDisk first, so that the cleanup stack detaches
    the loop device before the FUSE mount goes away."""

    def __init__(self, cleanup, size_bytes=320 << 20, parent=None, timeout=10.0):
        self.workdir = tempfile.mkdtemp(prefix="mfr-faulty-disk-", dir=parent)
        cleanup.push("faulty disk dir",
                     lambda: shutil.rmtree(self.workdir, ignore_errors=True))
        self.mount_point = os.path.join(self.workdir, "mnt")
        os.mkdir(self.mount_point)
        self.image_path = os.path.join(self.mount_point, "disk.img")
        self.control_path = os.path.join(self.mount_point, "control")
        self.log = open(os.path.join(self.workdir, "faulty_disk.log"), "w+")
        cleanup.push("faulty disk log", self.log.close)
        self.proc = subprocess.Popen(
            [runfile("tests/faulty_disk/faulty_disk"), f"--size={size_bytes}",
             os.path.join(self.workdir, "backing"), self.mount_point],
            stdout=self.log, stderr=subprocess.STDOUT)
        cleanup.push(f"faulty disk at {self.mount_point}", self.stop)
        deadline = time.time() + timeout
        while not (self._mounted() and os.path.exists(self.image_path)):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("faulty_disk did not mount: " + self.logs())
            time.sleep(0.05)

    def _control(self, command):
        with open(self.control_path, "w") as f:
            f.write(command + "\n")

    def mark_bad(self, offset, length):
        """Reads touching [offset, offset + length) of the image fail."""
        self._control(f"bad {offset} {length}")

    def heal(self, offset, length):
        """The range reads normally again (without writing it)."""
        self._control(f"heal {offset} {length}")

    def clear(self):
        self._control("clear")

    def status(self):
        """{'bad': [(offset, length), ...], 'reads': n, 'reads_failed': n,
        'writes': n, 'bytes_healed': n}"""
        with open(self.control_path) as f:
            text = f.read()
        status = {"bad": []}
        for line in text.splitlines():
            words = line.split()
            if words[0] == "bad":
                status["bad"].append((int(words[1]), int(words[2])))
            else:
                status[words[0]] = int(words[1])
        return status

    def logs(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def _mounted(self):
        with open("/proc/self/mounts") as f:
            return any(line.split()[1] == self.mount_point for line in f)

    def _loop_devices(self):
        p = subprocess.run(["losetup", "-n", "-O", "NAME", "-j", self.image_path],
                           capture_output=True, text=True)
        return p.stdout.split() if p.returncode == 0 else []

    def stop(self):
        # A loop device still on the image would see its file vanish: give
        # a detach in progress (udev may hold the device briefly) time first.
        poll(lambda: not self._loop_devices(), 10, interval=0.1)
        for loop in self._loop_devices():
            print(f"faulty disk: {loop} still attached, detaching", file=sys.stderr)
            subprocess.run(["losetup", "-d", loop])
        if self._mounted():  # also when the daemon died (ENOTCONN)
            if subprocess.run(["umount", self.mount_point]).returncode != 0:
                subprocess.run(["umount", "-l", self.mount_point])
        stop_process(self.proc)


def make_xfs_on_faulty_disk(cleanup, loop_number_from, size_bytes=320 << 20):
    """An XFS (rmapbt, reflink) on a loop device numbered from
    `loop_number_from` (see unused_loop_device) over a FaultyDisk image.
    Returns (disk, mount_point, device name)."""
    # The disk goes on the cleanup stack first, so it comes off last: the
    # loop device is detached before the FUSE mount under it goes away.
    disk = FaultyDisk(cleanup, size_bytes)
    mount_point, device = make_filesystem(
        cleanup, "xfs", image=disk.image_path,
        loop_device=unused_loop_device(cleanup, loop_number_from))
    return disk, mount_point, device


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
        stop_process(self.proc)


def kmsg_records():
    """(sequence, facility, first text line) of every record now in the
    kernel ring buffer (/dev/kmsg), oldest first. Facility 0 is the kernel's
    own; user space writes facility 1 and up."""
    fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
    records = []
    try:
        while True:
            try:
                raw = os.read(fd, 8192)
            except BlockingIOError:
                break
            except BrokenPipeError:  # overrun: go on from the oldest left
                continue
            header, _, text = raw.decode(errors="replace").partition(";")
            fields = header.split(",")
            records.append((int(fields[1]), int(fields[0]) >> 3, text.split("\n")[0]))
    finally:
        os.close(fd)
    return records


def resume_kmsg_from_now(state_dir):
    """Makes an agent started with --state-dir=`state_dir` skip every kernel
    record logged so far, as one that has run on this host all along would
    (the resume point is the agent's STATE_DIR/kmsg.seq, see
    agent/sources/sequence_file.h). Returns that sequence number, or -1 for
    an empty ring buffer. Without this a fresh agent reports every I/O
    error still in the ring buffer, earlier tests' included."""
    last = max((seq for seq, _, _ in kmsg_records()), default=-1)
    if last >= 0:
        with open(os.path.join(state_dir, "kmsg.seq"), "w") as f:
            f.write(f"{last}\n")
    return last


def agent_snapshot(controller, host, *mounts):
    return run([runfile("agent/mfr-agent"), "snapshot",
                f"--controller={controller.address}", f"--host={host}", *mounts])


def free_port():
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(address):
    """{'name{labels}': value} from http://ADDRESS/metrics (labels as the
    exposition text writes them, sorted by name)."""
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=10) as r:
        text = r.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            samples[series] = float(value)
    return samples


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
