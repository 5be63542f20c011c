"""A power cut at every file-system operation of a collection (docs/FORMAT.md
"Collection"): the retention that removes versions, the repack of a half-used pack, the
new index file, the rewritten index files and the removal of whole packs.

The vault holds four versions of one safetensors model whose 512 KiB float32 tensors
are one chunk each (docs/FORMAT.md "Chunking"); each backup writes one pack of its new
chunks:

    v1  a b c d   -> pack 1: header, a, b, c, d
    v2  e f g h   -> pack 2: e, f, g, h
    v3  a i j k   -> pack 3: i, j, k
    v4  a i l m   -> pack 4: l, m

`keep_last 2` keeps v3 and v4 (they share the header, a and i): pack 2 is unused and
removed whole, pack 1 keeps 2 of its 5 blobs and is repacked (its unused share is over
half). The reference run without a cut must log that it repacked, or the test fails.
"""

import array
import json
import re
import struct

from harness import models as m
from harness import procs
from sweeps import checks
from sweeps.cutting import NEVER, Target, Work, cut_once, mount_clean, sweep, take_snapshot

MODEL = "lab/w.safetensors"
FLOATS = 128 * 1024  # 512 KiB of float32: one chunk per tensor
PLAN = ["abcd", "efgh", "aijk", "ailm"]
KEEP = 2
COLLECTED = re.compile(r"vault: collected (\d+) pack\(s\) \((\d+) repacked\)")


def tensor(rng):
    """Weights as a trainer writes them: small normal floats (the float codec groups
    their bytes), seeded."""
    return array.array("f", (rng.gauss(0.0, 0.02) for _ in range(FLOATS))).tobytes()


