"""Protocol abuse: random bytes, deep nesting, oversized and slow clients, a connection
flood from a forbidden user. Through all of it the daemon must stay up, answer root's
`status` within a second, and give back every descriptor and most memory.
"""

import json
import os
import socket
import time

from harness import procs
from harness.daemon import Daemon, read_response

NOBODY = 65534  # nobody:nogroup on Debian
STATUS = b'{"id":1,"command":"status"}\n'


def root_status_seconds(daemon):
    """How long root's `status` takes on a fresh connection (inf when it fails)."""
    started = time.monotonic()
    try:
        ok = daemon.request("status", timeout=5).get("ok")
    except (OSError, ValueError):
        ok = False
    return time.monotonic() - started if ok else float("inf")


def answer(conn, timeout=5):
    """The daemon's response to what was sent on `conn`, or None when it closed."""
    conn.settimeout(timeout)
    try:
        return read_response(conn)
    except (OSError, ValueError):
        return None


def garbage(rng):
    """Random bytes, or a valid request with a few bytes flipped, ending in a newline."""
    if rng.random() < 0.5:
        data = bytearray(json.dumps({"id": rng.randrange(99), "command": rng.choice(
            ["status", "list", "show", "tag", "verify"]), "args": {"model": "lab/x.pkl"}}).encode())
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data) + b"\n"
    return rng.randbytes(rng.randrange(1, 4096)) + b"\n"


def random_bytes(report, daemon, rng, count):
    for _ in range(count):
        with daemon.connect() as conn:
            conn.sendall(garbage(rng) + (b"" if rng.random() < 0.5 else STATUS))
            answer(conn, timeout=2)
    report.check(f"abuse: alive after {count} malformed requests", daemon.alive(), daemon.log_tail())


def nesting(report, daemon):
    for depth in (1000, 58000):  # 58,000: issue 10 #1
        line = ('{"command":"list","args":{"limit":' + "[" * depth + "]" * depth + "}}\n").encode()
        try:
            with daemon.connect() as conn:
                conn.sendall(line)
                response = answer(conn, timeout=20)
        except OSError:
            response = None
        # A crash may come a moment after the answer (or instead of it).
        answers = root_status_seconds(daemon) < 5
        survived = response is not None and not response.get("ok") and answers and daemon.alive()
        report.check(f"abuse: a request nested {depth} levels deep gets an error, the daemon lives",
                     survived, f"response {response}, alive {daemon.alive()}")
        if not answers or not daemon.alive():
            daemon.kill()
            daemon.start()


def oversized(report, daemon):
    with daemon.connect() as conn:
        try:
            conn.sendall(b'{"command":"status","args":{"x":"' + b"x" * (2 << 20) + b'"}}\n')
        except OSError:
            pass  # the daemon hangs up after its answer: the rest cannot be sent
        response = answer(conn)
    report.check("abuse: a 2 MiB request gets invalid_argument",
                 response is not None and response["error"]["code"] == "invalid_argument",
                 str(response)[:300])
    rss = procs.rss_kib(daemon.pid)
    with daemon.connect() as conn:
        sent, closed = 0, False
        try:
            while sent < (64 << 20):  # 64 MiB without a newline
                conn.sendall(b"[" * 65536)
                sent += 65536
        except OSError:
            closed = True
    report.check("abuse: a client streaming 64 MiB without a newline is cut off",
                 closed and sent <= (8 << 20), f"{sent} bytes accepted")
    grown = procs.rss_kib(daemon.pid) - rss
    report.check("abuse: memory stays bounded (< 32 MiB more)", grown < 32 * 1024, f"+{grown} KiB")


def slow_clients(report, daemon, rng):
    slow = daemon.connect()
    greedy = daemon.connect()
    greedy.sendall(STATUS * 5000)  # pipelined, never read: the daemon's writes back up
    worst = 0.0
    for byte in STATUS:  # one byte at a time
        slow.sendall(bytes([byte]))
        time.sleep(0.02)
        if rng.random() < 0.1:
            worst = max(worst, root_status_seconds(daemon))
    report.check("abuse: a byte-at-a-time client gets its answer", answer(slow) is not None)
    worst = max(worst, root_status_seconds(daemon))
    report.check("abuse: root's status answers within 1 s beside slow and greedy clients",
                 worst <= 1.0, f"{worst:.2f} s")
    slow.close()
    greedy.close()


def duplicate_key(report, daemon):
    with daemon.connect() as conn:
        conn.sendall(b'{"id":1,"command":"status","command":"version"}\n')
        response = answer(conn)
    report.check('abuse: a duplicate "command" key is refused (issue 10)',
                 response is not None and response.get("ok") is False, str(response)[:300])


def forbidden_flood(report, daemon, seconds):
    """A forked child as nobody keeps ~200 silent connections open, reconnecting as the
    daemon closes them; root's status must still answer within 1 s."""
    child = os.fork()
    if child == 0:
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            held, deadline = [], time.monotonic() + seconds
            while time.monotonic() < deadline:
                held = [c for c in held if c.fileno() >= 0]
                while len(held) < 200:
                    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    try:
                        c.connect(str(daemon.socket))
                    except OSError:
                        c.close()
                        break
                    held.append(c)
                time.sleep(0.05)
        finally:
            os._exit(0)
    time.sleep(min(2.0, seconds / 3))  # let the flood fill the slots
    timings = [root_status_seconds(daemon) for _ in range(5)]
    os.waitpid(child, 0)
    report.check("abuse: root's status answers within 1 s during a forbidden user's "
                 "connection flood (issue 10 #2)", max(timings) <= 1.0,
                 "seconds: " + ", ".join(f"{t:.2f}" for t in timings))


def cannot_run():
    return None


def run(report, options, rng, bin_dir, work):
    count = 13000 if options.long else 1000
    report.section(f"protocol abuse ({count} malformed requests, floods, slow clients)")
    daemon = Daemon(bin_dir, work)
    daemon.config["log_level"] = "warn"
    if os.geteuid() == 0:
        daemon.config["access"] = {"socket_group": "nogroup"}
    daemon.start()
    fds = procs.open_fds(daemon.pid)
    rss = procs.rss_kib(daemon.pid)
    random_bytes(report, daemon, rng, count)
    oversized(report, daemon)
    slow_clients(report, daemon, rng)
    duplicate_key(report, daemon)
    if os.geteuid() == 0:
        forbidden_flood(report, daemon, 30 if options.long else 6)
    else:
        report.note("the forbidden user's flood needs root (to become nobody): skipped")
    settled = procs.wait_until(lambda: procs.open_fds(daemon.pid) <= fds + 2, 30, 0.2)
    report.check("abuse: every connection's descriptor is given back", settled,
                 f"{procs.open_fds(daemon.pid)} descriptors open, {fds} before")
    grown = procs.rss_kib(daemon.pid) - rss
    report.check("abuse: memory after the abuse (< 32 MiB more)", grown < 32 * 1024, f"+{grown} KiB")
    nesting(report, daemon)  # last: a crash here (issue 10 #1) must not hide the checks above
    code = daemon.stop()
    report.check("abuse: the daemon stops cleanly", code == 0, f"exit {code}")
