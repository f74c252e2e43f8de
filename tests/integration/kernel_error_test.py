"""Genuine kernel I/O errors end to end. The faulty-disk FUSE fixture
serves an image whose marked sectors fail reads with EIO; a loop device and
an XFS sit on it. A real agent, reading the real /dev/kmsg and accepting
only the kernel's own records, must turn the kernel's "I/O error, dev
loopN, sector S" lines of a failed read and its retries into ONE incident
that names the damaged file and its in-file byte range, within 2 s;
rewriting the range through the file must heal the sector.

Each agent starts with its kmsg resume point at the end of the ring buffer
(harness.resume_kmsg_from_now), so I/O errors that earlier runs left there,
possibly on the same loop device and at the same sectors, never reach this
controller; each test has its own host name, so their incidents never
merge. The loop device is numbered from 64 up, so the errors this test
leaves behind name no device that other tests get from `losetup -f`.

The kernel's line names the failed request's first sector and no length,
and the agent reports that one sector. The first test puts the bad sector
on a 1 MiB boundary of the file, where the page cache's retry of the folio
holding it starts; the second shows what happens elsewhere."""
import errno
import os
import re
import subprocess
import tempfile
import threading
import time
import unittest

import ground_truth as gt
import harness

HOST = "kernel-error-host"
VICTIM = "victim.dat"
VICTIM_BYTES = 4 << 20
BAD_BYTES = 512  # one sector
PAGE = 4096
RETRIES = 2      # failed reads repeated at once, as a reader might
LATENCY_LIMIT_SECONDS = 2.0
LOOP_NUMBER_FROM = 64  # see above

KERNEL_IO_ERROR = re.compile(r"I/O error, dev (\S+), sector (\d+)")


def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def span(r):
    start = int(r["offsetBytes"])
    return start, start + int(r["lengthBytes"])


def overlaps(a, b):
    return a[0] < b[1] and b[0] < a[1]


class Agent:
    """`mfr-agent run` against the real /dev/kmsg; its output is collected
    by a thread so that waiting for a line can time out."""

    def __init__(self, controller, host, mount, state_dir):
        self.lines = []
        self._changed = threading.Condition()
        self.proc = subprocess.Popen(
            [harness.runfile("agent/mfr-agent"), "run",
             f"--controller={controller.address}", f"--host={host}",
             f"--mounts={mount}", f"--state-dir={state_dir}",
             "--interval-seconds=3600"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self):
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for_line(self, pattern, seconds=20.0):
        deadline = time.time() + seconds
        with self._changed:
            while not any(re.search(pattern, line) for line in self.lines):
                left = deadline - time.time()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"agent never printed /{pattern}/:\n"
                                         + "\n".join(self.lines))
                self._changed.wait(min(left, 0.2))

    def stop(self):
        harness.stop_process(self.proc)