def safetensors(tensors):
    header, offset = {}, 0
    for i, data in enumerate(tensors):
        header[f"t{i}"] = {"dtype": "F32", "shape": [FLOATS], "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header)
    text += " " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + b"".join(tensors)


def watch(daemon, retention):
    entry = {"name": "lab", "path": str(daemon.models / "lab"), "settle": "200ms"}
    if retention:
        entry["retention"] = {"keep_last": KEEP}
    return [entry]


def configure(daemon, retention):
    daemon.config["watches"] = watch(daemon, retention)


def build(report, fs, daemon, rng, snapshot):
    """Backs up the four versions on a clean crashfs mount and snapshots the backing
    folder. Returns [(version, {path: sha256})] oldest first."""
    chunks = {letter: tensor(rng) for letter in sorted(set("".join(PLAN)))}
    mount_clean(fs, seed=1)
    configure(daemon, retention=False)
    daemon.start()
    made = []
    try:
        for letters in PLAN:
            data = safetensors([chunks[c] for c in letters])
            m.save(daemon.models / MODEL, data, atomic=True)
            rows = procs.wait_until(lambda: (lambda r: r if r and len(r) > len(made) else None)(
                checks.listed(daemon, MODEL)), 120, 0.1)
            if not report.check(f"collection: version {len(made) + 1} backed up", bool(rows),
                                daemon.log_tail()):
                return None
            newest = max(rows.values(), key=lambda r: r["sequence"])
            made.append((newest["version"], {"w.safetensors": checks.sha256(data)}))
        daemon.wait_idle(60)
    finally:
        daemon.stop()
        fs.unmount()
    take_snapshot(fs.backing, snapshot)
    return made


class PruneWork:
    """Arms crashfs, turns retention on (reload) and prunes the model."""

    def __init__(self, daemon):
        self.daemon = daemon
        self.process = None
        self.result = None

    def __call__(self, fs):
        configure(self.daemon, retention=False)
        self.daemon.start()
        self.daemon.wait_idle(60)
        fs.arm()
        configure(self.daemon, retention=True)
        self.daemon.write_config()
        self.daemon.ctl("reload", timeout=60)
        self.process = self.daemon.ctl_async("prune", MODEL)
        return Work(lambda: self.process.poll() is not None, self.reap)

    def reap(self):
        procs.kill(self.process)
        out, _ = self.process.communicate()
        try:
            self.result = json.loads(out)
        except ValueError:
            self.result = None


def reference(report, fs, daemon, snapshot, options):
    """The collection without a cut: its operation count, and the packs it leaves."""
    work = PruneWork(daemon)
    before = daemon.log_text()
    cut = cut_once(fs, daemon, snapshot, work, options.seed, "lose-all", NEVER)
    log = daemon.log_text()[len(before):]
    collected = [tuple(map(int, g)) for g in COLLECTED.findall(log)]
    removed = sum(c[0] for c in collected)
    repacked = sum(c[1] for c in collected)
    model = ((work.result or {}).get("result") or work.result or {}).get("models", [{}])
    report.note(f"collection: the reference prune: {cut.get('operations_armed')} operations in "
                f"{cut['seconds']:.1f} s; log: {collected}; result: {json.dumps(model)[:300]}")
    ok = report.check("collection: the reference prune repacked a pack and removed a whole one",
                      repacked >= 1 and removed - repacked >= 1,
                      f"collected (removed, repacked) {collected}:\n{daemon.log_tail()}")
    ok &= report.check("collection: the reference prune made file-system operations",
                       cut.get("operations_armed", 0) > 0, str(cut))
    return (cut.get("operations_armed", 0), checks.packs_on_disk(fs.backing / "vault")) if ok else None


def check_state(report, daemon, made, where, recollected):
    """The versions kept are listed and restore byte-exact; a pruned one is listed and
    restores byte-exact, or is gone and its history records the removal — never half."""
    rows = checks.listed(daemon)
    if not report.check(f"{where}: list answers", rows is not None, daemon.log_tail(), quiet=True):
        return False
    listed = {v for (_, v) in rows}
    kept, pruned = made[-KEEP:], made[:-KEEP]
    ok = report.check(f"{where}: every version kept is listed",
                      all(v in listed for v, _ in kept), f"listed {sorted(listed)}", quiet=True)
    removed = checks.removed_in_history(daemon, MODEL)
    ok &= report.check(f"{where}: a pruned version is listed or recorded as removed",
                       all(v in listed or v in removed for v, _ in pruned),
                       f"listed {sorted(listed)}, removed {sorted(removed)}", quiet=True)
    if recollected:
        ok &= report.check(f"{where}: the prune after the restart removed every pruned version",
                           not any(v in listed for v, _ in pruned), f"listed {sorted(listed)}",
                           quiet=True)
    ok &= checks.check_verify(report, daemon, where)
    expected = {(MODEL, v): files for v, files in made if v in listed}
    ok &= checks.check_restores(report, daemon, where, expected, daemon.root / "restored")
    ok &= checks.check_leftovers(report, daemon, where, len(rows))
    return ok


def check_after_cut(report, fs, daemon, made, final_packs, where, seed):
    """Remounts, restarts without retention (what the cut left, plus the start's own
    recovery), checks; then prunes again and checks that the collection finishes: the
    same packs as the collection that was never cut."""
    mount_clean(fs, seed)
    configure(daemon, retention=False)
    try:
        daemon.start()
        daemon.wait_idle(120)
        ok = check_state(report, daemon, made, f"{where}, restarted", recollected=False)
        configure(daemon, retention=True)
        daemon.write_config()
        reloaded = daemon.ctl("reload", timeout=60)
        pruned = daemon.ctl("prune", MODEL, timeout=300)
        ok &= report.check(f"{where}: reload and prune after the restart succeed",
                           reloaded.ok and pruned.ok, f"{reloaded}\n{pruned}", quiet=True)
        daemon.wait_idle(120)
        ok &= check_state(report, daemon, made, f"{where}, pruned again", recollected=True)
        packs = checks.packs_on_disk(daemon.vault)
        ok &= report.check(f"{where}: after the prune the packs are those of an uncut collection",
                           packs == final_packs,
                           f"extra {sorted(p[:12] for p in packs - final_packs)}, missing "
                           f"{sorted(p[:12] for p in final_packs - packs)}", quiet=True)
    finally:
        daemon.kill()
        fs.unmount()
    return ok


def run(report, options, fs, daemon, rng, work):
    report.section("power cut at every operation of a collection (GC and repack)")
    snapshot = work / "collection-snapshot"
    made = build(report, fs, daemon, rng, snapshot)
    if not made:
        return
    found = reference(report, fs, daemon, snapshot, options)
    if not found:
        return
    total, final_packs = found
    target = Target(fs, daemon, snapshot, lambda: PruneWork(daemon))
    sweep(report, options, "collection", total, options.collection_cuts, target,
          lambda where, seed: check_after_cut(report, fs, daemon, made, final_packs, where, seed))
