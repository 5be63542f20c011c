"""A full disk during a pack write and during a collection, on format 2 — what the
torture suite's disk scenario (tests/torture/scenarios/disk.py) does not look at: it
fills a vault until backups fail and checks that the vault stays consistent and recovers
once space is back, but not which packs a failed backup leaves, nor whether pruning
frees space on a full disk.

On a small tmpfs: a model of four versions whose 6 MiB tensors are one chunk each
(pack 0 will be unused, pack 1 half used); then a model that passes the daemon's check
of free space, with the disk filled by another file once its pack is in tmp/; then 3 MiB
models until a backup fails:

1. the backup that runs out of space while it writes its pack says why, adds no pack
   file and no version, leaves tmp/ empty; so does one the check of free space refuses;
2. `prune` (keep the last 2) on the full disk frees space: the unused pack goes even
   though the repack of the half-used one needs room for a new pack;
3. once space is back, backups and a collection succeed; verify passes throughout.
"""

import json
import os
import struct
import subprocess
import threading

from harness import models as m
from harness import procs
from scenarios.disk import mount_tmpfs, remount
from sweeps import checks

MIB = 1 << 20
MODEL = "lab/w.safetensors"
PLAN = ["fg", "ab", "ac", "de"]  # pack 0: f g; pack 1: a b; pack 2: c; pack 3: d e


def raw_safetensors(tensors, prefix="t"):
    """Untyped (U8) tensors: incompressible, stored raw, so pack sizes are known."""
    header, offset = {}, 0
    for i, data in enumerate(tensors):
        header[f"{prefix}{i}"] = {"dtype": "U8", "shape": [len(data)], "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header)
    text += " " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + b"".join(tensors)


def free_bytes(path):
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def wait_for_versions(daemon, model, count):
    return procs.wait_until(lambda: (lambda r: r if r is not None and len(r) >= count else None)(
        checks.listed(daemon, model)), 120, 0.1)


def back_up_versions(report, daemon, rng):
    tensors = {c: rng.randbytes(6 * MIB) for c in sorted(set("".join(PLAN)))}
    made = []
    for number, letters in enumerate(PLAN):
        # The first version's tensor names differ: its header chunk is its own, so that
        # nothing in pack 0 stays needed.
        data = raw_safetensors([tensors[c] for c in letters], "old" if number == 0 else "t")
        m.save(daemon.models / MODEL, data, atomic=True)
        rows = wait_for_versions(daemon, MODEL, len(made) + 1)
        if not report.check(f"full disk: version {len(made) + 1} of {MODEL} backed up", bool(rows),
                            daemon.log_tail()):
            return None
        newest = max(rows.values(), key=lambda r: r["sequence"])
        made.append((newest["version"], {"w.safetensors": checks.sha256(data)}))
    return made


def fill_when_a_pack_is_written(vault, ballast, result):
    """Once a pack appears in tmp/, takes all the free space with `ballast` (what another
    program writing to the same disk does): the pack's next write fails."""
    def pack_in_tmp():
        try:
            return any(n.startswith("pack-") for n in os.listdir(vault / "tmp"))
        except OSError:
            return False
    if not procs.wait_until(pack_in_tmp, 60, 0.001):
        return
    # The daemon writes meanwhile: take what is free in steps, smaller ones once a step
    # does not fit, until not even a page does.
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT, 0o600)
    size, step = 0, 4 * MIB
    try:
        while step >= 4096:
            try:
                os.posix_fallocate(fd, size, step)
                size += step
            except OSError:
                step //= 2
        result["ballast_mib"] = round(size / MIB, 1)
    finally:
        os.close(fd)


def overflow_during_pack_write(report, daemon, rng, ballast):
    """A backup that passes the daemon's check of free space (daemon/disk_space.cpp) and
    runs out of it while it writes its pack: another program filled the disk."""
    for attempt in range(1, 4):
        size = min(int(free_bytes(daemon.vault) * 0.6), 24 * MIB)
        packs, rows = checks.packs_on_disk(daemon.vault), checks.listed(daemon)
        failures = daemon.status()["counters"]["failures"]
        result = {}
        filler = threading.Thread(target=fill_when_a_pack_is_written,
                                  args=(daemon.vault, ballast, result))
        filler.start()
        m.save(daemon.models / f"lab/big{attempt}.pkl", m.pickle_bytes(rng, size), atomic=True)
        filler.join()
        daemon.wait_idle(120)
        status = daemon.status()
        error = (status.get("last_error") or {}).get("message", "")
        report.note(f"full disk: a {size // MIB} MiB backup, the disk filled once its pack was "
                    f"in tmp/ ({result}): {error or 'it fit'}")
        if status["counters"]["failures"] > failures or attempt == 3:
            break
        os.unlink(ballast)  # the backup was faster than the filler: again
    ok = report.check("full disk: the backup that ran out of space while writing fails and says why",
                      status["counters"]["failures"] > failures and "No space left on device" in error,
                      error or "it did not fail")
    ok &= report.check("full disk: the failed backup left no pack file",
                       checks.packs_on_disk(daemon.vault) == packs,
                       f"new: {sorted(checks.packs_on_disk(daemon.vault) - packs)}")
    ok &= report.check("full disk: the failed backup made no version", checks.listed(daemon) == rows)
    ok &= report.check("full disk: tmp/ is empty after the failed backup",
                       not list((daemon.vault / "tmp").iterdir()), str(list((daemon.vault / "tmp").iterdir())))
    ok &= checks.check_verify(report, daemon, "full disk, a pack write failed", quiet=False)
    os.unlink(ballast)
    daemon.ctl("backup", "--all", timeout=300)  # space is back: it fits now
    return ok


