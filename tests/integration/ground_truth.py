"""Ground truth for the reverse map, taken with the stock tools rather than
mfr's own code: `xfs_io -c 'fsmap -d -m'` (GETFSMAP, machine-readable) and
`xfs_io -c 'fiemap -v'` (FIEMAP), plus an os.walk for inode -> paths.

An owner is a tuple (category, id, file_offset_at_start):
  ("data", inode, off) ("attr", inode, off) ("bmbt", inode, None)
  ("meta", "INODES", None) ("free", None, None) ("unknown", None, None)
"""
import os
import re
import subprocess

SECTOR = 512

# XFS special owners in `fsmap -m` output: special_<type>:<code>.
_SPECIAL = {
    "0:1": ("free", None), "0:2": ("unknown", None),
    "88:1": ("meta", "FS_HEADERS"), "88:2": ("meta", "LOG"),
    "88:3": ("meta", "SPACE_BTREES"), "88:4": ("meta", "INODE_BTREES"),
    "88:5": ("meta", "INODES"), "88:6": ("meta", "REFCOUNT_BTREE"),
    "88:7": ("meta", "COW_STAGING"), "88:8": ("meta", "DEFECTIVE"),
}


class Record:
    __slots__ = ("start", "end", "category", "ident", "file_offset")

    def __init__(self, start, end, category, ident=None, file_offset=None):
        self.start, self.end = start, end
        self.category, self.ident, self.file_offset = category, ident, file_offset

    def owner_at(self, byte):
        off = None if self.file_offset is None else self.file_offset + byte - self.start
        return (self.category, self.ident, off)


def xfs_fsmap(mount_point):
    out = subprocess.run(["xfs_io", "-c", "fsmap -d -m", mount_point], check=True,
                         capture_output=True, text=True).stdout
    records = []
    for line in out.splitlines()[1:]:
        _, _, _, pstart, pend, owner, ostart, _, _ = line.split(",")
        start, end = int(pstart) * SECTOR, (int(pend) + 1) * SECTOR
        m = re.fullmatch(r"inode_(\d+)_(data|attr|bmbt)", owner)
        if m:
            kind = m.group(2)
            off = int(ostart) * SECTOR if kind != "bmbt" and ostart else None
            records.append(Record(start, end, kind, int(m.group(1)), off))
        else:
            category, ident = _SPECIAL[owner[len("special_"):]]
            records.append(Record(start, end, category, ident))
    return records


def fiemap(path):
    """Data extents of one file as Records (category 'data')."""
    out = subprocess.run(["xfs_io", "-r", "-c", "fiemap -v", path], check=True,
                         capture_output=True, text=True).stdout
    inode = os.lstat(path).st_ino
    records = []
    for m in re.finditer(r"\[(\d+)\.\.(\d+)\]:\s+(\d+)\.\.(\d+)\s+\d+\s+(0x[0-9a-f]+)", out):
        fstart, _, pstart, pend, _ = m.groups()
        records.append(Record(int(pstart) * SECTOR, (int(pend) + 1) * SECTOR, "data",
                              inode, int(fstart) * SECTOR))
    return records


def inode_paths(mount_point):
    """inode -> set of paths relative to the mount point (the root is "."),
    not crossing into other mounts."""
    root = os.lstat(mount_point)
    root_dev = root.st_dev
    paths = {root.st_ino: {"."}}
    for dirpath, dirnames, filenames in os.walk(mount_point):
        dirnames[:] = [d for d in dirnames
                       if os.lstat(os.path.join(dirpath, d)).st_dev == root_dev]
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            paths.setdefault(os.lstat(full).st_ino, set()).add(
                os.path.relpath(full, mount_point))
    return paths


def regular_files(mount_point):
    for dirpath, _, filenames in os.walk(mount_point):
        for name in filenames:
            full = os.path.join(dirpath, name)
            if os.path.isfile(full) and not os.path.islink(full):
                yield full


_CATEGORY = {
    "OWNER_KIND_FILE_DATA": "data", "OWNER_KIND_FILE_ATTR_FORK": "attr",
    "OWNER_KIND_EXTENT_MAP": "bmbt", "OWNER_KIND_METADATA": "meta",
    "OWNER_KIND_FREE_SPACE": "free", "OWNER_KIND_UNKNOWN": "unknown",
    "OWNER_KIND_NOT_IN_SNAPSHOT": "none",
}


def records_from_answer(owners):
    """mfrctl query-range --json owners -> Records."""
    out = []
    for o in owners:
        category = _CATEGORY[o["kind"]]
        start = int(o["deviceRange"]["offsetBytes"])
        end = start + int(o["deviceRange"]["lengthBytes"])
        if category in ("data", "attr"):
            out.append(Record(start, end, category, int(o["inode"]),
                              int(o["fileRange"]["offsetBytes"])))
        elif category == "bmbt":
            out.append(Record(start, end, category, int(o["inode"])))
        elif category == "meta":
            out.append(Record(start, end, category,
                              o["metadataKind"].replace("METADATA_KIND_", "")))
        else:
            out.append(Record(start, end, category))
    return out


def owners_by_piece(records, start, end):
    """Cuts [start, end) at every record boundary; returns a list of
    (piece_start, piece_end, frozenset(owners at piece_start))."""
    cuts = {start, end}
    for r in records:
        for b in (r.start, r.end):
            if start < b < end:
                cuts.add(b)
    cuts = sorted(cuts)
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        owners = frozenset(r.owner_at(a) for r in records if r.start <= a < r.end)
        pieces.append((a, b, owners))
    return pieces


def compare(truth, answer, start, end, ignore=lambda owners: False):
    """Differences between two record sets over [start, end), as text lines.
    `ignore(truth_owners)` skips pieces whose truth cannot be known."""
    relevant = [r for r in truth if r.end > start and r.start < end]
    merged = owners_by_piece(relevant + answer, start, end)
    problems = []
    for a, b, _ in merged:
        want = frozenset(r.owner_at(a) for r in relevant if r.start <= a < r.end)
        got = frozenset(r.owner_at(a) for r in answer if r.start <= a < r.end)
        if not want:
            want = frozenset([("none", None, None)])
        if want != got and not ignore(want):
            problems.append(f"[{a}, {b}): want {sorted(map(str, want))} got {sorted(map(str, got))}")
    return problems
