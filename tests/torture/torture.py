#!/usr/bin/env python3
"""The torture suite: real modelvaultd and modelvaultctl under crashes, full disks,
inotify overflows and hostile clients. tests/README.md explains each scenario.

  tests/torture/torture.py --bin build/bin            # the short run CI does
  nice -n 19 tests/torture/torture.py --bin build/bin --long
  tests/torture/torture.py --bin build/bin --seed 1234 --only kills --kills 5

Every random choice comes from --seed (printed at the start), so a failing run can be
repeated. Exit status: 0 when every check passed (known defects listed in
harness/report.py may fail as XFAIL unless --strict), 1 otherwise, 77 when nothing could
run (not root, for the scenarios that need it, is a skip, not a failure).
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness.report import Report  # noqa: E402
from scenarios import abuse, disk, kills, overflow  # noqa: E402

SCENARIOS = {"kills": kills, "disk": disk, "overflow": overflow, "abuse": abuse}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="build/bin", help="folder holding modelvaultd and modelvaultctl")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock)")
    parser.add_argument("--long", action="store_true",
                        help="the long run: 1,000 kills, a 192 MiB model, bigger floods")
    parser.add_argument("--kills", type=int, default=None, help="number of SIGKILLs (25; --long 1000)")
    parser.add_argument("--large-mib", type=int, default=None, help="size of the large model (32; --long 192)")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios to run")
    parser.add_argument("--strict", action="store_true", help="known defects fail the run too")
    parser.add_argument("--work", default=None, help="folder for the run (default: a new temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder even when all passed")
    options = parser.parse_args(argv)
    options.kills = options.kills if options.kills is not None else (1000 if options.long else 25)
    options.large_mib = options.large_mib or (192 if options.long else 32)
    if options.seed is None:
        options.seed = int(time.time() * 1000) % 1_000_000_007
    return options


def main(argv):
    options = parse_args(argv)
    bin_dir = Path(options.bin).resolve()
    for program in ("modelvaultd", "modelvaultctl"):
        if not (bin_dir / program).exists():
            print(f"torture: {bin_dir / program} not found; build first or pass --bin", file=sys.stderr)
            return 2
    work = Path(options.work or tempfile.mkdtemp(prefix="mv-torture-"))
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o755)  # the forbidden user of the abuse scenario must reach the socket
    names = [n for n in options.only.split(",") if n]
    print(f"torture: seed {options.seed}, scenarios {','.join(names)}, work folder {work}")
    print(f"torture: repeat with: {sys.argv[0]} --bin {options.bin} --seed {options.seed} "
          f"--only {','.join(names)} --kills {options.kills} --large-mib {options.large_mib}"
          + (" --long" if options.long else ""), flush=True)
    report = Report(strict=options.strict)
    ran = 0
    for name in names:
        scenario = SCENARIOS[name]
        reason = getattr(scenario, "cannot_run", lambda: None)()
        if reason:
            report.section(f"{name}: skipped ({reason})")
            continue
        rng = random.Random(f"{options.seed}-{name}")
        scenario.run(report, options, rng, bin_dir, work / name)
        ran += 1
    report.finish("torture", options.seed, work, options.keep)
    if report.failed():
        return 1
    return 0 if ran else 77


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
