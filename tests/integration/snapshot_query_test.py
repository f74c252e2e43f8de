"""End to end: real XFS and ext4 on loop devices, a real controller and
agent, and `mfrctl query-range --json` checked against GETFSMAP/FIEMAP
ground truth taken with xfs_io, for hand-picked and random ranges."""
import os
import random
import subprocess
import unittest

import ground_truth as gt
import harness


def populate(mount_point, reflink):
    """Files, hard links, a fragmented file, reflinked copies, a sparse file."""
    m = lambda *p: os.path.join(mount_point, *p)
    os.makedirs(m("dir one", "deep"))
    for i in range(12):
        with open(m("dir one", f"small{i}"), "wb") as f:
            f.write(os.urandom(1024 * (1 + 4 * i)))
    with open(m("big"), "wb") as f:
        f.write(os.urandom(8 << 20))
    os.link(m("big"), m("dir one", "deep", "big.hardlink"))
    with open(m("frag.a"), "wb") as a, open(m("frag.b"), "wb") as b:
        for _ in range(24):  # interleaved synced appends fragment both files
            for f in (a, b):
                f.write(os.urandom(64 << 10))
                f.flush()
                os.fsync(f.fileno())
    with open(m("sparse"), "wb") as f:
        f.truncate(100 << 20)
        f.seek(50 << 20)
        f.write(os.urandom(4096))
    if reflink:
        harness.run(["cp", "--reflink=always", m("big"), m("big.reflink")])
        harness.run(["cp", "--reflink=always", m("big"), m("dir one", "big.reflink2")])
        with open(m("big.reflink"), "r+b") as f:  # unshare 1 MiB in the middle
            f.seek(2 << 20)
            f.write(os.urandom(1 << 20))
    os.sync()


class FilesystemCase:
    """Tests shared by both filesystems; mixed into a unittest.TestCase."""
    FS_TYPE = None
    HOST = None

    needs = staticmethod(harness.why_no_loop_devices)

    @classmethod
    def set_up_class(cls):
        cls.mount, cls.device = harness.make_filesystem(cls.cleanup, cls.FS_TYPE)
        populate(cls.mount, reflink=cls.FS_TYPE == "xfs")
        cls.controller = harness.Controller(cls.cleanup)
        cls.agent_output = harness.agent_snapshot(cls.controller, cls.HOST, cls.mount).stdout
        cls.truth = cls.ground_truth()
        cls.paths = gt.inode_paths(cls.mount)
        cls.device_size = os.path.getsize(os.path.join(
            os.path.dirname(cls.mount), "image"))

    def query(self, offset, length):
        return harness.mfrctl(self.controller, "query-range", f"--host={self.HOST}",
                              f"--device={self.device}", f"--offset={offset}",
                              f"--length={length}", "--json")

    def check_range(self, offset, length, ignore=lambda owners: False):
        answer = self.query(offset, length)
        owners = answer.get("owners", [])
        problems = gt.compare(self.truth, gt.records_from_answer(owners),
                              offset, offset + length, ignore)
        self.assertEqual(problems, [], f"range [{offset}, {offset + length})")
        for o in owners:
            if o["kind"] in ("OWNER_KIND_FILE_DATA", "OWNER_KIND_FILE_ATTR_FORK"):
                self.assertEqual(set(o["paths"]), self.paths[int(o["inode"])],
                                 f"paths of inode {o['inode']}")
        return owners

    def file_extents(self, name):
        return gt.fiemap(os.path.join(self.mount, name))

    def test_inside_one_file(self):
        e = self.file_extents("big")[0]
        owners = self.check_range(e.start + 4096, 8192)
        self.assertTrue(any(o.get("inode") == str(os.stat(os.path.join(self.mount, "big")).st_ino)
                            for o in owners))

    def test_across_two_files(self):
        a, b = self.file_extents("frag.a"), self.file_extents("frag.b")
        # Fragments of the two files alternate on disk: span one boundary.
        first = min(a + b, key=lambda r: r.start)
        self.check_range(first.start, (first.end - first.start) + 8192)

    def test_fragmented_file_every_extent(self):
        extents = self.file_extents("frag.a")
        self.assertGreater(len(extents), 4, "frag.a should be fragmented")
        for e in extents:
            self.check_range(e.start, e.end - e.start)

    def test_sparse_file(self):
        (e,) = self.file_extents("sparse")
        owners = self.check_range(e.start, 4096)
        self.assertEqual(int(owners[0]["fileRange"]["offsetBytes"]), 50 << 20)

    def test_random_ranges(self):
        rng = random.Random(1125)
        used_end = max(r.end for r in self.truth if r.category == "data")
        for _ in range(150):
            offset = rng.randrange(0, used_end + (1 << 20)) // 512 * 512
            length = rng.choice([1, 512, 4096, 65536, 1 << 20, 5 << 20])
            if rng.random() < 0.3:
                offset += rng.randrange(1, 511)  # unaligned ranges too
            self.check_range(offset, min(length, self.device_size - offset),
                             ignore=self.unknowable)

    def test_bad_input(self):
        cases = [
            (["--offset=0", "--length=0"], "INVALID_ARGUMENT", 2),
            (["--offset=18446744073709551615", "--length=2"], "INVALID_ARGUMENT", 2),
            (["--offset=-1", "--length=2"], "must be a non-negative integer", 2),
            ([f"--offset={self.device_size}", "--length=1"], "INVALID_ARGUMENT", 2),
        ]
        for extra, message, code in cases:
            p = harness.mfrctl(self.controller, "query-range", f"--host={self.HOST}",
                               f"--device={self.device}", *extra, check=False)
            self.assertEqual(p.returncode, code, extra)
            self.assertIn(message, p.stderr, extra)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        p = harness.mfrctl(self.controller, "query-range", "--host=nobody",
                           f"--device={self.device}", "--offset=0", "--length=1", check=False)
        self.assertIn("NOT_FOUND", p.stderr)
        p = harness.mfrctl(self.controller, "query-range", f"--host={self.HOST}",
                           "--device=sdz", "--offset=0", "--length=1", check=False)
        self.assertIn("NOT_FOUND", p.stderr)
        self.assertEqual(p.returncode, 1)

    def test_query_by_mount_point_and_hosts_listing(self):
        e = self.file_extents("big")[0]
        by_mount = harness.mfrctl(self.controller, "query-range", f"--host={self.HOST}",
                                  f"--filesystem={self.mount}", f"--offset={e.start}",
                                  "--length=4096", "--json")
        self.assertEqual(by_mount["owners"], self.query(e.start, 4096)["owners"])
        hosts = harness.mfrctl(self.controller, "hosts", "--json")["hosts"]
        self.assertEqual([h["host"] for h in hosts], [self.HOST])
        (fs,) = hosts[0]["filesystems"]
        self.assertEqual(fs["mountPoint"], self.mount)
        self.assertEqual(fs["fsType"], self.FS_TYPE)
        self.assertGreater(int(fs["records"]), 0)
        table = harness.mfrctl(self.controller, "hosts").stdout
        self.assertIn(self.HOST, table)