class KernelErrorTest(harness.LiveTestCase):
    needs = staticmethod(harness.why_no_fuse)

    @classmethod
    def set_up_class(cls):
        cls.disk, cls.mount, cls.device = (
            harness.make_xfs_on_faulty_disk(cls.cleanup, LOOP_NUMBER_FROM))
        cls.victim_data = cls.write_files()
        cls.victim = os.path.join(cls.mount, VICTIM)
        cls.extents = gt.fiemap(cls.victim)
        cls.controller = harness.Controller(cls.cleanup)

    @classmethod
    def write_files(cls):
        """The victim between two bystanders, all synced to the disk."""
        for name, size in (("before.dat", 1 << 20), (VICTIM, VICTIM_BYTES),
                           ("after.dat", 256 << 10)):
            data = os.urandom(size)
            with open(os.path.join(cls.mount, name), "wb") as f:
                f.write(data)
            if name == VICTIM:
                victim_data = data
        os.sync()
        return victim_data

    # ------------------------------------------------------------ steps

    def start_agent(self, host):
        """An agent for `host` that reads only kernel records logged from
        now on; returns it and the sequence number it resumes after."""
        self.host = host
        state = tempfile.mkdtemp(prefix="mfr-agent-state-")
        self.addCleanup(subprocess.run, ["rm", "-rf", state])
        start = harness.resume_kmsg_from_now(state)
        agent = Agent(self.controller, host, self.mount, state)
        self.addCleanup(agent.stop)
        agent.wait_for_line(r"detection: reading")
        agent.wait_for_line(r"snapshot .*records")  # the reverse map is in
        self.assertEqual(self.incidents(), [], "incidents before any error")
        return agent, start

    def mark_bad(self, file_offset):
        """Marks BAD_BYTES of the victim at `file_offset` bad on the disk;
        returns the device (= image) byte range."""
        for e in self.extents:
            if e.file_offset <= file_offset < e.file_offset + (e.end - e.start):
                start = e.start + file_offset - e.file_offset
                break
        else:
            raise AssertionError(f"file offset {file_offset} is in no extent")
        drop_caches()  # every read below goes to the disk
        self.disk.mark_bad(start, BAD_BYTES)
        self.addCleanup(self.disk.heal, start, BAD_BYTES)
        print(f"\nbad: {self.device} bytes {start}+{BAD_BYTES} (sector "
              f"{start // 512}) = {VICTIM} bytes {file_offset}+{BAD_BYTES}")
        return start, start + BAD_BYTES

    def read_until_error(self):
        """Reads the victim front to back like `cat`; returns (position of
        the failed read, the moment it failed)."""
        with open(self.victim, "rb", buffering=0) as f:
            position = 0
            while True:
                try:
                    chunk = f.read(64 << 10)
                except OSError as e:
                    self.assertEqual(e.errno, errno.EIO)
                    return position, time.monotonic()
                if not chunk:
                    self.fail("the victim read back whole: no I/O error")
                position += len(chunk)

    def retry_read(self, position, times):
        """Each read goes to the device again: the failed pages were never
        made uptodate."""
        fd = os.open(self.victim, os.O_RDONLY)
        try:
            for _ in range(times):
                with self.assertRaises(OSError) as caught:
                    os.pread(fd, 64 << 10, position)
                self.assertEqual(caught.exception.errno, errno.EIO)
        finally:
            os.close(fd)

    def incidents(self):
        return harness.mfrctl(self.controller, "incidents", f"--host={self.host}",
                              "--json").get("incidents", [])

    def incidents_over(self, device_range):
        return [i for i in self.incidents() if overlaps(span(i["range"]), device_range)]

    def wait_for_incident(self, device_range, seconds=10.0):
        if harness.poll(lambda: self.incidents_over(device_range), seconds):
            return time.monotonic()
        self.fail(f"no incident over device bytes {device_range} in {seconds} s")

    def kernel_sectors(self, after, agent):
        """Sectors of this device's kernel I/O error lines logged after
        sequence `after`; prints those lines and what the agent detected."""
        lines = [text for seq, facility, text in harness.kmsg_records()
                 if seq > after and facility == 0 and KERNEL_IO_ERROR.search(text)]
        print("kernel:\n  " + "\n  ".join(lines))
        print("agent:\n  " + "\n  ".join(l for l in agent.lines if "detected" in l))
        return [int(m.group(2)) for m in map(KERNEL_IO_ERROR.search, lines)
                if m.group(1) == self.device]

    def victim_range(self, incident):
        """Checks that the incident's file owners are the victim alone;
        returns the in-file byte range they cover and prints it."""
        files = [o for o in incident["owners"] if o["kind"] == "OWNER_KIND_FILE_DATA"]
        self.assertTrue(files, incident)
        self.assertEqual({p for o in files for p in o["paths"]}, {VICTIM}, incident)
        ranges = [span(o["fileRange"]) for o in files]
        covered = min(a for a, _ in ranges), max(b for _, b in ranges)
        print(f"incident {incident['id']}: {self.device} bytes {span(incident['range'])}, "
              f"{len(incident['reportIds'])} report(s): {VICTIM} bytes {covered}")
        return covered

    # ------------------------------------------------------------ tests

    def test_1_read_error_is_one_incident_and_a_rewrite_heals_it(self):
        agent, kmsg_start = self.start_agent(HOST)
        bad_file = (1 << 20, (1 << 20) + BAD_BYTES)
        bad = self.mark_bad(bad_file[0])
        position, failed_at = self.read_until_error()
        self.retry_read(position, RETRIES)  # an application that insists
        latency = self.wait_for_incident(bad) - failed_at
        print(f"the read failed at file position {position}; "
              f"read error -> incident visible: {latency:.3f} s")
        # The agent has sent its report: a later retry is a new report,
        # which the controller must merge into the same incident.
        self.retry_read(position, 1)
        time.sleep(2.0)  # merged, reported and stored
        agent.stop()

        sectors = self.kernel_sectors(kmsg_start, agent)
        self.assertGreaterEqual(sectors.count(bad[0] // 512), 2 + RETRIES,
                                "kernel lines naming the bad sector")
        over = self.incidents_over(bad)
        self.assertEqual(len(over), 1, over)
        incident = harness.mfrctl(self.controller, "incident", over[0]["id"], "--json")
        in_file = self.victim_range(incident)
        self.assertGreaterEqual(len(incident["reportIds"]), 2, "the late retry's report")
        self.assertLessEqual(in_file[0], bad_file[0])
        self.assertGreaterEqual(in_file[1], bad_file[1])
        self.assertLessEqual(in_file[1], VICTIM_BYTES)
        self.assertLess(latency, LATENCY_LIMIT_SECONDS)
        for other in self.incidents():
            if other["id"] != incident["id"]:  # e.g. a failed readahead's start
                print("also ", end="")
                self.victim_range(other)
        listed = harness.mfrctl(self.controller, "files", f"--host={HOST}", "--json")
        self.assertIn(VICTIM, [p for f in listed["files"] for p in f["paths"]])
        self.assertGreaterEqual(self.disk.status()["reads_failed"], 1 + RETRIES)
        self.rewrite_heals(bad_file)

    def rewrite_heals(self, bad_file):
        """Overwriting the page that holds the bad sector remaps it."""
        page = bad_file[0] - bad_file[0] % PAGE
        fresh = os.urandom(PAGE)
        drop_caches()
        before = self.disk.status()
        fd = os.open(self.victim, os.O_WRONLY)
        try:
            self.assertEqual(os.pwrite(fd, fresh, page), PAGE)
            os.fsync(fd)
        finally:
            os.close(fd)
        status = self.disk.status()
        print(f"after the rewrite: {status}")
        self.assertEqual(status["bad"], [])
        self.assertEqual(status["bytes_healed"] - before["bytes_healed"], BAD_BYTES)
        drop_caches()
        with open(self.victim, "rb") as f:
            data = f.read()
        self.victim_data = self.victim_data[:page] + fresh + self.victim_data[page + PAGE:]
        self.assertTrue(data == self.victim_data, "the victim's contents after the rewrite")

    def test_2_bad_sector_inside_a_folio(self):
        """The retried folio starts 8 KiB before the bad sector, so its
        kernel line names a healthy sector. The controller has the agent
        probe the neighbourhood with direct reads, and the incident names
        exactly the bad sector and its file bytes, not the healthy ones
        the kernel named."""
        agent, kmsg_start = self.start_agent(HOST + "-2")
        bad_file_offset = (2 << 20) + (8 << 10)
        bad = self.mark_bad(bad_file_offset)
        self.read_until_error()
        time.sleep(2.0)  # reported and stored
        agent.stop()
        sectors = self.kernel_sectors(kmsg_start, agent)
        self.assertTrue(sectors, f"the kernel logged no I/O error on {self.device}")
        everything = self.incidents()
        self.assertTrue(everything, "no incident at all")
        for incident in everything:
            in_file = self.victim_range(incident)
            self.assertLessEqual(in_file[1], VICTIM_BYTES)
        over = [i for i in self.incidents_over(bad)
                if i["state"] != "INCIDENT_STATE_RESOLVED"]
        self.assertEqual(len(over), 1, over)
        self.assertEqual(span(over[0]["range"]), bad, "narrowed to the bad sector")
        self.assertEqual(self.victim_range(over[0]),
                         (bad_file_offset, bad_file_offset + BAD_BYTES))
        self.assertNotIn(bad[0] // 512, sectors[:1], "the kernel named another sector")


if __name__ == "__main__":
    harness.main()
