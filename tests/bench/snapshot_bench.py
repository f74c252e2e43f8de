"""snapshot_bench: a real XFS snapshot end to end, next to the raw GETFSMAP rate.

Needs root (loop devices, mkfs.xfs, mount); without it, says so and exits 0.

In one run it:
  1. makes a sparse image in a temporary directory, a loop device over it
     and an XFS with rmapbt=1, reflink=1 and 1 KiB blocks, mounted;
  2. fills it with >= --records GETFSMAP records quickly: files with a
     one-block fallocate at every other offset (one unwritten extent, one
     rmap record each; a process per core), plus a small written file and a
     few reflinked (FICLONE) copies of it, whose extents have several owners;
  3. --runs times, alternating so that both see the same machine:
     (a) times fsmap_dump (ForEachFsmapBatch over the whole data device),
     (b) times `mfr-agent snapshot MOUNT` into one real `mfr-controller`
     (separate processes, loopback, port 0; each run is the filesystem's
     next generation): records/s from the agent's own timing (upload start
     to the controller's commit) and from the process's wall time;
  4. prints every run's ratio (b)/(a), their median, and the peak RSS of
     both processes next to the targets.
Every mount, loop device, process and temporary file is removed at the end,
also when a step fails or the run is interrupted. Figures are printed, never
asserted: the exit code says only whether the run worked.
"""
import argparse
import ctypes
import fcntl
import multiprocessing
import os
import re
import signal
import statistics
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import harness  # noqa: E402  (shared loop-device and binary helpers)

BLOCK = 1024  # mkfs.xfs -b size=1024: many records per GB of image
TARGET_RATIO = 0.8
TARGET_AGENT_RSS_MB = 64

FICLONERANGE = 0x4020940D  # _IOW(0x94, 13, struct file_clone_range)


def log(msg):
    print(msg, flush=True)


def allocate_every_other_block(path, extents):
    """One fallocate per block at every other file offset: each call leaves a
    separate one-block unwritten extent (one rmap record), no data written."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
    fallocate = libc.fallocate
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        for i in range(extents):
            if fallocate(fd, 0, 2 * i * BLOCK, BLOCK) != 0:
                err = ctypes.get_errno()
                raise OSError(err, f"fallocate of {path} block {2 * i}: {os.strerror(err)}")
    finally:
        os.close(fd)


def allocate_in_parallel(mount_point, extents, workers):
    """allocate_every_other_block split over `workers` processes, one file
    each in its own directory (so in different allocation groups)."""
    procs = []
    for w in range(workers):
        directory = os.path.join(mount_point, f"fragmented-{w}")
        os.mkdir(directory)
        share = extents // workers + (1 if w < extents % workers else 0)
        procs.append(multiprocessing.Process(
            target=allocate_every_other_block,
            args=(os.path.join(directory, "extents.bin"), share)))
    try:
        for p in procs:
            p.start()
        for p in procs:
            p.join()
    finally:  # never leave a worker holding a file open on the mount
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join()
    failed = [p.exitcode for p in procs if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"fallocate workers failed with exit codes {failed}")


def reflinked_files(mount_point, blocks, copies):
    """A file with `blocks` written one-block extents (every other block), and
    `copies` FICLONE copies of it: every extent then has copies + 1 owners.
    Preallocated (unwritten) extents would not be shared by a clone."""
    source = os.path.join(mount_point, "shared.bin")
    fd = os.open(source, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        block = b"\xa5" * BLOCK
        for i in range(blocks):
            os.pwrite(fd, block, 2 * i * BLOCK)
        os.fsync(fd)
        for i in range(copies):
            dst = os.open(f"{source}.reflink{i}", os.O_WRONLY | os.O_CREAT, 0o644)
            try:  # length 0: up to the source's end of file
                fcntl.ioctl(dst, FICLONERANGE, struct.pack("qQQQ", fd, 0, 0, 0))
            finally:
                os.close(dst)
    finally:
        os.close(fd)


def fill(mount_point, args):
    """About args.records + (copies + 1) * shared_blocks GETFSMAP records, plus
    the filesystem's metadata; returns the seconds it took."""
    start = time.monotonic()
    workers = max(1, min(4, os.cpu_count() or 1))
    allocate_in_parallel(mount_point, args.records, workers)
    reflinked_files(mount_point, args.shared_blocks, args.reflink_copies)
    os.sync()
    return time.monotonic() - start


# ---------------------------------------------------------------- processes

def parse_key_values(line):
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}


def fsmap_dump(mount_point):
    out = harness.run([harness.runfile("tests/bench/fsmap_dump"), mount_point]).stdout
    return parse_key_values(out)


def vm_hwm_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1)) if m else 0


def agent_snapshot(cleanup, workdir, controller, mount_point):
    """Runs `mfr-agent snapshot`; returns (wall seconds, peak RSS KiB, output)."""
    out_path = os.path.join(workdir, "agent.log")
    with open(out_path, "w+") as out:
        start = time.monotonic()
        proc = subprocess.Popen(
            [harness.runfile("agent/mfr-agent"), "snapshot", f"--controller={controller.address}",
             "--host=snapshot-bench", mount_point],
            stdout=out, stderr=subprocess.STDOUT)

        def kill_agent():
            if proc.returncode is None:
                proc.kill()
                os.waitpid(proc.pid, 0)
        cleanup.push("agent process", kill_agent)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if proc.returncode != 0:
        raise RuntimeError(f"mfr-agent failed ({proc.returncode}):\n{text}")
    return wall, usage.ru_maxrss, text