class XfsTest(FilesystemCase, harness.LiveTestCase):
    FS_TYPE = "xfs"
    HOST = "xfs-host"

    @classmethod
    def ground_truth(cls):
        return gt.xfs_fsmap(cls.mount)

    @staticmethod
    def unknowable(owners):
        return False  # GETFSMAP with rmapbt names every byte

    def test_agent_used_getfsmap(self):
        self.assertIn("SNAPSHOT_SOURCE_GETFSMAP", self.agent_output)

    def test_shared_extent_names_every_owner(self):
        big = os.stat(os.path.join(self.mount, "big")).st_ino
        e = self.file_extents("big")[0]
        owners = self.check_range(e.start, 4096)
        inodes = {int(o["inode"]) for o in owners}
        self.assertEqual(len(inodes), 3, owners)  # big, big.reflink, big.reflink2
        self.assertIn(big, inodes)
        self.assertTrue(all(o["shared"] for o in owners))
        self.assertEqual(set(owners[0]["paths"]) | set(owners[1]["paths"]) |
                         set(owners[2]["paths"]),
                         {"big", "dir one/deep/big.hardlink", "big.reflink",
                          "dir one/big.reflink2"})

    def test_metadata_and_free_space(self):
        for kind in ("meta", "free"):
            r = next(r for r in self.truth if r.category == kind)
            owners = self.check_range(r.start, min(r.end - r.start, 1 << 20))
            self.assertTrue(owners)

    def test_whole_first_allocation_group(self):
        self.check_range(0, 64 << 20)


class Ext4Test(FilesystemCase, harness.LiveTestCase):
    FS_TYPE = "ext4"
    HOST = "ext4-host"

    @classmethod
    def ground_truth(cls):
        records = []
        for path in gt.regular_files(cls.mount):
            records += gt.fiemap(path)
        return records

    @staticmethod
    def unknowable(owners):
        # FIEMAP names file data only; where no regular file lives, GETFSMAP's
        # metadata, free space, directories and extent blocks are not in the
        # ground truth, so only file data is compared there.
        return owners == frozenset([("none", None, None)])

    def check_range(self, offset, length, ignore=None):
        return super().check_range(offset, length, ignore=self.unknowable)

    def test_agent_used_fiemap(self):
        self.assertIn("SNAPSHOT_SOURCE_FIEMAP_WALK", self.agent_output)

    def test_outside_files_no_file_is_named(self):
        data = sorted((r.start, r.end) for r in self.truth)
        gap_start, gap_end = next((a[1], b[0]) for a, b in zip(data, data[1:])
                                  if b[0] > a[1])
        owners = self.query(gap_start, min(gap_end - gap_start, 1 << 20))["owners"]
        regular = {os.stat(p).st_ino for p in gt.regular_files(self.mount)}
        self.assertFalse([o for o in owners if int(o.get("inode", 0)) in regular])


if __name__ == "__main__":
    harness.main()
