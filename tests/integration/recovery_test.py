"""Recovery end to end, as root, on a real XFS over a loop device over the
faulty-disk FUSE fixture: a real controller plans, a real agent verifies
live and acts, the fixture shows what reached the "disk".

Damage is reported with `mfrctl report` (what the kernel line would say),
so every case controls exactly which bytes are bad:
- page cache saves the data: cached pages are written back, the disk heals
  the sector on write, and the file reads back whole after dropping caches;
- not cached: the same flow ends DATA_LOST with the exact file bytes;
- DAX (through the agent's --dax-paths-for-testing seam): only the process
  that maps the damaged range dies, of SIGBUS, and the audit names it;
- stale snapshot: the file was replaced after the snapshot: the agent
  refuses, nothing is written or killed, a fresh snapshot is asked for;
- reflink: both owners of a shared extent are handled;
- dry run (policy file reloaded live): nothing killed, nothing written, the
  audit says what would have been done."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import ground_truth as gt
import harness

HOST = "recovery-host"
PAGE = 4096
FILE_BYTES = 1 << 20
LOOP_NUMBER_FROM = 96  # far from `losetup -f` (see kernel_error_test)

MAPPER = """
import mmap, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
m = mmap.mmap(fd, int(sys.argv[3]), mmap.MAP_SHARED, mmap.PROT_READ,
              offset=int(sys.argv[2]))