# ---------------------------------------------------------------- report

def verdict(met):
    return "MET" if met else "MISSED"


def agent_figures(agent_text):
    m = re.search(r"(\d+) records, (\d+) inode paths, (\d+) segments stored, "
                  r"([0-9.]+)s \((\d+) records/s\)", agent_text)
    if not m:
        raise RuntimeError("cannot parse the agent's output:\n" + agent_text)
    return {"records": int(m.group(1)), "segments": int(m.group(3)),
            "seconds": float(m.group(4)), "records_per_second": int(m.group(5))}


def report(fill_seconds, runs, agent_rss_kb, controller_rss_kb):
    log("\n== snapshot_bench summary: XFS, 1 KiB blocks, rmapbt + reflink ==")
    log(f"setup (fallocate + write + reflink)  {fill_seconds:8.1f} s")
    own_ratios, wall_ratios = [], []
    for i, run in enumerate(runs):
        raw, agent, wall = run["raw"], run["agent"], run["wall"]
        own = agent["records_per_second"] / raw["records_per_second"]
        whole = agent["records"] / wall / raw["records_per_second"]
        own_ratios.append(own)
        wall_ratios.append(whole)
        log(f"run {i + 1}: raw GETFSMAP {raw['records']:.0f} records in "
            f"{raw['seconds']:.3f} s = {raw['records_per_second']:.0f}/s "
            f"(file {raw['file']:.0f}, free {raw['free']:.0f}, metadata "
            f"{raw['metadata']:.0f}, shared {raw['shared']:.0f}); mfr-agent "
            f"snapshot -> mfr-controller {agent['seconds']:.2f} s = "
            f"{agent['records_per_second']}/s upload start to commit, "
            f"{wall:.3f} s process wall ({agent['segments']} segments): "
            f"ratio {own:.2f} ({whole:.2f} by wall)")
    own, whole = statistics.median(own_ratios), statistics.median(wall_ratios)
    log(f"ratio gRPC ingest / raw dump, median of {len(runs)}   {own:5.2f}   "
        f"target >= {TARGET_RATIO}  {verdict(own >= TARGET_RATIO)} (by the "
        f"agent process's wall time, start and registration included: "
        f"{whole:.2f})")
    log(f"agent peak RSS (ru_maxrss)           {agent_rss_kb / 1024:8.1f} MiB  target <= "
        f"{TARGET_AGENT_RSS_MB} MiB  {verdict(agent_rss_kb <= TARGET_AGENT_RSS_MB * 1024)}")
    log(f"controller peak RSS (VmHWM)          {controller_rss_kb / 1024:8.1f} MiB")


# ---------------------------------------------------------------- main

def bench(cleanup, args):
    # One block per extent plus metadata; the image is sparse anyway.
    image_bytes = max(2 << 30, args.records * BLOCK * 2)
    mount_point, device = harness.make_filesystem(
        cleanup, "xfs", image_bytes, mkfs_args=("-b", f"size={BLOCK}"), parent=args.dir)
    workdir = os.path.dirname(mount_point)
    log(f"XFS on /dev/{device} ({image_bytes >> 20} MiB sparse image), "
        f"mounted on {mount_point}")
    fill_seconds = fill(mount_point, args)
    log(f"filled in {fill_seconds:.1f} s")
    fsmap_dump(mount_point)  # loads the rmap btree into the page cache
    controller = harness.Controller(cleanup)
    log(f"mfr-controller on {controller.address}")
    runs, agent_rss_kb = [], 0
    for i in range(args.runs):
        raw = fsmap_dump(mount_point)
        wall, rss_kb, agent_text = agent_snapshot(cleanup, workdir, controller,
                                                  mount_point)
        agent = agent_figures(agent_text)
        log(f"run {i + 1}: fsmap_dump {raw['records_per_second']:.0f} records/s; "
            f"{agent_text.strip().splitlines()[-1]}")
        runs.append({"raw": raw, "agent": agent, "wall": wall})
        agent_rss_kb = max(agent_rss_kb, rss_kb)
    controller_rss_kb = vm_hwm_kb(controller.proc.pid)
    controller.stop()
    report(fill_seconds, runs, agent_rss_kb, controller_rss_kb)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000000,
                        help="preallocated one-block extents to create (GETFSMAP "
                             "adds metadata and the shared extents on top)")
    parser.add_argument("--shared-blocks", type=int, default=10000,
                        help="written one-block extents of the file that is cloned")
    parser.add_argument("--reflink-copies", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3,
                        help="raw dump + agent snapshot pairs; the ratio is their median")
    parser.add_argument("--dir", default=None,
                        help="parent of the temporary directory (default: $TMPDIR or /tmp)")
    args = parser.parse_args()
    why = harness.why_no_loop_devices()
    if why:
        log(f"snapshot_bench: SKIPPED: {why}")
        return 0
    # harness.Cleanup also runs on SIGTERM; SIGHUP unwinds like Ctrl-C.
    signal.signal(signal.SIGHUP, lambda signum, _: sys.exit(128 + signum))
    cleanup = harness.Cleanup()
    try:
        bench(cleanup, args)
    finally:
        cleanup.run_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
