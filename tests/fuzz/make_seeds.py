#!/usr/bin/env python3
"""Regenerates the seed corpora of tests/fuzz/corpus/ from a real daemon: archives in each
codec, their sidecars, a history with every kind of record, requests and configs.

  tests/fuzz/make_seeds.py --bin build/bin

Run it when the vault format changes; the seeds should stay small (a few KiB each).
"""

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, str(HERE.parent / "torture"))

from harness import models as m  # noqa: E402
from harness.daemon import Daemon  # noqa: E402

REQUESTS = [
    b'{"id":1,"command":"status"}\n',
    b'{"id":"a","command":"list","args":{"model":"lab/dqn.pkl","limit":5,"where":["win_rate>=0.5"],'
    b'"sort":"win_rate:asc","since":"2026-11-01","tag":"best"}}\n',
    b'{"command":"show","args":{"target":"lab/dqn.pkl@1.0"}}\r\n{"id":null,"command":"version"}\n',
    b'{"id":7,"command":"backup","args":{"models":["lab/a.pkl"],"bump":"minor","tags":["x"],"note":"n"}}\n',
    b'{"id":8,"command":"tag","args":{"model":"lab/a.pkl","selector":"@2026-11-22T08:00","action":"add",'
    b'"tag":"pinned"}}\n',
    b'{"id":9,"command":"import","args":{"model":"lab/a.pkl","files":[{"name":"a\\\\x01.pkl",'
    b'"time":"2025-06-01T12:00:00Z","version":"0.9.0"}]}}\n',
    b'{"id":10,"command":"verify","args":{"all":true}}\n\n{"id":11,"command":"prune","args":{"dry_run":true}}\n',
    b'{"id":12,"command":"diff","args":{"a":"lab/a.pkl@1.0.0","b":"@latest"}}\n',
    b'{"id":13,"command":"rollback_done","args":{"model":"lab/a.pkl","version":"1.0.0","from":null}}\n',
    b'{"command":"status","extra":1}\n{"command":42}\n[1,2]\n{"id":{},"command":"x"}\n',
]


def make_archives(bin_dir, work, out):
    """Versions of a tiny model in every codec, plus a folder model with a sidecar."""
    for codec in ("none", "zstd", "gzip", "xz"):
        daemon = Daemon(bin_dir, work / codec)
        lab = daemon.models / "lab"
        lab.mkdir(parents=True)
        daemon.config["compression"] = {"codec": codec}
        daemon.config["watches"] = [{"name": "lab", "path": str(lab), "settle": "100ms",
                                     "sidecars": ["{stem}.metrics.json"],
                                     "triggers": {"on_change": True, "improvement": {
                                         "metric": "/eval/win_rate"}},
                                     "retention": {"keep_last": 1}}]
        daemon.start()
        for i, rate in enumerate((0.5, 0.6, 0.4)):
            m.write_metrics(lab / "dqn.metrics.json", rate)
            m.save(lab / "dqn.pkl", b"\x80\x04\x95" + bytes([i]) * 40 + b".", atomic=True)
            daemon.ctl("backup", "lab/dqn.pkl", "--tag", f"t{i}")
        daemon.ctl("tag", "lab/dqn.pkl@latest", "add", "pinned")
        daemon.ctl("rollback", "lab/dqn.pkl@latest", "--force")
        daemon.stop()
        folder = daemon.vault / "models/lab/dqn.pkl"
        # The newest version, one history (the same in every codec), two manifests.
        newest = sorted(folder.glob("*.json"))[-1]
        archive = next(p for p in folder.iterdir()
                       if p.name.startswith(newest.stem + ".") and p != newest)
        shutil.copy(archive, out / "archive" / f"{codec}{archive.name[len(newest.stem):]}")
        if codec in ("none", "zstd"):
            shutil.copy(newest, out / "manifest" / f"{codec}.json")
        if codec == "none":
            shutil.copy(folder / "history.jsonl", out / "history" / "history.jsonl")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="build/bin")
    options = parser.parse_args()
    out = HERE / "corpus"
    for harness in ("request", "config", "manifest", "history", "archive"):
        shutil.rmtree(out / harness, ignore_errors=True)
        (out / harness).mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="mv-seeds-"))
    try:
        make_archives(Path(options.bin).resolve(), work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for i, request in enumerate(REQUESTS):
        (out / "request" / f"{i:02}.jsonl").write_bytes(request)
    root = HERE.parent.parent
    for config in [root / "examples/modelvault.json", root / "examples/rl.json",
                   root / "systemd/modelvault.json"]:
        shutil.copy(config, out / "config" / f"{config.parent.name}-{config.name}")
    (out / "config" / "everything.json").write_text(json.dumps(EVERYTHING, indent=1))
    for path in sorted(out.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            print(f"{path.relative_to(HERE)}  {path.stat().st_size} bytes  {digest}")


# A config with every key (docs/CONFIG.md), so that mutations reach every checker.
EVERYTHING = {
    "vault": "/var/lib/modelvault", "socket": "/run/modelvault/modelvault.sock",
    "log_level": "debug", "compression": {"codec": "zstd", "level": 9, "threads": 2},
    "encryption": {"key_file": "/etc/modelvault/vault.key"}, "verify_after_write": True,
    "io_priority": "best-effort",
    "access": {"socket_group": "modelvault", "read": ["@modelvault"], "write": ["alice", "@ml"]},
    "hooks": {"on_backup": ["/usr/local/bin/notify", "{model}", "{version}"], "on_failure": []},
    "defaults": {"settle": "5s", "exclude": ["tmp_*", "*.tmp"], "retention": {"keep_last": 10}},
    "watches": [
        {"name": "pacman", "path": "/srv/models/pacman", "include": ["*.pt", "*.safetensors"],
         "sidecars": ["{stem}.metrics.json", "config.json"],
         "triggers": {"on_change": True, "schedule": {"every": "6h", "at": ["02:00", "14:00"]},
                      "improvement": {"metrics_file": "{stem}.metrics.json", "metric": "/eval/win_rate",
                                      "mode": "max", "min_delta": 0.01, "min_relative": 0.05},
                      "steps": {"counter": "/episode", "every": 1000}},
         "compat": {"file": "config.json", "keys": ["/observation_space_shape"]},
         "retention": {"keep_within": "7d", "keep_within_daily": "30d", "keep_daily": 7,
                       "keep_tags": ["pinned"], "max_versions": 50}},
        {"name": "bert", "path": "/srv/models/bert", "layout": "directory", "recursive": False,
         "settle": "30s", "retention": None},
    ],
}

if __name__ == "__main__":
    main()
