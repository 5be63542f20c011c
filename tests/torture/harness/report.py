"""Check results, and the defects the suites know about but do not fail on yet.

A check tagged with a KNOWN_DEFECTS key is expected to fail until that defect's fix
lands: its failure is reported as XFAIL and does not fail the run, unless --strict. When
it passes (XPASS), the fix has landed: remove the key here so that it guards the fix.
"""

import shutil
import sys
import time

# Defects known and being fixed elsewhere, by key, e.g.
#   "issue10-2": "issue 10 #2: idle connections of a forbidden user lock everyone out",
# and the check passes known="issue10-2". Remove an entry once its fix is on main. (The
# defects of issue 10 were all fixed; their checks are plain checks now.)
KNOWN_DEFECTS = {}


class Report:
    """Collects check results and prints one line per check."""

    def __init__(self, strict=False, out=sys.stdout):
        self.strict = strict
        self.out = out
        self.counts = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0}
        self.failures = []
        self.started = time.monotonic()
        self.known_tally = {}  # known defect -> [checks failed, checks passed]

    def check(self, name, ok, detail="", known=None, quiet=False):
        """Records one check; `known` names a KNOWN_DEFECTS key. Returns `ok`."""
        if known is not None and known not in KNOWN_DEFECTS:
            known = None  # fixed and removed from the list: a plain check again
        if ok:
            # A repeated check of a defect that shows up only sometimes proves little by
            # passing: it counts as a pass, and the summary tallies it.
            verdict = "XPASS" if known and not quiet else "PASS"
        else:
            verdict = "XFAIL" if known and not self.strict else "FAIL"
        self.counts[verdict] += 1
        if known:
            self.known_tally.setdefault(known, [0, 0])[1 if ok else 0] += 1
        if verdict == "FAIL":
            self.failures.append(f"{name}: {detail}")
        if ok and quiet:
            # A check repeated every round: a pass is not news (for a known defect that
            # shows up only sometimes, a pass proves little; the summary counts them).
            return ok
        line = f"{verdict:5} {name}"
        if known:
            line += f"  [{KNOWN_DEFECTS[known]}]"
        if detail and verdict != "PASS":
            line += f"\n      {detail}"
        if verdict == "XPASS":
            line += f"\n      the fix has landed: remove {known!r} from tests/torture/harness/report.py"
        print(line, file=self.out, flush=True)
        return ok

    def note(self, text):
        print(f"      {text}", file=self.out, flush=True)

    def section(self, title):
        print(f"== {title}", file=self.out, flush=True)

    def failed(self):
        return self.counts["FAIL"] > 0

    def summary(self):
        elapsed = time.monotonic() - self.started
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items())
        print(f"== {counts} in {elapsed:.0f} s", file=self.out, flush=True)
        for known, (failed, passed) in sorted(self.known_tally.items()):
            print(f"   known defect {known}: {failed} of {failed + passed} checks failed "
                  f"({KNOWN_DEFECTS[known]})", file=self.out)
        for failure in self.failures[:20]:
            print(f"   FAIL {failure}", file=self.out)

    def finish(self, program, seed, work, keep):
        """Prints the summary and the seed; keeps the work folder (logs, vaults) when a
        check failed or `keep`, else removes it."""
        self.summary()
        print(f"{program}: seed {seed}", file=self.out)
        if self.failed() or keep:
            print(f"{program}: the work folder (logs, vaults) is kept: {work}", file=self.out)
        else:
            shutil.rmtree(work, ignore_errors=True)
