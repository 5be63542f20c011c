"""The invariants checked after every restart (crash, kill, power cut):

1. every version verifies (`verify --all --read-data`: every chunk and file SHA-256);
2. no version that existed before is lost, unless its history records its removal
   (ledger.check_promises, which also checks tags, rollbacks and pointers);
3. no orphans: no manifest the daemon hides, no format-1 version file left;
4. tmp/ is empty once the daemon is idle.

The daemon keeps working while they are checked (its first retention pass comes 10 s
after the start), so they are judged on a consistent view: `list` before and after the
other queries must agree, or the whole view is taken again.
"""

from harness import ledger as ledger_checks
from harness import vault_files


def snapshot(daemon):
    """`list --json` rows, or None when the daemon does not answer."""
    result = daemon.ctl("list", timeout=120)
    return result.data["versions"] if result.ok and result.data else None


def histories(daemon, models):
    """`history --json` of each model, by model id."""
    found = {}
    for model in models:
        result = daemon.ctl("history", model, timeout=120)
        if result.ok and result.data:
            found[model] = result.data
    return found


def _identities(rows):
    return sorted((r["model"], r["version"]) for r in rows or [])


def consistent_view(daemon, ledger, attempts=5):
    """list, verify --all, history of every model, the vault's files, and list again
    until both lists agree. Returns a dict, or None when the daemon does not answer."""
    for _ in range(attempts):
        rows = snapshot(daemon)
        if rows is None:
            return None
        view = {"rows": rows, "verify": daemon.ctl("verify", "--all", "--read-data", timeout=900)}
        models = sorted({r["model"] for r in rows} | {m for m, _ in ledger.promised})
        view["histories"] = histories(daemon, models)
        view["orphans"] = vault_files.orphans(daemon.vault, len(rows))
        view["tmp"] = vault_files.tmp_entries(daemon.vault)
        if _identities(snapshot(daemon)) == _identities(rows):
            return view
        daemon.wait_idle(60)
    return view


def check_all(report, daemon, ledger, where, idle_timeout=300):
    """Runs every invariant against a freshly (re)started daemon. Returns the listed rows."""
    idle = daemon.wait_idle(idle_timeout)
    report.check(f"{where}: the daemon becomes idle", idle,
                 f"still busy after {idle_timeout} s:\n{daemon.log_tail()}", quiet=True)
    view = consistent_view(daemon, ledger)
    if not report.check(f"{where}: list answers", view is not None, daemon.log_tail(), quiet=True):
        return []
    verify = view["verify"]
    failed = [r for r in (verify.data or {}).get("results", []) if not r.get("ok")]
    report.check(f"{where}: every version verifies", verify.ok and not failed,
                 f"verify --all exit {verify.code} {verify.err.strip()[:300]}; failed: {failed[:5]}",
                 quiet=True)
    ledger_checks.check_promises(report, ledger, view["rows"], view["histories"], where)
    report.check(f"{where}: no orphans", not view["orphans"], "; ".join(view["orphans"][:10]),
                 quiet=True)
    leftovers = view["tmp"] if idle else []
    report.check(f"{where}: tmp/ is empty once idle", not leftovers, f"tmp/ holds {leftovers[:10]}",
                 quiet=True)
    return view["rows"]
