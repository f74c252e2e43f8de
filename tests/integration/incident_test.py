"""Reports become incidents: a real XFS on a loop device, a real controller
and agent; `mfrctl report` on a range under a known file must produce an
incident naming that file and its in-file byte range; repeated and adjacent
reports merge; `mfrctl files` lists the damaged file; watch sees changes."""
import os
import subprocess
import time
import unittest

import ground_truth as gt
import harness

HOST = "incident-host"


class IncidentTest(harness.LiveTestCase):
    needs = staticmethod(harness.why_no_loop_devices)

    @classmethod
    def set_up_class(cls):
        cls.mount, cls.device, victim = harness.make_xfs_with_file(
            cls.cleanup, "victim.dat", 1 << 20)
        cls.controller = harness.Controller(cls.cleanup)
        harness.agent_snapshot(cls.controller, HOST, cls.mount)
        cls.extent = gt.fiemap(victim)[0]
        cls.inode = os.stat(victim).st_ino

    def report(self, offset, length, check=True):
        return harness.mfrctl(self.controller, "report", f"--host={HOST}",
                              f"--device={self.device}", f"--offset={offset}",
                              f"--length={length}", "--json", check=check)

    def test_report_names_the_file_and_merges_retries(self):
        base = self.extent.start + 8192
        first = self.report(base, 4096)["incidentId"]
        # The kernel retries page by page: adjacent reports are one incident.
        self.assertEqual(self.report(base + 4096, 4096)["incidentId"], first)
        again = self.report(base, 4096)
        self.assertEqual(again["incidentId"], first)
        self.assertTrue(again["duplicate"])
        incident = harness.mfrctl(self.controller, "incident", first, "--json")
        self.assertEqual(incident["state"], "INCIDENT_STATE_OPEN")
        self.assertEqual(incident["severity"], "SEVERITY_CRITICAL")
        self.assertEqual(int(incident["range"]["lengthBytes"]), 8192)
        files = [o for o in incident["owners"] if o["kind"] == "OWNER_KIND_FILE_DATA"]
        self.assertEqual(len(files), 1, incident["owners"])
        self.assertEqual(int(files[0]["inode"]), self.inode)
        self.assertEqual(files[0]["paths"], ["victim.dat"])
        self.assertEqual(files[0]["mountPoint"], self.mount)
        self.assertEqual(int(files[0]["fileRange"]["offsetBytes"]),
                         8192 + self.extent.file_offset)
        self.assertEqual(int(files[0]["fileRange"]["lengthBytes"]), 8192)
        self.assertEqual(incident["chain"][0]["device"], self.device)
        listed = harness.mfrctl(self.controller, "files", f"--host={HOST}",
                                "--state=open", "--json")["files"]
        self.assertIn("victim.dat", [p for f in listed for p in f["paths"]])
        table = harness.mfrctl(self.controller, "incident", first).stdout
        self.assertIn("victim.dat", table)

    def test_free_space_is_info(self):
        free = next(r for r in gt.xfs_fsmap(self.mount) if r.category == "free")
        incident_id = self.report(free.start, 4096)["incidentId"]
        incident = harness.mfrctl(self.controller, "incident", incident_id, "--json")
        self.assertEqual(incident["severity"], "SEVERITY_INFO")

    def test_bad_reports(self):
        for extra, message in [
            (["--device=sdz", "--offset=0", "--length=1"], "NOT_FOUND"),
            ([f"--device={self.device}", "--offset=0", "--length=0"], "INVALID_ARGUMENT"),
            ([f"--device={self.device}", f"--offset={1 << 40}", "--length=1"],
             "INVALID_ARGUMENT"),
        ]:
            p = harness.mfrctl(self.controller, "report", f"--host={HOST}", *extra,
                               check=False)
            self.assertNotEqual(p.returncode, 0, extra)
            self.assertIn(message, p.stderr, extra)
        p = harness.mfrctl(self.controller, "incident", "inc-999999", check=False)
        self.assertIn("NOT_FOUND", p.stderr)

    def test_watch_sees_new_incidents(self):
        watch = subprocess.Popen(
            [harness.runfile("cli/mfrctl"), f"--controller={self.controller.address}",
             "watch", f"--host={HOST}", "--timeout-seconds=10", "--json"],
            stdout=subprocess.PIPE, text=True)
        try:
            time.sleep(1)  # let the watch subscribe
            incident_id = self.report(self.extent.start + (512 << 10), 4096)["incidentId"]
            line = watch.stdout.readline()
            self.assertIn(incident_id, line)
        finally:
            watch.kill()
            watch.wait()


if __name__ == "__main__":
    harness.main()
