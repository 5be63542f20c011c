#!/usr/bin/env python3
"""Power cuts: the real daemon with its vault on crashfs, a FUSE file system that takes
back everything not made durable by fsync (crash_log.hpp has the model;
tests/README.md explains it). Each cycle runs the torture suite's operations, cuts the
power at a random instant (crashfs stops serving, the daemon is killed, the non-durable
changes are taken back), mounts again, restarts the daemon and checks the invariants:
no committed version lost or corrupt, no version visible whose data was not durable.

  tests/powercut/powercut.py --bin build/bin                 # the short run CI does
  nice -n 19 tests/powercut/powercut.py --bin build/bin --long   # 500 cuts

A self-test first proves that crashfs sees the fsyncs it should (a cut without them
must lose the data). Needs root and /dev/fuse; exits 77 (skipped) without them.
"""

import argparse
import collections
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "torture"))

from harness import invariants, procs  # noqa: E402
from harness.daemon import Daemon  # noqa: E402
from harness.report import Report  # noqa: E402
from harness.workload import Workload, lab_config  # noqa: E402
from scenarios.kills import wait_for_the_instant  # noqa: E402


class CrashFs:
    """One crashfs mount of `backing` at `mountpoint`."""

    def __init__(self, bin_dir, backing, mountpoint, log):
        self.program = str(Path(bin_dir) / "crashfs")
        self.backing, self.mountpoint, self.log = Path(backing), Path(mountpoint), log
        self.backing.mkdir(parents=True, exist_ok=True)
        self.mountpoint.mkdir(parents=True, exist_ok=True)
        self.process = None

    def mount(self, seed, mode="random", cut_at_op=0):
        self.backing.mkdir(parents=True, exist_ok=True)
        with open(self.log, "a") as log:
            self.process = procs.spawn([self.program, "--seed", str(seed), "--cut", mode,
                                        "--cut-at-op", str(cut_at_op),
                                        str(self.backing), str(self.mountpoint)],
                                       log=log, stdout=subprocess.PIPE)
        if not procs.wait_until(lambda: os.path.ismount(self.mountpoint) or
                                self.process.poll() is not None, 30, 0.01) \
                or self.process.poll() is not None:
            raise RuntimeError(f"crashfs did not mount {self.mountpoint}; see {self.log}")

    def arm(self):
        """Starts counting operations towards the mount's --cut-at-op."""
        self.process.send_signal(signal.SIGUSR2)

    def power_cut(self):
        self.process.send_signal(signal.SIGUSR1)  # from now on nothing reaches the disk

    def powered_off(self):
        """Whether the power is off (after a cut every operation fails, listing too)."""
        try:
            os.listdir(self.mountpoint)
            return False
        except OSError:
            return True

    def unmount(self):
        """Unmounts; returns crashfs's report of what the cut took back."""
        for lazy in ([], ["-z"]):
            done = subprocess.run(["fusermount3", "-u", *lazy, str(self.mountpoint)],
                                  capture_output=True)
            if done.returncode == 0:
                break
            time.sleep(0.2)
        # Rolling back a cut takes a while on a loaded machine: 60 s timed out once in a
        # niced long run at a load of 20 (slow or stuck was not established).
        try:
            out, _ = self.process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"crashfs did not exit within 600 s of unmounting {self.mountpoint}"
                               f"{' lazily (it was busy)' if lazy else ''}; see {self.log}") from None
        lines = out.decode().strip().splitlines()
        return json.loads(lines[-1]) if lines else {"cut": None}


def cannot_run(bin_dir):
    if os.geteuid() != 0:
        return "needs root to mount a FUSE file system"
    if not os.path.exists("/dev/fuse") or shutil.which("fusermount3") is None:
        return "needs /dev/fuse and fusermount3 (Debian package fuse3)"
    if not (Path(bin_dir) / "crashfs").exists():
        return f"{bin_dir}/crashfs is not built"
    return None


