"""SIGKILL at random instants of every mutating operation, then the invariants.

Each round starts one to three operations (trainers saving small, medium, large and
folder models, which makes the daemon back up, apply retention and move `best`; and
modelvaultctl backup, prune, tag, rollback, import, reload, restore), waits a random
time, notes what `list` shows, and kills the daemon with SIGKILL. Sometimes the restart
is killed too, in the middle of its crash recovery. After the restart every invariant of
harness/invariants.py must hold.
"""

import collections
import time

from harness import invariants, procs
from harness.daemon import Daemon
from harness.workload import Workload, lab_config


def wait_for_the_instant(rng, daemon):
    """Waits until the kill: at a uniformly random instant of the first 1.5 s (most
    rounds), within the first 50 ms (fast commands: tag, prune, reload), once the daemon
    reports a backup or verification running plus up to 0.3 s, or late (1.5-5 s: long
    backups of the large model and their read-back)."""
    mode = rng.random()
    if mode < 0.45:
        time.sleep(rng.uniform(0, 1.5))
    elif mode < 0.6:
        time.sleep(rng.uniform(0, 0.05))
    elif mode < 0.85:
        def working():
            queue = daemon.status()["queue"]
            return queue["running"] or queue["verifying"]
        procs.wait_until(working, 3, 0.01)
        time.sleep(rng.uniform(0, 0.3))
    else:
        time.sleep(rng.uniform(1.5, 5.0))


def restart(daemon, rng, coverage):
    if rng.random() < 0.1:
        daemon.launch()
        time.sleep(rng.uniform(0, 0.3))
        coverage["startup and crash recovery"] += 1
        daemon.kill()
    daemon.start()


def run(report, options, rng, bin_dir, work):
    report.section(f"SIGKILL at random instants: {options.kills} kills")
    daemon = Daemon(bin_dir, work)
    lab_config(daemon, options.large_mib)
    workload = Workload(daemon, rng, options.large_mib)
    daemon.start()
    coverage = collections.Counter()
    rows = []
    failures_before = report.counts["FAIL"]
    for kill in range(1, options.kills + 1):
        ops = [workload.start(workload.pick(), rows) for _ in range(rng.randint(1, 3))]
        wait_for_the_instant(rng, daemon)
        # What exists now must exist after the kill (the snapshot is taken before it).
        before = invariants.snapshot(daemon)
        queue = daemon.status()["queue"] if daemon.alive() else {}
        for op in ops:
            if op.running():
                coverage[op.kind] += 1
        if queue.get("running"):
            coverage["backup in the daemon"] += 1
        if queue.get("verifying"):
            coverage["verification in the daemon"] += 1
        daemon.kill()
        for op in ops:
            op.finish()
            op.confirm()
        for op in ops:
            op.forget_unconfirmed()
        if before is not None:
            workload.ledger.saw_versions(before)
        restart(daemon, rng, coverage)
        rows = invariants.check_all(report, daemon, workload.ledger, f"kill {kill}")
        report.check(f"kill {kill}: restores wrote exactly the version's files",
                     not workload.problems, "; ".join(workload.problems[:5]), quiet=True)
        workload.problems.clear()
        if kill % 25 == 0 or kill == options.kills:
            report.note(f"{kill} kills, {len(rows)} versions listed, "
                        f"{len(workload.ledger.identity)} versions seen")
    report.note("killed while running: " +
                ", ".join(f"{k} {v}" for k, v in sorted(coverage.items())))
    report.note(f"restores verified: {workload.restored_ok}")
    code = daemon.stop()
    report.check("kills: the daemon stops cleanly at the end", code == 0, f"exit {code}")
    report.check(f"kills: {options.kills} kills, every invariant held after every restart",
                 report.counts["FAIL"] == failures_before)
