"""Read one peer tool's output and decide pass/fail for scripts/interop.sh.

    summarize.py scim2-tester LOG EXIT_CODE   (text output of `scim test -v`)
    summarize.py scim-sanity JSON EXIT_CODE   (output of `scim-sanity probe --json-output`)

Prints what was checked and every failure with the tool's reason, and exits 0 when nothing
failed, 1 otherwise. A result listed in KNOWN_TOOL_ERRORS (the peer tool is wrong against
the RFC, see README "Interoperability") is reported but does not fail the run; it is
matched on the check name and the exact message, so any other failure of that check still
fails.
"""

import json
import re
import sys
from collections import Counter

# (tool, check name, exact message) -> README finding id and one-line reason.
KNOWN_TOOL_ERRORS = {
    (
        "scim-sanity",
        "PATCH /Groups/{id} add member",
        "Expected 200, got 400",
    ): "P1: scim-sanity adds the member id 'fake-member-id' and requires 200; no RFC 7643/7644 "
    "section obliges a service provider to accept a member that does not exist, and scimock "
    "refuses it with 400 invalidValue by design (RFC 7644 §3.12)",
}

STATUS_LINE = re.compile(
    r"^(SUCCESS|COMPLIANT|ACCEPTABLE|DEVIATION|ERROR|CRITICAL|SKIPPED) (\S+)$"
)


def clip(text: str, n: int = 600) -> str:
    text = text.strip()
    return text if len(text) <= n else text[:n] + " ..."


def scim2_tester(path: str, rc: int) -> int:
    """`scim test` prints `STATUS check_name`, then indented reason and (with -v) data lines."""
    results = []  # (status, name, [indented lines])
    stray = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f.read().splitlines():
            m = STATUS_LINE.match(line)
            if m:
                results.append((m.group(1), m.group(2), []))
            elif line.startswith("  ") and results:
                results[-1][2].append(line.strip())
            elif line.strip() and not line.startswith("Performing a SCIM compliance check"):
                stray.append(line)
    counts = Counter(status for status, _, _ in results)
    print(f"  scim2-tester: {len(results)} results: "
          + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    failed = 0
    for status, name, lines in results:
        if status == "SUCCESS":
            continue
        reason = lines[0] if lines else ""
        data = lines[1] if len(lines) > 1 else ""
        # scim2-cli exits 1 on anything but SUCCESS (SKIPPED included); so do we.
        failed += 1
        print(f"  FAIL {status} {name}: {reason}")
        if data:
            print(f"       data: {clip(data)}")
    nonsuccess = failed
    creations = sum(1 for s, n, _ in results if n == "object_creation" and s == "SUCCESS")
    if creations < 2:
        failed += 1
        print(f"  FAIL the tester created {creations} resources (expected a User and a Group): "
              "it stopped before the CRUD checks")
    if stray:
        print("  unexpected output (a crash?):")
        for line in stray[-20:]:
            print(f"    {line}")
    if rc not in (0, 1) or (rc == 0) != (nonsuccess == 0):
        failed += 1
        print(f"  FAIL `scim test` exited {rc}, inconsistent with its results")
    return 1 if failed else 0


def scim_sanity(path: str, rc: int) -> int:
    try:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        print(f"  FAIL scim-sanity wrote no JSON report ({e}); exit code {rc}")
        return 1
    results = report.get("results", [])
    counts = Counter(r.get("status") for r in results)
    print(f"  scim-sanity {report.get('scim_sanity_version')} ({report.get('mode')} mode): "
          f"{len(results)} results: "
          + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    failed = 0
    for r in results:
        status, name, msg = r.get("status"), r.get("name", ""), r.get("message", "")
        if status in ("fail", "error"):
            known = KNOWN_TOOL_ERRORS.get(("scim-sanity", name, msg))
            if known:
                print(f"  known tool error (not counted) {name}: {msg}\n       {known}")
            else:
                failed += 1
                print(f"  FAIL {status} {name}: {msg}")
        elif status == "warn":
            print(f"  warning {name}: {msg}")
    names = {r.get("name"): r.get("status") for r in results}
    for must in ("POST /Users", "POST /Groups", "GET /Users (ListResponse)"):
        if names.get(must) != "pass":
            failed += 1
            print(f"  FAIL '{must}' did not pass ({names.get(must)}): the probe did not run through")
    if rc not in (0, 1):
        failed += 1
        print(f"  FAIL scim-sanity exited {rc}")
    return 1 if failed else 0


def main() -> int:
    tool, path, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if tool == "scim2-tester":
        return scim2_tester(path, rc)
    if tool == "scim-sanity":
        return scim_sanity(path, rc)
    print(f"unknown tool {tool}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