m[0]
print("ready", flush=True)
time.sleep(600)
"""


def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def physical(path, file_offset):
    for e in gt.fiemap(path):
        if e.file_offset <= file_offset < e.file_offset + (e.end - e.start):
            return e.start + file_offset - e.file_offset
    raise AssertionError(f"{path}: offset {file_offset} is in no extent")


class RecoveryTest(harness.LiveTestCase):
    needs = staticmethod(harness.why_no_fuse)

    @classmethod
    def set_up_class(cls):
        cls.disk, cls.mount, cls.device = (
            harness.make_xfs_on_faulty_disk(cls.cleanup, LOOP_NUMBER_FROM))
        cls.data = {}
        os.mkdir(os.path.join(cls.mount, "dax"))
        for name in ("cached.dat", "uncached.dat", "dax/mapped.dat",
                     "dax/other.dat", "doomed.dat", "orig.dat",
                     "dax/dry.dat", "spacer.dat"):
            cls.write(name)
        harness.run(["cp", "--reflink=always", os.path.join(cls.mount, "orig.dat"),
                     os.path.join(cls.mount, "copy.dat")])
        os.sync()
        cls.policy = os.path.join(tempfile.mkdtemp(prefix="mfr-policy-"), "policy")
        cls.cleanup.push("policy", lambda: harness.run(["rm", "-rf", os.path.dirname(cls.policy)]))
        with open(cls.policy, "w") as f:
            f.write("# defaults\n")
        cls.controller_metrics = f"127.0.0.1:{harness.free_port()}"
        cls.agent_metrics = f"127.0.0.1:{harness.free_port()}"
        cls.controller = harness.Controller(
            cls.cleanup, [f"--policy={cls.policy}",
                          f"--metrics-listen={cls.controller_metrics}"])
        cls.state = tempfile.mkdtemp(prefix="mfr-agent-state-")
        cls.cleanup.push("agent state", lambda: harness.run(["rm", "-rf", cls.state]))
        harness.resume_kmsg_from_now(cls.state)
        cls.agent_log = open(os.path.join(cls.state, "..", os.path.basename(cls.state) + ".log"), "w+")
        cls.cleanup.push("agent log", cls.agent_log.close)
        cls.agent = subprocess.Popen(
            [harness.runfile("agent/mfr-agent"), "run",
             f"--controller={cls.controller.address}", f"--host={HOST}",
             f"--mounts={cls.mount}", f"--state-dir={cls.state}",
             "--interval-seconds=3600",
             f"--dax-paths-for-testing={cls.mount}/dax/",
             f"--metrics-listen={cls.agent_metrics}"],
            stdout=cls.agent_log, stderr=subprocess.STDOUT)
        cls.cleanup.push("agent", lambda: harness.stop_process(cls.agent))
        cls.wait_for(lambda: "snapshot " in cls.agent_text() and "records" in cls.agent_text(),
                     "the agent's first snapshot")

    @classmethod
    def write(cls, name):
        data = os.urandom(FILE_BYTES)
        path = os.path.join(cls.mount, name)
        with open(path, "wb") as f:
            f.write(data)
            os.fsync(f.fileno())
        cls.data[name] = data

    @classmethod
    def agent_text(cls):
        cls.agent_log.flush()
        with open(cls.agent_log.name) as f:
            return f.read()

    @classmethod
    def wait_for(cls, predicate, what, seconds=30):
        value = harness.poll(predicate, seconds, interval=0.1)
        if value:
            return value
        raise AssertionError(f"timed out waiting for {what}\nagent:\n{cls.agent_text()}\n"
                             f"controller:\n{cls.controller.logs()}")

    # ------------------------------------------------------------ helpers

    def report(self, device_offset, length=PAGE):
        out = harness.mfrctl(self.controller, "report", f"--host={HOST}",
                             f"--device={self.device}", f"--offset={device_offset}",
                             f"--length={length}", "--json")
        return out["incidentId"]

    def incident(self, incident_id):
        return harness.mfrctl(self.controller, "incident", incident_id, "--json")

    def settled(self, incident_id):
        """The incident once no action is pending."""
        def done():
            i = self.incident(incident_id)
            return i if i["state"] != "INCIDENT_STATE_OPEN" else None
        return self.wait_for(done, f"{incident_id} to settle")

    def owner(self, incident, path):
        for o in incident["owners"]:
            if path in o.get("paths", []):
                return o
        self.fail(f"no owner {path} in {incident['owners']}")

    def start_mapper(self, name, offset, length):
        p = subprocess.Popen([sys.executable, "-c", MAPPER, os.path.join(self.mount, name),
                              str(offset), str(length)], stdout=subprocess.PIPE, text=True)
        self.addCleanup(lambda: (p.poll() is None and p.kill(), p.wait()))
        self.assertEqual(p.stdout.readline().strip(), "ready")
        return p

    def set_policy(self, text):
        with open(self.policy, "w") as f:
            f.write(text)
        time.sleep(1.2)  # the controller rereads it at most once a second

    def read(self, name):
        with open(os.path.join(self.mount, name), "rb") as f:
            return f.read()

    # ------------------------------------------------------------ cases

    def test_page_cache_saves_the_data(self):
        name, at = "cached.dat", 256 << 10
        self.assertEqual(self.read(name), self.data[name])  # all cached
        start = physical(os.path.join(self.mount, name), at)
        self.disk.mark_bad(start, PAGE)
        self.addCleanup(self.disk.heal, start, PAGE)
        incident = self.settled(self.report(start))
        self.assertEqual(incident["state"], "INCIDENT_STATE_RECOVERED", incident["audit"])
        owner = self.owner(incident, name)
        self.assertEqual(owner["state"], "INCIDENT_STATE_RECOVERED")
        self.assertEqual([tuple(int(r[k]) for k in ("offsetBytes", "lengthBytes"))
                          for r in owner["recoveredFileRanges"]], [(at, PAGE)])
        self.assertNotIn((start, PAGE), self.disk.status()["bad"], "the write healed it")
        drop_caches()
        self.assertEqual(self.read(name), self.data[name], "byte-identical after a cold read")

    def test_not_cached_is_data_loss_with_exact_bytes(self):
        name, at = "uncached.dat", 512 << 10
        start = physical(os.path.join(self.mount, name), at)
        self.disk.mark_bad(start, PAGE)
        self.addCleanup(self.disk.heal, start, PAGE)
        drop_caches()
        writes_before = self.disk.status()["writes"]
        incident = self.settled(self.report(start))
        self.assertEqual(incident["state"], "INCIDENT_STATE_DATA_LOST", incident["audit"])
        owner = self.owner(incident, name)
        self.assertEqual([(int(r["offsetBytes"]), int(r["lengthBytes"]))
                          for r in owner["lostFileRanges"]], [(at, PAGE)])
        self.assertIn((start, PAGE), self.disk.status()["bad"], "nothing was written there")
        files = harness.mfrctl(self.controller, "files", f"--host={HOST}",
                               "--state=data_lost", "--json").get("files", [])
        self.assertIn(name, [p for f in files for p in f["paths"]])
        print(f"\nnot cached: {name} bytes {at}+{PAGE} lost; disk writes during "
              f"recovery: {self.disk.status()['writes'] - writes_before}")
        # Prometheus sees it: the data-loss gauge by host, the agent's counts.
        controller = harness.scrape(self.controller_metrics)
        self.assertGreaterEqual(controller[
            f'mfr_controller_affected_files{{host="{HOST}",state="data_lost"}}'], 1)
        agent = harness.scrape(self.agent_metrics)
        self.assertGreaterEqual(agent['mfr_agent_lost_bytes_total'], PAGE)
        self.assertGreaterEqual(
            agent['mfr_agent_actions_total{action="rewrite",outcome="done"}'], 1)
        self.assertEqual(agent['mfr_agent_controller_connected'], 1)

    def test_dax_kill_only_the_mapper_of_the_damaged_range(self):
        name, at = "dax/mapped.dat", 128 << 10
        victim = self.start_mapper(name, 0, 256 << 10)            # maps `at`
        bystander = self.start_mapper(name, 768 << 10, 256 << 10)  # same file
        other = self.start_mapper("dax/other.dat", 0, 256 << 10)   # other file
        start = physical(os.path.join(self.mount, name), at)
        incident = self.settled(self.report(start))
        self.assertEqual(victim.wait(timeout=10), -signal.SIGBUS)
        self.assertIsNone(bystander.poll())
        self.assertIsNone(other.poll())
        audit = "\n".join(incident["audit"])
        self.assertIn(f"signalled pid {victim.pid} ", audit)
        self.assertNotIn(f"pid {bystander.pid} ", audit)
        self.assertNotIn("pid 1 ", audit)
        # DAX poison: stopping the mappers contains it; the bytes are lost.
        self.assertEqual(incident["state"], "INCIDENT_STATE_DATA_LOST", audit)

    def test_stale_snapshot_refuses_to_act(self):
        name = "doomed.dat"
        path = os.path.join(self.mount, name)
        start = physical(path, 0)
        os.unlink(path)
        for _ in range(3):  # background inode inactivation frees the blocks
            os.sync()
            time.sleep(0.2)
        with open(os.path.join(self.mount, "newcomer.dat"), "wb") as f:
            f.write(os.urandom(FILE_BYTES))
            os.fsync(f.fileno())
        reused = physical(os.path.join(self.mount, "newcomer.dat"), 0) == start
        mapper = self.start_mapper("newcomer.dat", 0, PAGE)
        incident = self.settled(self.report(start))
        outcomes = [a.get("result", {}).get("outcome") for a in incident["actions"]]
        self.assertEqual(outcomes[0], "ACTION_OUTCOME_STALE", incident["audit"])
        self.assertTrue(any("refreshSnapshot" in a["action"] for a in incident["actions"]))
        self.assertIsNone(mapper.poll(), "nothing killed")
        if reused:  # the newcomer owns the range now: an operator decides
            self.assertEqual(incident["state"], "INCIDENT_STATE_NEEDS_ATTENTION",
                             incident["audit"])
        print(f"\nstale: blocks {'were' if reused else 'were not'} reused by the newcomer; "
              f"final state {incident['state']}")

    def test_reflinked_extent_both_owners_handled(self):
        at = 64 << 10
        for name in ("orig.dat", "copy.dat"):
            self.assertEqual(self.read(name), self.data["orig.dat"])  # cached
        start = physical(os.path.join(self.mount, "orig.dat"), at)
        self.assertEqual(start, physical(os.path.join(self.mount, "copy.dat"), at))
        incident = self.settled(self.report(start))
        rewrites = [a for a in incident["actions"] if "rewrite" in a["action"]]
        self.assertEqual(sorted(a["action"]["rewrite"]["target"]["path"] for a in rewrites),
                         ["copy.dat", "orig.dat"])
        for name in ("orig.dat", "copy.dat"):
            self.assertEqual(self.owner(incident, name)["state"], "INCIDENT_STATE_RECOVERED",
                             incident["audit"])
        drop_caches()
        for name in ("orig.dat", "copy.dat"):
            self.assertEqual(self.read(name), self.data["orig.dat"])

    def test_dry_run_changes_nothing(self):
        self.set_policy("dry_run: true\n")
        self.addCleanup(self.set_policy, "# the defaults again\n")
        name, at = "dax/dry.dat", 0
        mapper = self.start_mapper(name, 0, PAGE)
        start = physical(os.path.join(self.mount, name), at)
        incident = self.settled(self.report(start))
        self.assertIsNone(mapper.poll(), "a dry run kills nothing")
        self.assertTrue(all(a["action"]["dryRun"] for a in incident["actions"]))
        audit = "\n".join(incident["audit"])
        self.assertIn(f"would signal pid {mapper.pid} ", audit)
        self.assertEqual(incident["state"], "INCIDENT_STATE_NEEDS_ATTENTION")


if __name__ == "__main__":
    harness.main()
