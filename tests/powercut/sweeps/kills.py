"""SIGKILL (not a power cut) inside a collection: the same vault and checks as the
collection sweep (sweeps/collection.py).

1. Exactly before each file-system operation of the collection: crashfs's `keep-all`
   cut refuses that operation and every later one and takes nothing back, which leaves
   the disk as a SIGKILL at that instant does (the page cache survives a kill).
2. Real SIGKILLs driven by the daemon's log: once it says the prune removed a version,
   the kill follows after a delay spread evenly over how long the collection took
   (measured the same way without a kill). One lands when the log shows a removal and
   no finished collection; how many did is reported (the scheduler decides).
"""

import time

from harness import procs
from sweeps import collection as c
from sweeps.cutting import NEVER, Target, cut_once, sweep

REMOVED = "removed by retention"
COLLECTED = "vault: collected"


class LogDrivenKill(c.PruneWork):
    """PruneWork; once the log shows the first removal, waits `delay` seconds and kills
    the daemon. With `delay` None it lets the collection finish and measures it."""

    def __init__(self, daemon, delay):
        super().__init__(daemon)
        self.delay = delay
        self.mark = 0
        self.seconds = None

    def __call__(self, fs):
        self.mark = len(self.daemon.log_text())
        work = super().__call__(fs)
        procs.wait_until(lambda: REMOVED in self.log() or work.done(), 60, 0.002)
        removed_at = time.monotonic()
        if self.delay is None:
            procs.wait_until(lambda: COLLECTED in self.log() or work.done(), 60, 0.002)
            self.seconds = time.monotonic() - removed_at
        else:
            time.sleep(self.delay)
            self.daemon.kill()
        return work

    def log(self):
        return self.daemon.log_text()[self.mark:]


def run(report, options, fs, daemon, rng, work):
    report.section("SIGKILL at every operation of a collection, then log-driven SIGKILLs")
    snapshot = work / "kills-snapshot"
    made = c.build(report, fs, daemon, rng, snapshot)
    if not made:
        return
    found = c.reference(report, fs, daemon, snapshot, options)
    if not found:
        return
    total, final_packs = found
    # crashfs's keep-all cut: the Nth operation and every later one fail, nothing is taken
    # back — the disk as a SIGKILL exactly before that operation leaves it.
    target = Target(fs, daemon, snapshot, lambda: c.PruneWork(daemon))
    sweep(report, options, "kills", total, options.kills, target,
          lambda where, seed: c.check_after_cut(report, fs, daemon, made, final_packs, where, seed),
          modes=lambda number: ["keep-all"])
    failures_before = report.counts["FAIL"]
    timing = LogDrivenKill(daemon, None)
    cut_once(fs, daemon, snapshot, timing, options.seed, "keep-all", NEVER)
    window = timing.seconds or 0.0
    count = options.log_kills
    inside = 0
    for number in range(count):
        delay = window * number / max(count - 1, 1)
        where = f"SIGKILL {number + 1} ({delay * 1000:.0f} ms after the first removal)"
        kill = LogDrivenKill(daemon, delay)
        cut_once(fs, daemon, snapshot, kill, options.seed + number, "keep-all", NEVER)
        log = kill.log()
        inside += REMOVED in log and COLLECTED not in log
        c.check_after_cut(report, fs, daemon, made, final_packs, where, options.seed + number)
    # Real kills land where the scheduler lets them: reported, not required.
    report.note(f"kills: the collection takes {window * 1000:.0f} ms after the log's first "
                f"removal; {inside} of {count} SIGKILLs spread over it fell inside it")
    report.check(f"kills: {count} log-driven SIGKILLs, every check held after every one",
                 report.counts["FAIL"] == failures_before)
