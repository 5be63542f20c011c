"""Child processes that never outlive the suite, and waiting for conditions.

Every program the suites start (modelvaultd, modelvaultctl, crashfs) gets
PR_SET_PDEATHSIG=SIGKILL and its own process group, so a crashed or interrupted
driver leaves nothing running behind it.
"""

import ctypes
import os
import signal
import subprocess
import time

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(argv, log=None, env=None, stdin=subprocess.DEVNULL, stdout=None, user=None):
    """Starts argv in its own process group; output goes to the open file `log`
    (or to `stdout` when given, e.g. subprocess.PIPE)."""
    out = stdout if stdout is not None else (log if log is not None else subprocess.DEVNULL)
    err = log if log is not None else (subprocess.PIPE if stdout is not None else subprocess.DEVNULL)
    return subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=err, env=env,
                            preexec_fn=_die_with_parent, start_new_session=True, user=user)


def kill(process, sig=signal.SIGKILL, timeout=30):
    """Sends `sig` to the process and waits for it; returns its exit status (or None)."""
    if process.poll() is None:
        try:
            process.send_signal(sig)
        except ProcessLookupError:
            pass
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


def wait_until(condition, timeout, interval=0.05):
    """Polls condition() until it returns something truthy or `timeout` seconds pass;
    returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def open_fds(pid):
    """Number of descriptors the process holds (from /proc)."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid):
    """Resident memory of the process in KiB (from /proc)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
