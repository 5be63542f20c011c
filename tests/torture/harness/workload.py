"""Every mutating operation of modelvault, started so that a crash can hit it at any
instant: trainers saving models (which makes the daemon back up, apply retention and
move `best`), and modelvaultctl backup, prune, tag, rollback, import, reload, restore.

An operation is started, may be cut short by a kill or a power cut, and is then
finished: what the daemon confirmed before the cut goes into the ledger.
"""

import math
import shutil
import threading
import time
from pathlib import Path

from harness import models as m
from harness import procs
from harness.daemon import CtlResult
from harness.ledger import Ledger


def lab_config(daemon, large_mib):
    """The watches the crash suites use: single-file models with a metrics sidecar, an
    improvement trigger and retention; a Hugging Face-style folder model."""
    daemon.config["watches"] = [
        {"name": "lab", "path": str(daemon.models / "lab"), "settle": "200ms",
         "sidecars": ["{stem}.metrics.json"],
         "triggers": {"on_change": True,
                      "improvement": {"metric": "/eval/win_rate", "min_relative": 0.05}},
         "retention": {"keep_last": 3, "keep_tags": ["pinned"]}},
        {"name": "hf", "path": str(daemon.models / "hf"), "layout": "directory",
         "settle": "300ms", "retention": {"keep_last": 2}},
    ]
    daemon.large_mib = large_mib


class Workload:
    """Picks and runs operations against `daemon`, recording confirmations in `ledger`."""

    def __init__(self, daemon, rng, large_mib):
        self.daemon = daemon
        self.rng = rng
        self.ledger = Ledger()
        self.lab = daemon.models / "lab"
        self.hf = daemon.models / "hf"
        self.lab.mkdir(parents=True, exist_ok=True)
        self.hf.mkdir(parents=True, exist_ok=True)
        self.large = m.LargeModel(self.lab / "big.safetensors", large_mib, rng)
        self.counter = 0
        self.win_rate = 0.1
        self.restored_ok = 0
        self.problems = []  # confirmations that turned out false (checked at once)
        self.kinds = [("save_small", 6), ("save_medium", 3), ("save_large", 2), ("save_folder", 2),
                      ("backup", 3), ("prune", 2), ("tag", 2), ("rollback", 2), ("import", 2),
                      ("reload", 1), ("restore", 2)]

    def model_ids(self):
        return ["lab/a.pkl", "lab/sub/b.safetensors", "lab/big.safetensors", "hf"]

    def pick(self):
        names = [k for k, _ in self.kinds]
        return self.rng.choices(names, weights=[w for _, w in self.kinds])[0]

    def start(self, kind, versions):
        """Starts one operation of `kind`; `versions` are the listed rows (targets for
        tag, rollback, restore). Returns an object with finish()."""
        self.counter += 1
        return getattr(self, f"_{kind}")(versions)

    # --- trainers --------------------------------------------------------------------
    def _save_small(self, _):
        self.win_rate = min(0.99, self.win_rate + self.rng.choice([-0.02, 0.01, 0.08]))
        data = m.pickle_bytes(self.rng, self.rng.randrange(1024, 64 * 1024))
        atomic = self.rng.random() < 0.5

        def save():
            m.write_metrics(self.lab / "a.metrics.json", round(self.win_rate, 3))
            m.save(self.lab / "a.pkl", data, atomic)
        return Trainer("save_small", save)

    def _save_medium(self, _):
        data = m.safetensors_bytes(self.rng, self.rng.randrange(1, 8) * m.MIB)
        atomic = self.rng.random() < 0.5
        return Trainer("save_medium", lambda: m.save(self.lab / "sub/b.safetensors", data, atomic))

    def _save_large(self, _):
        return Trainer("save_large", self.large.save)

    def _save_folder(self, _):
        shard = self.rng.randrange(3)
        data = m.safetensors_bytes(self.rng, 512 * 1024)

        def save():
            m.save(self.hf / "config.json", b'{"architectures": ["Toy"]}', atomic=True)
            m.save(self.hf / f"model-0000{shard}.safetensors", data, atomic=False)
        return Trainer("save_folder", save)

    # --- modelvaultctl -----------------------------------------------------------------
    def _backup(self, _):
        args = ["backup", self.rng.choice(self.model_ids()[:3] + ["--all"])]
        if self.rng.random() < 0.3:
            args += ["--bump", self.rng.choice(["major", "minor", "patch"])]
        if self.rng.random() < 0.3:
            args += ["--tag", f"t{self.counter}"]
        return Ctl(self, args, self._confirm_results)

    def _prune(self, _):
        args = ["prune"] + ([self.rng.choice(self.model_ids())] if self.rng.random() < 0.5 else [])
        return Ctl(self, args, None)

    def _tag(self, versions):
        if not versions:
            return self._prune(versions)
        row = self.rng.choice(versions)
        present = self.rng.random() < 0.7 or not row["tags"]
        # `pinned` keeps a version for good: not on the large model, or the vault (and every
        # round's verify --all) would keep growing.
        names = ["t1", "t2"] + (["pinned"] if row["model"] != "lab/big.safetensors" else [])
        tag = self.rng.choice(names) if present else self.rng.choice(row["tags"])
        if tag in ("best", "current"):
            tag = "t1"

        def confirm(result):
            self.ledger.tagged(row["model"], row["version"], tag, present)

        # Without a confirmed answer (killed, refused, or answered after a power cut) the
        # change may or may not have been made: the tag's state is no promise any more (a
        # torture run once reported a `tag rm` the daemon carried out but could not answer
        # as a lost "tag added").
        def unsure(result):
            self.ledger.tag_unknown(row["model"], row["version"], tag)
        return Ctl(self, ["tag", f"{row['model']}@{row['version']}", "add" if present else "rm",
                          tag], confirm, on_unconfirmed=unsure)

    def _rollback(self, versions):
        rows = [r for r in versions if r["model"] in ("lab/a.pkl", "lab/sub/b.safetensors")]
        if not rows:
            return self._backup(versions)
        row = self.rng.choice(rows)
        return Ctl(self, ["rollback", f"{row['model']}@{row['version']}", "--force"],
                   lambda _: self.ledger.rolled_back(row["model"], row["version"]))

    def _import(self, _):
        files = []
        for i in range(self.rng.randrange(1, 4)):
            path = self.daemon.root / "imports" / f"{self.counter}-{i}.pkl"
            m.save(path, m.pickle_bytes(self.rng, self.rng.randrange(1024, 256 * 1024)), atomic=False)
            files.append(str(path))
        # lab/imported.pkl is no file of the watch: a model made on purpose (--new-model).
        return Ctl(self, ["import", *files, "--model", "lab/imported.pkl", "--new-model"],
                   self._confirm_results)

    def _reload(self, _):
        lab = self.daemon.config["watches"][0]
        lab["retention"]["keep_last"] = 7 - lab["retention"]["keep_last"]  # 3 <-> 4
        hf = self.daemon.config["watches"][1]
        hf["settle"] = "400ms" if hf["settle"] == "300ms" else "300ms"
        self.daemon.write_config()
        return Ctl(self, ["reload"], None)

    def _restore(self, versions):
        if not versions:
            return self._backup(versions)
        row = self.rng.choice(versions)
        selector = f"{row['model']}@{row['version']}"
        show = self.daemon.ctl("show", selector, timeout=60)
        if not show.ok:
            return self._prune(versions)
        expected = {e["path"]: e["sha256"] for e in show.data["files"]}
        target = self.daemon.root / "restores" / str(self.counter)
        return Ctl(self, ["restore", selector, "--to", str(target)],
                   lambda result: self._check_restored(selector, target, expected, True),
                   on_failure=lambda result: self._check_restored(selector, target, expected, False))

    def _confirm_results(self, result):
        for item in (result.data or {}).get("results", []):
            if item.get("status") == "committed" and "summary" in item:
                self.ledger.committed(item["summary"])

    def _check_restored(self, selector, target, expected, complete):
        """What a restore put in its folder is exactly the version's files: all of them
        when it succeeded, a subset (nothing partial, no temporary files) when it failed."""
        found = {str(p.relative_to(target)): p for p in Path(target).rglob("*") if p.is_file()}
        for name, path in found.items():
            if name not in expected:
                self.problems.append(f"restore of {selector} left a stray file {path}")
            elif m.file_sha256(path) != expected[name]:
                self.problems.append(f"restore of {selector} left {path} with wrong content")
        if complete and set(found) != set(expected):
            self.problems.append(f"restore of {selector} succeeded but wrote {sorted(found)}, "
                                 f"not {sorted(expected)}")
        self.restored_ok += complete
        shutil.rmtree(target, ignore_errors=True)


