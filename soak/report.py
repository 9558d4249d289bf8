"""The soak's report: printed, and written as the "Load without loss" section of docs/reliability.md."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

HEADING = "## Load without loss: a soak in the sandbox"


def _counts(counts: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"


def text(r: dict) -> str:
    s = r["seconds"]
    lines = [
        f"soak: {r['placed']} of {r['orders']} orders placed (seed {r['seed']}, {r['threads']} at once, "
        f"{r['worlds']} compounds, {r['technicians']} technicians) in {s['total']:.0f} s "
        f"(driving {s['driving']:.0f} s, ending {s['ending']:.0f} s; {r['api_calls']} API calls)",
        f"  by type:      {_counts(r['by_type'])}",
        f"  by status:    {_counts(r['by_status'])}",
        f"  cancelled:    {_counts(r['cancel_reasons'])}",
        f"  executions:   {_counts(r['executions'])}",
        f"  approvals:    {_counts(r['approval_outcomes'])}; rated {r['rated']}",
        f"  actions:      {_counts(r['actions'])}",
        f"  races (4xx):  {_counts(r['conflicts'])}",
        f"  stored:       {r['audit_entries']} audit entries, {r['slot_hours_held']} technician hours held",
    ]
    if r["gave_up"]:
        lines.append(f"  actors gave up on {len(r['gave_up'])}: {', '.join(r['gave_up'][:10])}")
    for c in r["checks"]:
        lines.append(f"  {'ok  ' if c['ok'] else 'FAIL'} {c['name']} ({c['checked']} checked)")
        lines += [f"         {p}" for p in c["problems"][:20]]
    lines.append("all invariants hold" if r["ok"] else "INVARIANTS FAILED")
    return "\n".join(lines)


def _verdict(c: dict) -> str:
    return "holds" if c["ok"] else f"**fails** ({len(c['problems'])} problems)"


def _load(r: dict) -> str:
    """The machine's load average (1 min) as the run began and ended: the sandbox shares 2 cores."""
    load = r.get("load")
    return f", load average {load[0]:.1f} at the start and {load[1]:.1f} at the end" if load else ""


def _settled(r: dict) -> str:
    return "yes" if r["settled"] else "**no**: still delivering at the bound (audit entries may be missing)"


def _of(r: dict) -> str:
    return f" of {r['orders']} asked (the rest were past the wall-time bound)" if r["placed"] < r["orders"] else ""


def section(r: dict) -> str:
    s = r["seconds"]
    checks = "\n".join(f"| {c['name']} | {c['checked']} | {_verdict(c)} |" for c in r["checks"])
    return f"""{HEADING}

`make soak` (`ORDERS=…`, default 1,000; `python -m soak --orders N --seed S`) starts the sandbox with
short waits (offers, approvals and ratings {r["wait_seconds"]} s, dispatch and escalation half as long again;
completion 60 s), makes isolated compounds (half of them paying, so bills can go beyond the quote) with
{r["technicians"] // max(1, r["worlds"])} technicians on duty each, and drives the orders
from a bounded thread pool through the real API. Each order's actors decide with their own seeded random numbers: emergencies,
bookings (competing for a few two-hour slots) and public-area reports; technicians accept, decline or ignore
each offer (it times out); residents cancel at once, on the offer or once assigned; bills are empty, within the
quote or with an extra line the resident approves, rejects or lets time out; ratings are given or skipped;
escalated orders are dispatched by a supervisor or left to go unfulfilled, public-area reports dispatched by the
company or left to escalate. A 409 is an expected race (an accept that lost to the timeout); a 5xx is a failure.
Then, once every execution has ended (or, past the bound, is waiting), `soak/checks.py` checks everything stored
(the DAL, moto's Step Functions and the API). The checks are pure functions over a snapshot;
`tests/integration/test_soak.py` (`make reliability`) runs an 8-order soak (bounded at 60 s from the first order,
killed at 180 s; 121 s in all on this machine at a load average of 3 to 4, most of it one core of CPU: more than
the 90 s aimed at) and shows that each check catches a tampered copy.

Last run ({date.today().isoformat()}, this machine{_load(r)}): **{r["placed"]} orders**{_of(r)}, seed {r["seed"]},
{r["threads"]} at once, {r["worlds"]} compounds, {r["technicians"]} technicians; {s["total"]:.0f} s in all
({s["driving"]:.0f} s driving, {s["ending"]:.0f} s for the last executions to end and the queues to settle),
{r["api_calls"]} API calls.

| figure | counts |
|---|---|
| by type | {_counts(r["by_type"])} |
| final status | {_counts(r["by_status"])} |
| why cancelled | {_counts(r["cancel_reasons"])} |
| executions | {_counts(r["executions"])} |
| extra lines | {_counts(r["approval_outcomes"])} |
| ratings | {r["rated"]} given |
| actors' actions | {_counts(r["actions"])} |
| expected races (4xx) | {_counts(r["conflicts"])} |
| stored | {r["audit_entries"]} audit entries, {r["slot_hours_held"]} technician hours held |
| where each order's actors stopped | {_counts(r["outcomes"])} |
| stream and queues settled before the checks | {_settled(r)} |

| invariant | checked | result |
|---|---|---|
{checks}
"""


def write_section(r: dict, path: Path) -> None:
    """Replace the section (up to the next `## `, or its hand-written `### What the soak found`) or append it."""
    doc = path.read_text(encoding="utf-8")
    new = section(r)
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |^### What the soak found|\Z)", re.S | re.M)
    doc = pattern.sub(lambda _: new + "\n", doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + new
    path.write_text(doc.rstrip("\n") + "\n", encoding="utf-8")
