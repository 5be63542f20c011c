"""A forced inotify queue overflow must miss no file.

The daemon is stopped (SIGSTOP) so that it reads nothing, the kernel's event queue is
flooded past fs.inotify.max_queued_events (renames, which inotify cannot coalesce), and
meanwhile models are saved: new ones in new folders the daemon has no watch on yet,
changed ones, and file names that need escaping. After SIGCONT the daemon sees
IN_Q_OVERFLOW and must rescan: every model gets a version with exactly the bytes saved.
The global sysctl is left alone (other programs share it).
"""

import os
import signal
import time

from harness import models as m
from harness import procs
from harness.daemon import Daemon

ODD_NAMES = ["with space.pkl", "ünïcødé-模型.pkl", "100%.pkl", "semi;colon,comma=.pkl"]
# 255 bytes, the longest name Linux allows: its escaped vault folder name is longer
# (issue 10 #3); and one that needs no escaping, whose restore needs a temporary name
# longer than 255 bytes beside it (issue 10 #4).
LONG_ESCAPED = "x" * 200 + " " * 51 + ".pkl"
LONG_PLAIN = "l" * 251 + ".pkl"


def max_queued_events():
    with open("/proc/sys/fs/inotify/max_queued_events") as f:
        return int(f.read())


def flood(folder, events):
    """Queues at least `events` inotify events that cannot be merged: renames back and
    forth (IN_MOVED_FROM and IN_MOVED_TO, each pair with its own cookie) of a file the
    watch excludes. (mkdir/rmdir would do too but costs milliseconds each on ext4.)"""
    one, other = folder / "junk-1.tmp", folder / "junk-2.tmp"
    one.write_bytes(b"")
    for _ in range(events // 4 + 1):
        os.rename(one, other)
        os.rename(other, one)
    one.unlink()


def latest_sha(daemon, model):
    result = daemon.ctl("show", model, timeout=60)
    if not result.ok:
        return None
    return next((f["sha256"] for f in result.data["files"] if f["role"] == "model"), None)


def long_names(report, daemon, long_models, work):
    procs.wait_until(lambda: latest_sha(daemon, f"lab/{LONG_ESCAPED}"), 5, 0.5)
    report.check("overflow: a 255-byte file name that needs escaping is backed up (issue 10 #3)",
                 latest_sha(daemon, f"lab/{LONG_ESCAPED}") == m.sha256(long_models[LONG_ESCAPED]),
                 "no version of it")
    plain = f"lab/{LONG_PLAIN}"
    stored = latest_sha(daemon, plain) == m.sha256(long_models[LONG_PLAIN])
    report.check("overflow: a 255-byte file name is backed up", stored, "no version of it")
    restored = daemon.ctl("restore", plain, "--to", str(work / "long"), timeout=60)
    report.check("overflow: a version with a 255-byte file name restores (issue 10 #4)",
                 restored.ok
                 and m.file_sha256(work / "long" / LONG_PLAIN) == m.sha256(long_models[LONG_PLAIN]),
                 str(restored))


def run(report, options, rng, bin_dir, work):
    count = 2000 if options.long else 300
    limit = max_queued_events()
    report.section(f"inotify overflow: {count} models saved during a flood of {2 * limit} events")
    daemon = Daemon(bin_dir, work)
    lab = daemon.models / "lab"
    lab.mkdir(parents=True)
    daemon.config["watches"] = [{"name": "lab", "path": str(lab), "settle": "200ms"}]
    daemon.start()
    saved = {}
    for i in range(10):  # models the daemon knows before the flood
        saved[f"lab/old{i}.pkl"] = m.pickle_bytes(rng, 4096)
        m.save(lab / f"old{i}.pkl", saved[f"lab/old{i}.pkl"], atomic=False)
    procs.wait_until(lambda: len(daemon.ctl("list").data["versions"]) >= 10, 120, 0.2)

    daemon.process.send_signal(signal.SIGSTOP)
    for i in range(count):
        name = f"lab/d{i % 37}/e{i % 5}/m{i}.pkl"
        saved[name] = m.pickle_bytes(rng, rng.randrange(64, 4096))
        m.save(daemon.models / name, saved[name], atomic=rng.random() < 0.3)
        if i == count // 2:
            flood(lab, 2 * limit)
    for i in range(10):
        saved[f"lab/old{i}.pkl"] = m.pickle_bytes(rng, 4096)
        m.save(lab / f"old{i}.pkl", saved[f"lab/old{i}.pkl"], atomic=False)
    for name in ODD_NAMES:
        saved[f"lab/{name}"] = m.pickle_bytes(rng, 1024)
        m.save(lab / name, saved[f"lab/{name}"], atomic=False)
    long_models = {name: m.pickle_bytes(rng, 1024) for name in (LONG_ESCAPED, LONG_PLAIN)}
    for name, data in long_models.items():
        m.save(lab / name, data, atomic=False)
    daemon.process.send_signal(signal.SIGCONT)

    def all_backed_up():
        rows = daemon.ctl("list").data["versions"]
        return len({r["model"] for r in rows if r["model"] in saved}) >= len(saved)
    started = time.monotonic()
    procs.wait_until(all_backed_up, 300 if options.long else 120, 0.5)
    report.note(f"every model had a version {time.monotonic() - started:.1f} s after SIGCONT")
    report.check("overflow: the daemon saw the queue overflow",
                 "inotify queue overflowed" in daemon.log_text(), daemon.log_tail())
    wrong = [name for name, data in saved.items() if latest_sha(daemon, name) != m.sha256(data)]
    report.check(f"overflow: all {len(saved)} models saved during the flood are backed up with "
                 f"their last bytes", not wrong, f"{len(wrong)} missed or stale: {wrong[:10]}")
    long_names(report, daemon, long_models, work)
    extra = [r["model"] for r in daemon.ctl("list").data["versions"]
             if r["model"] not in saved and r["model"][4:] not in long_models]
    report.check("overflow: nothing else became a model", not extra, str(extra[:10]))
    code = daemon.stop()
    report.check("overflow: the daemon stops cleanly", code == 0, f"exit {code}")
