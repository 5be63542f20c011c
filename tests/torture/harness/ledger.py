"""What the daemon has promised so far, and the checks that it kept its word.

Every version that `list` showed, or that a `backup`/`import` reported committed, must
still be there after any crash, power cut or restart — unless retention removed it, which
its model's `history` records. Every tag change and rollback the daemon confirmed must
be visible too. The checks go through modelvaultctl only (list, history, verify), so they
hold whatever the vault's files look like.
"""


class Ledger:
    def __init__(self):
        self.identity = {}   # (model, version) -> (sequence, created), once seen
        self.promised = set()  # (model, version) that must exist unless removed
        self.tags = {}       # (model, version, tag) -> True (added) / False (removed)
        self.current = []    # (model, version) a confirmed rollback made current

    def saw_versions(self, rows):
        """Records a `list --json` result: every row was committed."""
        for row in rows:
            self.committed(row)

    def committed(self, row):
        """Records a version the daemon showed or reported committed (a `list` row, or
        the `summary` of a backup or import result)."""
        key = (row["model"], row["version"])
        self.promised.add(key)
        self.identity.setdefault(key, (row["sequence"], row["created"]))

    def tagged(self, model, version, tag, present):
        self.tags[(model, version, tag)] = present

    def tag_unknown(self, model, version, tag):
        """A change of the tag was asked and not confirmed: either state is right."""
        self.tags.pop((model, version, tag), None)

    def rolled_back(self, model, version):
        self.current.append((model, version))


def removed_versions(histories):
    """{(model, version)} recorded as removed in `history --json` results by model."""
    removed = set()
    for model, history in histories.items():
        for record in history.get("history", []):
            if record.get("pointer") == "removed" and record.get("from"):
                removed.add((model, record["from"]))
    return removed


def check_promises(report, ledger, rows, histories, where):
    """After a restart: nothing promised is lost, numbers keep their identity, tags and
    rollbacks are remembered, pointers name versions that exist."""
    listed = {(r["model"], r["version"]): r for r in rows}
    removed = removed_versions(histories)
    lost = sorted(v for v in ledger.promised if v not in listed and v not in removed)
    report.check(f"{where}: no committed version lost", not lost,
                 f"missing and not recorded as removed: {lost[:10]}", quiet=True)
    ledger.promised -= removed | set(lost)  # each loss is reported once

    relabelled = []
    for key, row in listed.items():
        identity = (row["sequence"], row["created"])
        if ledger.identity.setdefault(key, identity) != identity:
            relabelled.append((key, ledger.identity[key], identity))
            ledger.identity[key] = identity  # reported once
    report.check(f"{where}: a version number always names the same version", not relabelled,
                 f"(model, version): (sequence, created) before and now: {relabelled[:5]}",
                 quiet=True)

    both = sorted(v for v in listed if v in removed)
    report.check(f"{where}: no listed version is recorded as removed (issue 10 #10)", not both,
                 f"listed although history says removed: {both[:10]}", quiet=True)

    wrong_tags = []
    for (model, version, tag), present in ledger.tags.items():
        row = listed.get((model, version))
        if row is not None and (tag in row.get("tags", [])) != present:
            wrong_tags.append((model, version, tag, "added" if present else "removed"))
    report.check(f"{where}: confirmed tag changes are kept", not wrong_tags,
                 f"tag changes lost: {wrong_tags[:10]}", quiet=True)
    for model, version, tag, _ in wrong_tags:
        del ledger.tags[(model, version, tag)]

    forgotten = []
    for model, version in ledger.current:
        records = histories.get(model, {}).get("history", [])
        if not any(r.get("pointer") == "current" and r.get("to") == version for r in records):
            forgotten.append((model, version))
    report.check(f"{where}: confirmed rollbacks are in the history", not forgotten,
                 f"no `current` record for {forgotten[:10]}", quiet=True)
    ledger.current = [c for c in ledger.current if c not in forgotten]

    dangling = []
    for model, history in histories.items():
        for pointer in ("best", "current"):
            target = history.get(pointer)
            if target and (model, target) not in listed:
                dangling.append((model, pointer, target))
    report.check(f"{where}: best and current name existing versions", not dangling,
                 f"pointers to versions that do not exist: {dangling[:10]}", quiet=True)
    ledger.saw_versions(rows)