def self_test(report, fs, work):
    """crashfs itself: what was fsynced (file and folder) survives a cut, the rest not."""
    fs.mount(seed=1, mode="lose-all")
    root = fs.mountpoint

    def fsync(path):
        fd = os.open(path, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    (root / "durable").write_bytes(b"kept")
    fsync(root / "durable")
    (root / "tmp-name").write_bytes(b"lost")
    os.replace(root / "tmp-name", root / "renamed")  # a rename without fsyncing the data
    fsync(root)  # names durable (and, as a journal does, everything before)
    (root / "unsynced-name").write_bytes(b"x")
    fsync(root / "unsynced-name")  # the data, but not the name
    with open(root / "durable", "r+b") as f:
        f.write(b"gone")  # an overwrite never fsynced
    fs.power_cut()
    cut = fs.unmount()
    backing = fs.backing
    ok = (cut.get("cut") and (backing / "durable").read_bytes() == b"kept"
          and not (backing / "unsynced-name").exists()
          and (backing / "renamed").read_bytes() == b"")
    report.check("self-test: crashfs keeps exactly what was fsynced", ok,
                 f"report {cut}, backing holds {sorted(os.listdir(backing))}")
    shutil.rmtree(backing)
    return ok


class Cutter:
    """Chooses where each cycle's cut falls: at a random instant (SIGUSR1), or — every
    other cycle — exactly before the Nth file-system operation of the cycle's work, N
    drawn from the number of operations cycles have made so far. Instants mostly fall
    between the daemon's bursts of work; operation numbers fall inside them: between a
    write and its fsync, a rename and its folder's fsync, a history record and the
    removal it announces."""

    NEVER = 10 ** 12

    def __init__(self, rng):
        self.rng = rng
        self.seen = [40]  # operations of a cycle's work, as reported by crashfs
        self.by = collections.Counter()

    def next_distance(self):
        if self.rng.random() < 0.5:
            return self.NEVER
        # Within the work of one recent cycle: the largest (a 64 MiB backup) made most
        # distances longer than a cycle's work.
        return self.rng.randint(1, self.rng.choice(self.seen[-20:]))

    def record(self, cut, distance):
        reached = distance != self.NEVER and cut.get("operations_armed", 0) >= distance
        if cut.get("operations_armed") and not reached:
            self.seen.append(cut["operations_armed"])
        self.by["operation" if reached else "instant"] += 1


def cycle(report, rng, fs, daemon, workload, rows, number, cutter, distance):
    fs.arm()
    ops = [workload.start(workload.pick(), rows) for _ in range(rng.randint(1, 3))]
    if distance == Cutter.NEVER:
        wait_for_the_instant(rng, daemon)
    else:
        # Cut at the distance-th operation: an instant drawn as above came first in nine
        # cycles out of ten, so wait for crashfs to cut by itself, and cut at an instant
        # only once the cycle's work is done without reaching that operation.
        procs.wait_until(lambda: fs.powered_off() or
                         (not any(op.running() for op in ops) and daemon.idle()), 30, 0.05)
    before = invariants.snapshot(daemon)
    before_at = time.monotonic()
    fs.power_cut()
    daemon.kill()
    for op in ops:
        op.finish()
    cut = fs.unmount()
    cutter.record(cut, distance)
    # Only what the daemon said before the power went counts as promised.
    frozen_at = cut.get("frozen_at") or math.inf
    for op in ops:
        op.confirm(cutoff=frozen_at)
    for op in ops:
        op.forget_unconfirmed()
    if before is not None and before_at < frozen_at:
        workload.ledger.saw_versions(before)
    distance = cutter.next_distance()
    fs.mount(seed=rng.randrange(1 << 62), cut_at_op=distance)
    daemon.start()
    rows = invariants.check_all(report, daemon, workload.ledger, f"cut {number}")
    report.check(f"cut {number}: restores wrote exactly the version's files", not workload.problems,
                 "; ".join(workload.problems[:5]), quiet=True)
    workload.problems.clear()
    return rows, cut, distance


def run(report, options, bin_dir, work):
    fs = CrashFs(bin_dir, work / "backing", work / "mnt", work / "crashfs.log")
    if not self_test(report, fs, work):
        return
    rng = random.Random(options.seed)
    report.section(f"power cuts: {options.cuts} cuts")
    daemon = Daemon(bin_dir, work / "run", vault=fs.mountpoint / "vault")
    lab_config(daemon, options.large_mib)
    workload = Workload(daemon, rng, options.large_mib)
    cutter = Cutter(rng)
    distance = cutter.next_distance()
    fs.mount(seed=rng.randrange(1 << 62), cut_at_op=distance)
    daemon.start()
    rows, taken_back = [], {"ops_undone": 0, "files_lost": 0, "files_torn": 0, "blocks_reverted": 0}
    failures_before = report.counts["FAIL"]
    try:
        for number in range(1, options.cuts + 1):
            rows, cut, distance = cycle(report, rng, fs, daemon, workload, rows, number, cutter,
                                        distance)
            for key in taken_back:
                taken_back[key] += cut.get(key, 0)
            if number % 25 == 0 or number == options.cuts:
                report.note(f"{number} cuts, {len(rows)} versions listed, "
                            f"{len(workload.ledger.identity)} versions seen; taken back so far: "
                            + ", ".join(f"{k} {v}" for k, v in taken_back.items())
                            + "; cut at " + ", ".join(f"an {k} {v}" for k, v in cutter.by.items()))
        code = daemon.stop()
        report.check("power cuts: the daemon stops cleanly at the end", code == 0, f"exit {code}")
    finally:
        daemon.kill()
        fs.unmount()
    report.check(f"power cuts: {options.cuts} cuts, every invariant held after every remount",
                 report.counts["FAIL"] == failures_before)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="build/bin")
    parser.add_argument("--seed", type=int, default=int(time.time() * 1000) % 1_000_000_007)
    parser.add_argument("--long", action="store_true", help="500 cuts, a 64 MiB model")
    parser.add_argument("--cuts", type=int, default=None, help="number of power cuts (15; --long 500)")
    parser.add_argument("--large-mib", type=int, default=None, help="the large model's size (16; --long 64)")
    parser.add_argument("--strict", action="store_true", help="known defects fail the run too")
    parser.add_argument("--work", default=None)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args(argv)
    options.cuts = options.cuts if options.cuts is not None else (500 if options.long else 15)
    options.large_mib = options.large_mib or (64 if options.long else 16)
    bin_dir = Path(options.bin).resolve()
    reason = cannot_run(bin_dir)
    if reason:
        print(f"powercut: skipped: {reason}")
        return 77
    work = Path(options.work or tempfile.mkdtemp(prefix="mv-powercut-"))
    print(f"powercut: seed {options.seed}, work folder {work}")
    print(f"powercut: repeat with: {sys.argv[0]} --bin {options.bin} --seed {options.seed} "
          f"--cuts {options.cuts} --large-mib {options.large_mib}", flush=True)
    report = Report(strict=options.strict)
    run(report, options, bin_dir, work)
    report.finish("powercut", options.seed, work, options.keep)
    return 1 if report.failed() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