def fill_until_a_backup_fails(report, daemon, rng):
    """Saves 3 MiB models until a backup fails; checks what the failure left."""
    for i in range(40):
        packs = checks.packs_on_disk(daemon.vault)
        rows = checks.listed(daemon)
        failures = daemon.status()["counters"]["failures"]
        m.save(daemon.models / f"lab/fill{i}.pkl", m.pickle_bytes(rng, 3 * MIB), atomic=True)
        daemon.wait_idle(60)
        status = daemon.status()
        if status["counters"]["failures"] == failures:
            continue
        error = (status.get("last_error") or {}).get("message", "")
        report.note(f"full disk: backup {i + 1} failed: {error}")
        report.check("full disk: the failed backup says the disk is full", "No space left" in error, error)
        report.check("full disk: the failed backup left no pack file",
                     checks.packs_on_disk(daemon.vault) == packs,
                     f"new: {sorted(checks.packs_on_disk(daemon.vault) - packs)}")
        report.check("full disk: the failed backup made no version", checks.listed(daemon) == rows)
        report.check("full disk: tmp/ is empty after the failed backup",
                     not list((daemon.vault / "tmp").iterdir()), str(list((daemon.vault / "tmp").iterdir())))
        return True
    return report.check("full disk: a backup failed for lack of space", False, "40 backups fit")


def prune_while_full(report, daemon, made):
    before = free_bytes(daemon.vault)
    daemon.config["watches"][0]["retention"] = {"keep_last": 2}
    daemon.write_config()
    reloaded = daemon.ctl("reload", timeout=60)
    pruned = daemon.ctl("prune", MODEL, timeout=300)
    freed = free_bytes(daemon.vault) - before
    model = (pruned.data or {}).get("models", [{}])[0]
    report.note(f"full disk: prune on the full disk: {freed / MIB:.1f} MiB freed; errors "
                f"{model.get('errors')}; reclaimed {model.get('reclaimed_bytes')}")
    report.check("full disk: prune on a full disk succeeds", reloaded.ok and pruned.ok
                 and not model.get("errors"), f"{reloaded}\n{pruned}")
    # Pack 0 (12 MiB) needs no room to go; pack 1 needs 6 MiB for a's new pack.
    report.check("full disk: prune on a full disk frees the unused pack (12 MiB)",
                 freed >= 11 * MIB, f"{freed} bytes freed")
    kept = {(MODEL, v): files for v, files in made[-2:]}
    checks.check_restores(report, daemon, "full disk, pruned", kept, daemon.root / "restored", quiet=False)
    checks.check_verify(report, daemon, "full disk, pruned", quiet=False)


def run(report, options, fs, daemon, rng, work):
    report.section("full disk during a pack write and a collection (format 2)")
    space = work / "space"
    mount_tmpfs(space, "size=80m,nr_inodes=10000")
    try:
        daemon.vault = space / "vault"
        daemon.config["vault"] = str(daemon.vault)
        (daemon.models / "lab").mkdir(parents=True, exist_ok=True)
        daemon.config["watches"] = [{"name": "lab", "path": str(daemon.models / "lab"), "settle": "200ms"}]
        daemon.start()
        made = back_up_versions(report, daemon, rng)
        if made and overflow_during_pack_write(report, daemon, rng, space / "ballast") \
                and fill_until_a_backup_fails(report, daemon, rng):
            checks.check_verify(report, daemon, "full disk, full", quiet=False)
            prune_while_full(report, daemon, made)
            remount(space, "size=256m")
            retried = daemon.ctl("backup", "--all", timeout=300)
            report.check("full disk: once space is back, `backup --all` succeeds", retried.ok, str(retried))
            checks.check_verify(report, daemon, "full disk, recovered", quiet=False)
            checks.check_leftovers(report, daemon, "full disk, recovered", len(checks.listed(daemon)),
                                   quiet=False)
        code = daemon.stop()
        report.check("full disk: the daemon stops cleanly", code == 0, f"exit {code}")
    finally:
        daemon.kill()
        subprocess.run(["umount", str(space)], check=False)
