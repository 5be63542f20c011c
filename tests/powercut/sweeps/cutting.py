"""A power cut at each file-system operation of one piece of daemon work.

The work (a collection, a migration) starts from the same snapshot of crashfs's backing
folder every time. A reference run without a cut counts the operations it makes
(crashfs's `operations_armed`); then, for each chosen N, the snapshot is put back, crashfs
is mounted with `--cut-at-op N`, the work runs until crashfs powers off (the Nth
operation fails and every later one with it), the daemon is killed, crashfs takes back
what was not durable, and the caller checks the remounted vault.
"""

import json
import shutil
import time
from pathlib import Path

from harness import procs


def put_back(snapshot, backing):
    """The backing folder becomes an exact copy of `snapshot` (modes and times kept)."""
    shutil.rmtree(backing, ignore_errors=True)
    shutil.copytree(snapshot, backing, symlinks=True)


def take_snapshot(backing, snapshot):
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(backing, snapshot, symlinks=True)


def cut_points(total, wanted):
    """Operation numbers 1..total, all of them when `wanted` covers them, else `wanted`
    spread evenly (the first and the last always among them)."""
    if wanted <= 0 or wanted >= total:
        return list(range(1, total + 1))
    if wanted == 1:
        return [total]
    step = (total - 1) / (wanted - 1)
    return sorted({1 + round(i * step) for i in range(wanted)})


def cut_modes(number, long_run):
    """How crashfs treats what was not durable at cut N: the long run tries both ways at
    every operation; the short one alternates. `lose-all` takes back everything not
    fsynced (the strictest test of ordering); `random` keeps, loses or tears each file
    and keeps a random prefix of the namespace operations (crash_log.hpp)."""
    if long_run:
        return ["lose-all", "random"]
    return ["lose-all" if number % 2 else "random"]


class Work:
    """What one cycle started: `done()` says whether it finished without a cut,
    `finish()` reaps what it started (after the daemon was killed)."""

    def __init__(self, done, finish=lambda: None):
        self.done, self.finish = done, finish


NEVER = 10 ** 12  # a cut that never falls: crashfs then only counts the operations


def cut_once(fs, daemon, snapshot, start_work, seed, mode, cut_at_op, timeout=300):
    """Puts the snapshot back, mounts crashfs to cut at operation `cut_at_op` (NEVER: count)
    of what `start_work(fs)` does after it arms crashfs, waits until the power is off or
    the work is done, kills the daemon and unmounts. Returns crashfs's report, with
    `landed` (whether the cut fell) and `seconds`."""
    started = time.monotonic()
    put_back(snapshot, fs.backing)
    fs.mount(seed=seed, mode=mode, cut_at_op=cut_at_op)
    work = start_work(fs)
    procs.wait_until(lambda: fs.powered_off() or work.done(), timeout, 0.02)
    landed = fs.powered_off()
    daemon.kill()
    work.finish()
    report = fs.unmount()
    report["landed"] = landed and bool(report.get("cut"))
    report["seconds"] = time.monotonic() - started
    return report


def mount_clean(fs, seed):
    """Mounts crashfs without a cut to come: the restarted daemon works on what the cut
    left."""
    fs.mount(seed=seed, cut_at_op=0)


def vault_json_version(vault):
    try:
        return json.loads((Path(vault) / "vault.json").read_text()).get("version")
    except (OSError, ValueError):
        return None


def files_under(folder):
    """Relative paths of the regular files under `folder` (empty when it is missing)."""
    folder = Path(folder)
    if not folder.is_dir():
        return set()
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def seed_for(base, number, mode):
    return (base * 1_000_003 + number * 2 + (mode == "random")) % (1 << 62)


def describe_cut(report):
    keys = ("operations_armed", "ops_undone", "files_lost", "files_torn", "blocks_reverted")
    return ", ".join(f"{k} {report.get(k)}" for k in keys if k in report)


class Target:
    """What a sweep cuts: the crashfs mount, the daemon, the snapshot, and start(), which
    makes a fresh start_work for cut_once()."""

    def __init__(self, fs, daemon, snapshot, start):
        self.fs, self.daemon, self.snapshot, self.start = fs, daemon, snapshot, start


def sweep(report, options, what, total, wanted, target, after_cut, modes=None):
    """Cuts at `wanted` of the `total` operations (all with --long) of `target`'s work,
    in the modes cut_modes() chooses (or `modes(number)`); after each cut, with crashfs
    unmounted, calls after_cut(where, seed)."""
    points = cut_points(total, 0 if options.long else wanted)
    report.note(f"{what}: {total} operations; cutting at {len(points)} of them "
                f"({'all' if len(points) == total else 'spread evenly'})")
    failures_before = report.counts["FAIL"]
    landed = missed = 0
    for number in points:
        for mode in (modes or (lambda n: cut_modes(n, options.long)))(number):
            seed = seed_for(options.seed, number, mode)
            where = f"{what} cut at operation {number}/{total} ({mode}, crashfs seed {seed})"
            cut = cut_once(target.fs, target.daemon, target.snapshot, target.start(), seed, mode, number)
            landed += cut["landed"]
            missed += not cut["landed"]
            if options.verbose:
                report.note(f"{where}: {describe_cut(cut)}, {cut['seconds']:.1f} s")
            after_cut(where, seed + 1)
    report.check(f"{what}: every cut fell inside the work ({landed} did)", missed == 0,
                 f"{missed} cut(s) found the work done before their operation: the daemon's "
                 "operations are not the same from run to run")
    report.check(f"{what}: {landed} cuts, every check held after every one",
                 report.counts["FAIL"] == failures_before)
