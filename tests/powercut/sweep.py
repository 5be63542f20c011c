#!/usr/bin/env python3
"""Power cuts at every file-system operation of the vault's riskiest work (issue 12,
"Bad input and faults"): a collection (GC and repack) and the migration from format 1,
with the real daemon on crashfs (tests/powercut/). Each piece of work starts from the
same snapshot of the vault; a reference run counts its operations, then the power is
cut before each of them in turn (`--cut-at-op N`), the file system is remounted, the
daemon restarted, and every version is checked: listed, restored byte-exact,
`verify --all --read-data` clean.

  tests/powercut/sweep.py --bin build/bin            # short: a spread sample, what CI runs
  nice -n 19 tests/powercut/sweep.py --bin build/bin --long   # every operation, both cut modes
  tests/powercut/sweep.py --bin build/bin --only migration --cuts 5 --verbose

Deterministic: the same binaries and --seed cut at the same operations with the same
crashfs seeds. Needs root and /dev/fuse; exits 77 (skipped) without them.
"""

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "torture"))
sys.path.insert(0, str(HERE))

from harness.daemon import Daemon  # noqa: E402
from harness.report import Report  # noqa: E402
from powercut import CrashFs, cannot_run  # noqa: E402
from sweeps import collection, full_disk, kills, migration  # noqa: E402

SWEEPS = {"collection": collection, "migration": migration, "disk": full_disk, "kills": kills}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="build/bin")
    parser.add_argument("--seed", type=int, default=12, help="the model's bytes and crashfs's seeds")
    parser.add_argument("--long", action="store_true",
                        help="cut at every operation, once losing everything not durable and "
                             "once at random")
    parser.add_argument("--cuts", type=int, default=None,
                        help="short run: operations cut per sweep, spread evenly (default 14)")
    parser.add_argument("--only", default=",".join(SWEEPS), help="comma-separated sweeps")
    parser.add_argument("--verbose", action="store_true", help="a line per cut")
    parser.add_argument("--strict", action="store_true", help="known defects fail the run too")
    parser.add_argument("--work", default=None)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args(argv)
    options.collection_cuts = options.cuts or 14
    options.migration_cuts = options.cuts or 14
    options.kills = options.cuts or 8
    options.log_kills = 12 if options.long else 4
    return options


def main(argv):
    options = parse_args(argv)
    bin_dir = Path(options.bin).resolve()
    reason = cannot_run(bin_dir)
    if reason:
        print(f"sweep: skipped: {reason}")
        return 77
    work = Path(options.work or tempfile.mkdtemp(prefix="mv-sweep-"))
    names = [n for n in options.only.split(",") if n]
    print(f"sweep: seed {options.seed}, sweeps {','.join(names)}, work folder {work}")
    print(f"sweep: repeat with: {sys.argv[0]} --bin {options.bin} --seed {options.seed} "
          f"--only {','.join(names)}" + (" --long" if options.long else "")
          + (f" --cuts {options.cuts}" if options.cuts else ""), flush=True)
    report = Report(strict=options.strict)
    for name in names:
        started = time.monotonic()
        folder = work / name
        fs = CrashFs(bin_dir, folder / "backing", folder / "mnt", folder / "crashfs.log")
        daemon = Daemon(bin_dir, folder / "run", vault=fs.mountpoint / "vault")
        try:
            SWEEPS[name].run(report, options, fs, daemon, random.Random(f"{options.seed}-{name}"),
                             folder)
        finally:
            daemon.kill()
            if fs.process is not None and fs.process.poll() is None:
                fs.unmount()
        report.note(f"{name}: {time.monotonic() - started:.0f} s")
    report.finish("sweep", options.seed, work, options.keep)
    return 1 if report.failed() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
