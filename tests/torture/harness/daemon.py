"""A real modelvaultd on a temporary vault, driven with the real modelvaultctl.

The suites only talk to the daemon the way users do: modelvaultctl (with --json) and,
for protocol abuse, raw lines on its socket (docs/PROTOCOL.md).
"""

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from harness import procs


class CtlResult:
    """What one modelvaultctl run returned: exit code, output and the parsed JSON."""

    def __init__(self, args, code, out, err):
        self.args, self.code, self.out, self.err = args, code, out, err
        try:
            self.data = json.loads(out) if out.strip() else None
        except ValueError:
            self.data = None

    @property
    def ok(self):
        return self.code == 0

    def __str__(self):
        return f"modelvaultctl {' '.join(self.args)} -> {self.code}: {self.out.strip()[:400]} {self.err.strip()[:400]}"


class Daemon:
    """modelvaultd with its own config, socket and log under `root`.

    `config` is the daemon's configuration as a dict; start() writes it. The log of every
    run is appended to root/daemon.log, one `=== start N` marker per run.
    """

    def __init__(self, bin_dir, root, vault=None):
        self.bin_dir = Path(bin_dir)
        self.root = Path(root)
        self.models = self.root / "models"
        self.vault = Path(vault) if vault else self.root / "vault"
        self.socket = self.root / "mv.sock"
        self.config_file = self.root / "modelvault.json"
        self.log_file = self.root / "daemon.log"
        self.models.mkdir(parents=True, exist_ok=True)
        self.process = None
        self.starts = 0
        self.env = dict(os.environ, TZ="UTC")
        self.config = {"vault": str(self.vault), "socket": str(self.socket),
                       "log_level": "info", "io_priority": "normal",
                       "compression": {"codec": "zstd", "level": 1, "threads": 1},
                       "watches": []}

    # --- lifecycle -----------------------------------------------------------------
    def write_config(self):
        """Writes the config atomically, as an administrator's editor would."""
        tmp = self.config_file.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.config, indent=2))
        os.replace(tmp, self.config_file)

    def launch(self):
        """Starts modelvaultd without waiting for it."""
        self.write_config()
        self.starts += 1
        with open(self.log_file, "a") as log:
            log.write(f"=== start {self.starts}\n")
            log.flush()
            self.process = procs.spawn([str(self.bin_dir / "modelvaultd"), "--config",
                                        str(self.config_file)], log=log, env=self.env)

    def start(self, timeout=120):
        """Starts modelvaultd and waits until it answers `version`; raises when it
        exits or does not answer within `timeout` seconds."""
        self.launch()
        up = procs.wait_until(lambda: not self.alive() or self._answers(), timeout, 0.02)
        if not up or not self.alive():
            raise RuntimeError(f"modelvaultd did not come up (start {self.starts}); "
                               f"exit {self.process.poll()}\n{self.log_tail()}")

    def _answers(self):
        try:
            return self.request("version", timeout=2).get("ok", False)
        except OSError:
            return False

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL: no cleanup, as a crash or the OOM killer would."""
        if self.process is not None:
            procs.kill(self.process, signal.SIGKILL)

    def stop(self, timeout=60):
        """SIGTERM and wait; returns the exit code (None when it did not stop)."""
        if self.process is None:
            return None
        return procs.kill(self.process, signal.SIGTERM, timeout)

    @property
    def pid(self):
        return self.process.pid

    def log_text(self):
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def log_of_this_run(self):
        text = self.log_text()
        return text[text.rfind(f"=== start {self.starts}\n"):]

    # --- modelvaultctl --------------------------------------------------------------
    def ctl_argv(self, args, json_output=True):
        argv = [str(self.bin_dir / "modelvaultctl"), "--socket", str(self.socket), "--no-progress"]
        return argv + (["--json"] if json_output else []) + list(args)

    def ctl(self, *args, timeout=300, json_output=True):
        """Runs modelvaultctl and waits for it."""
        process = procs.spawn(self.ctl_argv(args, json_output), stdout=subprocess.PIPE)
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            procs.kill(process)
            out, err = process.communicate()
            err += b"\n(timed out)"
        return CtlResult(list(args), process.returncode, out.decode(errors="replace"),
                         err.decode(errors="replace"))

    def ctl_async(self, *args):
        """Starts modelvaultctl; its output is read from process.stdout and stderr."""
        process = procs.spawn(self.ctl_argv(args), stdout=subprocess.PIPE)
        process.mv_args = list(args)
        return process

    # --- raw protocol ---------------------------------------------------------------
    def connect(self, timeout=5):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(timeout)
        conn.connect(str(self.socket))
        return conn

    def request(self, command, args=None, timeout=10):
        """One request on a fresh connection; returns the final response as a dict."""
        with self.connect(timeout) as conn:
            line = {"id": 1, "command": command}
            if args is not None:
                line["args"] = args
            conn.sendall(json.dumps(line).encode() + b"\n")
            return read_response(conn)

    def status(self):
        return self.request("status", timeout=30)["result"]

    def idle(self):
        """Whether nothing is queued, running, verifying or settling (False when the
        daemon does not answer)."""
        try:
            status = self.status()
        except (OSError, KeyError, ValueError):
            return False
        queue = status["queue"]
        busy = queue["queued"] or queue["running"] or queue["verifying"]
        return not busy and all(w.get("pending", 0) == 0 for w in status["watches"])

    def wait_idle(self, timeout=300):
        """Waits until the daemon is idle twice in a row 0.3 s apart; returns False on
        timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if procs.wait_until(self.idle, deadline - time.monotonic(), 0.1):
                time.sleep(0.3)
                if self.idle():
                    return True
        return False


def read_response(conn):
    """Reads lines until the final response (the one with "ok"); raises OSError on EOF."""
    buffer = b""
    while True:
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            message = json.loads(line)
            if "ok" in message:
                return message
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("the daemon closed the connection without an answer")
        buffer += chunk
