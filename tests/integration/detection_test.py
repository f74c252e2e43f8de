"""Detection end to end: a real agent reads the real /dev/kmsg and reports
through its durable outbox to a real controller.

Real kernel I/O errors need the faulty-disk FUSE fixture (not built yet);
here the lines are written into /dev/kmsg from user space, which the agent
refuses unless started with --accept-user-kmsg-for-testing — and the test
checks that refusal too."""
import os
import signal
import subprocess
import tempfile
import time
import unittest

import ground_truth as gt
import harness

HOST = "detect-host"


def kmsg(line):
    with open("/dev/kmsg", "w") as f:
        f.write(line + "\n")


def io_error(device, sector):
    return (f"blk_update_request: I/O error, dev {device}, sector {sector} "
            "op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0")


class DetectionTest(harness.LiveTestCase):
    needs = staticmethod(harness.why_no_loop_devices)

    @classmethod
    def set_up_class(cls):
        cls.mount, cls.device, victim = harness.make_xfs_with_file(
            cls.cleanup, "victim.dat", 4 << 20)
        cls.extent = gt.fiemap(victim)[0]
        cls.state = tempfile.mkdtemp(prefix="mfr-agent-state-")
        harness.resume_kmsg_from_now(cls.state)  # older errors are not ours
        cls.cleanup.push("agent state", lambda: subprocess.run(["rm", "-rf", cls.state]))
        cls.controller = harness.Controller(cls.cleanup)

    def start_agent(self, *extra, controller=None):
        address = controller or self.controller.address
        proc = subprocess.Popen(
            [harness.runfile("agent/mfr-agent"), "run", f"--controller={address}",
             f"--host={HOST}", f"--mounts={self.mount}", f"--state-dir={self.state}",
             "--interval-seconds=3600", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

        def stop():
            harness.stop_process(proc)
        self.addCleanup(stop)
        deadline = time.time() + 20
        for line in proc.stdout:  # ready once the first snapshot is stored
            if "snapshot " in line and "records" in line:
                break
            if time.time() > deadline:
                raise AssertionError("agent did not snapshot in time")
        return proc, stop

    def incidents(self):
        return harness.mfrctl(self.controller, "incidents", f"--host={HOST}",
                              "--json").get("incidents", [])

    def wait_for(self, predicate, seconds=5.0):
        return harness.poll(predicate, seconds, interval=0.1)

    def test_1_user_lines_are_refused_by_default(self):
        _, stop = self.start_agent()
        kmsg(io_error(self.device, self.extent.start // 512 + 64))
        time.sleep(1.5)
        stop()
        self.assertEqual(self.incidents(), [])

    def test_2_page_retries_become_one_incident_naming_the_file(self):
        _, stop = self.start_agent("--accept-user-kmsg-for-testing")
        first = self.extent.start // 512 + 2048  # 1 MiB into the file
        started = time.time()
        for page in range(8):  # the kernel retries page by page
            kmsg(io_error(self.device, first + 8 * page))
        found = self.wait_for(lambda: [i for i in self.incidents()
                                       if int(i["range"]["offsetBytes"]) == first * 512])
        latency = time.time() - started
        self.assertTrue(found, "no incident")
        self.assertLess(latency, 3.0)
        time.sleep(1.0)  # let every page arrive
        stop()
        mine = [i for i in self.incidents()
                if abs(int(i["range"]["offsetBytes"]) - first * 512) < (1 << 20)]
        self.assertEqual(len(mine), 1, mine)
        incident = mine[0]
        files = [o for o in incident["owners"] if o["kind"] == "OWNER_KIND_FILE_DATA"]
        self.assertEqual(files[0]["paths"], ["victim.dat"])
        self.assertEqual(int(files[0]["fileRange"]["offsetBytes"]),
                         (1 << 20) + self.extent.file_offset)

        # A restarted agent resumes after what it reported: nothing twice.
        before = len(self.incidents())
        _, stop = self.start_agent("--accept-user-kmsg-for-testing")
        time.sleep(1.5)
        stop()
        after = self.incidents()
        self.assertEqual(len(after), before)
        self.assertEqual(after[-1]["reportIds"], incident["reportIds"])

    def test_3_reports_wait_in_the_outbox_while_the_controller_is_down(self):
        # The agent talks to a port where nothing listens yet.
        down = "127.0.0.1:1"
        proc = subprocess.Popen(
            [harness.runfile("agent/mfr-agent"), "run", f"--controller={down}",
             f"--host={HOST}", f"--mounts={self.mount}", f"--state-dir={self.state}",
             "--interval-seconds=3600", "--accept-user-kmsg-for-testing"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        sector = self.extent.start // 512 + 4096  # 2 MiB into the file
        kmsg(io_error(self.device, sector))
        time.sleep(1.5)  # merged and stored in the outbox
        proc.terminate()
        proc.wait(timeout=10)
        self.assertFalse([i for i in self.incidents()
                          if int(i["range"]["offsetBytes"]) == sector * 512])
        # Restarted against the live controller: the stored report arrives once.
        _, stop = self.start_agent("--accept-user-kmsg-for-testing")
        found = self.wait_for(lambda: [i for i in self.incidents()
                                       if int(i["range"]["offsetBytes"]) == sector * 512])
        stop()
        self.assertTrue(found, "the outbox did not deliver")
        self.assertEqual(len(found), 1)

    def test_4_agent_killed_mid_stream_loses_and_repeats_nothing(self):
        proc, _ = self.start_agent("--accept-user-kmsg-for-testing")
        # Ten failures 2 MiB apart (each its own incident), then SIGKILL
        # while they are being parsed, merged, stored and sent.
        base = self.extent.start // 512 + 8192
        sectors = [base + i * 4096 for i in range(10)]
        for sector in sectors:
            kmsg(io_error(self.device, sector))
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        _, stop = self.start_agent("--accept-user-kmsg-for-testing")

        def mine():
            return [i for i in self.incidents()
                    if int(i["range"]["offsetBytes"]) // 512 in sectors]
        self.wait_for(lambda: len({int(i["range"]["offsetBytes"]) for i in mine()})
                      == len(sectors), seconds=15)
        time.sleep(1.0)  # anything sent twice would have arrived by now
        stop()
        found = mine()
        self.assertEqual(sorted(int(i["range"]["offsetBytes"]) // 512 for i in found),
                         sectors, "every failure once, none lost")
        ids = [r for i in found for r in i["reportIds"]]
        self.assertEqual(len(ids), len(set(ids)), "no report recorded twice")


if __name__ == "__main__":
    harness.main()