class Trainer:
    """A training job saving files, in a thread (it keeps going through a daemon crash)."""

    def __init__(self, kind, save):
        self.kind = kind
        self.thread = threading.Thread(target=save, daemon=True)
        self.thread.start()

    def running(self):
        return self.thread.is_alive()

    def finish(self):
        self.thread.join()

    def confirm(self, cutoff=math.inf):
        pass  # a trainer is told nothing by the daemon

    def forget_unconfirmed(self):
        pass


class Ctl:
    """A modelvaultctl command, waited for by a thread that notes when it ended."""

    def __init__(self, workload, args, on_success, on_failure=None, on_unconfirmed=None):
        self.kind = args[0]
        self.workload = workload
        self.on_success = on_success
        self.on_failure = on_failure
        self.on_unconfirmed = on_unconfirmed  # no success answer before the cutoff
        self.unconfirmed = False
        self.process = workload.daemon.ctl_async(*args)
        self.output = (b"", b"")
        self.ended_at = None
        self.result = None
        self.thread = threading.Thread(target=self._wait, daemon=True)
        self.thread.start()

    def _wait(self):
        self.output = self.process.communicate()
        self.ended_at = time.monotonic()

    def running(self):
        return self.ended_at is None

    def finish(self, timeout=300):
        """Waits for the command (killing it after `timeout` s)."""
        self.thread.join(timeout)
        if self.thread.is_alive():
            procs.kill(self.process)
            self.thread.join()
        out, err = self.output
        self.result = CtlResult(self.process.mv_args, self.process.returncode,
                                out.decode(errors="replace"), err.decode(errors="replace"))

    def confirm(self, cutoff=math.inf):
        """Records what the daemon confirmed, if the answer came before `cutoff`
        (time.monotonic(); a power cut's instant: later answers may describe writes
        that failed)."""
        self.unconfirmed = not (self.result.ok and self.ended_at < cutoff)
        if not self.unconfirmed:
            if self.on_success:
                self.on_success(self.result)
        elif not self.result.ok and self.on_failure:
            self.on_failure(self.result)

    def forget_unconfirmed(self):
        """After every op of the round confirmed what it could: an op without a confirmed
        answer makes what it would have changed unknown. Last, because the daemon may
        have carried it out after a confirmed op of the same round."""
        if self.unconfirmed and self.on_unconfirmed:
            self.on_unconfirmed(self.result)
