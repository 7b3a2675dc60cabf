"""The interop corpus's expected verdicts: what `scimock check --profile generic` must conclude
about each independent server in scripts/interop/verdicts/<server>.json, and why.

    verdicts.py check REPORT.json VERDICTS.json   compare a run with the expected verdicts
    verdicts.py write REPORT.json VERDICTS.json   record a run (keeps the reasons already written)
    verdicts.py table VERDICTS.json...            the README "Against other servers" table
    verdicts.py readme README.md VERDICTS.json... exit 1 unless README carries that table
    verdicts.py client REPORT.json README.md SERVER CLIENT
                                                  exit 1 unless README's "--client" table shows
                                                  that run (counts and failing checks, in order)

A verdicts file names the server and version, the run's summary, and every check that fails
(or warns) with `rfc`: the RFC text that makes it the server's fault (or, for a warning, the
choice the RFC leaves open). `check` exits 1 when anything differs — a new failure, an expected
failure that now passes, a changed warning, other counts — or when a failure has no reason:
the corpus admits no failure that cannot be justified from RFC text.
"""

import json
import sys

TABLE_START = "<!-- interop-verdicts:start (scripts/interop/verdicts.py table) -->"
TABLE_END = "<!-- interop-verdicts:end -->"


def load(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def outcome(report: dict) -> tuple[dict, dict, dict]:
    summary = {k: report["summary"][k] for k in ("passed", "failed", "skipped", "warnings")}
    fails = {c["id"]: c["detail"] for c in report["checks"] if c["status"] == "fail"}
    warns = {c["id"]: c["detail"] for c in report["checks"] if c["status"] == "warn"}
    return summary, fails, warns


def check(report_path: str, verdicts_path: str) -> int:
    report, want = load(report_path), load(verdicts_path)
    summary, fails, warns = outcome(report)
    problems = []
    for kind, got in (("failures", fails), ("warnings", warns)):
        expected = {v["id"]: v for v in want.get(kind, [])}
        for cid in sorted(set(got) - set(expected)):
            problems.append(f"new {kind[:-1]}: {cid}: {got[cid]}")
        for cid in sorted(set(expected) - set(got)):
            status = next((c["status"] for c in report["checks"] if c["id"] == cid), "absent")
            problems.append(f"expected {kind[:-1]} {cid} is now {status}")
        for cid, v in expected.items():
            if not v.get("rfc", "").strip():
                problems.append(f"{cid}: no RFC text says why this is the server's fault")
    if summary != want.get("summary"):
        problems.append(f"summary {summary} differs from the expected {want.get('summary')}")
    name = want.get("server", verdicts_path)
    line = ", ".join(f"{summary[k]} {k}" for k in ("passed", "failed", "skipped", "warnings"))
    print(f"  {name}: {line}")
    for cid in sorted(fails):
        print(f"    fail {cid}")
    for cid in sorted(warns):
        print(f"    warn {cid}")
    for p in problems:
        print(f"  VERDICT CHANGED {p}")
    if problems:
        print(f"  (after checking each change against the RFC: "
              f"python3 {sys.argv[0]} write {report_path} {verdicts_path})")
    return 1 if problems else 0


def write(report_path: str, verdicts_path: str) -> int:
    report = load(report_path)
    try:
        old = load(verdicts_path)
    except FileNotFoundError:
        old = {"server": "", "version": "", "run": ""}
    summary, fails, warns = outcome(report)
    out = {k: old.get(k, "") for k in ("server", "version", "run")}
    out["summary"] = summary
    for kind, got in (("failures", fails), ("warnings", warns)):
        reasons = {v["id"]: v.get("rfc", "") for v in old.get(kind, [])}
        out[kind] = [{"id": cid, "detail": got[cid], "rfc": reasons.get(cid, "")}
                     for cid in sorted(got)]
    with open(verdicts_path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")
    missing = [v["id"] for k in ("failures", "warnings") for v in out[k] if not v["rfc"]]
    if missing:
        print(f"{verdicts_path}: write the RFC reason for {', '.join(missing)}")
    return 0


def table(paths: list[str]) -> str:
    rows = ["| server | version | passed | failed | skipped | warnings | each failure (and warning), and the RFC text that makes it the server's |",
            "|---|---|---|---|---|---|---|"]
    for p in paths:
        v = load(p)
        s = v["summary"]
        why = "<br>".join(
            [f"**{f['id']}**: {f['rfc']}" for f in v.get("failures", [])]
            + [f"*{w['id']}* (warning): {w['rfc']}" for w in v.get("warnings", [])]
        ) or "none"
        rows.append(f"| {v['server']} | {v['version']} | {s['passed']} | {s['failed']} | "
                    f"{s['skipped']} | {s['warnings']} | {why} |")
    return "\n".join(rows)


def readme(readme_path: str, paths: list[str]) -> int:
    with open(readme_path, encoding="utf-8") as f:
        text = f.read()
    want = f"{TABLE_START}\n{table(paths)}\n{TABLE_END}"
    if want in text:
        return 0
    print(f"{readme_path}: the 'Against other servers' table differs from the verdicts; "
          f"regenerate it with: python3 {sys.argv[0]} table {' '.join(paths)}")
    return 1


# The README "--client" table: its header, the row of each corpus server, the column of each run.
CLIENT_HEADER = "| server | `--client entra` |"
CLIENT_ROWS = {
    "scim2-server": "python-scim scim2-server ",
    "scimmy": "SCIMMY ",
    "django-scim2": "15five django-scim2 ",
    "django-scim2-server": "browniebroke django-scim2-server ",
}
CLIENT_COLUMNS = {"entra": 1, "entra-aadOptscim062020": 2, "okta": 3}


def client(report_path: str, readme_path: str, server: str, run: str) -> int:
    report = load(report_path)
    s = report["summary"]
    fails = [c["id"] for c in report["checks"] if c["status"] == "fail"]
    got = f"{s['passed']} passed, {s['failed']} failed"
    if fails:
        got += ": " + ", ".join(f"`{cid}`" for cid in fails)
    with open(readme_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith(CLIENT_HEADER)), None)
    if start is None:
        print(f"{readme_path}: no '--client' table")
        return 1
    table = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        table.append(line)
    row = next((l for l in table if l.startswith("| " + CLIENT_ROWS[server])), None)
    cells = [c.strip() for c in row.strip().strip("|").split(" | ")] if row else []
    shown = cells[CLIENT_COLUMNS[run]] if len(cells) > CLIENT_COLUMNS[run] else None
    if shown == got:
        return 0
    print(f"   README's --client table shows {shown!r} for {server} / {run}; this run: {got!r}")
    return 1


def main() -> int:
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "check":
        return check(*args)
    if cmd == "write":
        return write(*args)
    if cmd == "table":
        print(f"{TABLE_START}\n{table(args)}\n{TABLE_END}")
        return 0
    if cmd == "readme":
        return readme(args[0], args[1:])
    if cmd == "client":
        return client(*args)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
