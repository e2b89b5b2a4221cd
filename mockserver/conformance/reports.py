"""Report rendering: JUnit XML, JSON and a Markdown table per operation (with a reproducing curl per failure)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from mockserver.conformance.results import FAILED, KNOWN, NOT_IMPLEMENTED, PASSED, SKIPPED, RunReport

REPORT_FILES = {"junit": "conformance.xml", "json": "conformance.json", "markdown": "conformance.md"}
_STATUS_MARK = {PASSED: "✅", FAILED: "❌", KNOWN: "⚠️", NOT_IMPLEMENTED: "⏳", SKIPPED: "➖"}


def render_json(report: RunReport) -> str:
    """The full report as JSON (stable key order)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_junit(report: RunReport) -> str:
    """One `<testcase>` per operation; unknown failures are `<failure>`, the rest `<skipped>` with a reason."""
    counts = report.counts()
    suite = ET.Element(
        "testsuite",
        name="ragflow-conformance",
        tests=str(len(report.results)),
        failures=str(counts[FAILED]),
        errors="0",
        skipped=str(counts[NOT_IMPLEMENTED] + counts[SKIPPED]),
        time=f"{report.seconds:.3f}",
        timestamp=report.started,
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (("target", report.target), ("prefix", report.prefix), ("cases", str(report.cases))):
        ET.SubElement(props, "property", name=name, value=value)
    for result in report.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"conformance.{result.method} {result.path}",
            name=result.operation_id,
            time=f"{result.seconds:.3f}",
        )
        status = result.status
        if status == FAILED:
            for record in result.failures.values():
                if record.known is not None:
                    continue
                failure = ET.SubElement(case, "failure", type=record.check, message=record.message)
                failure.text = f"{record.check} at {record.path or '-'} ({record.count}x)\n{record.curl}"
        elif status == NOT_IMPLEMENTED:
            ET.SubElement(case, "skipped", message=f"not implemented on target: {result.not_implemented}")
        elif status == SKIPPED:
            ET.SubElement(case, "skipped", message=result.skipped or "skipped")
        if status in (FAILED, KNOWN):
            known = [r for r in result.failures.values() if r.known is not None]
            if known:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(f"known deviation: {r.check} at {r.path or '-'}: {r.known}" for r in known)
    ET.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: RunReport) -> str:
    """A human summary: totals, one row per operation, then each failure with its curl."""
    counts = report.counts()
    lines = [
        "# RAGFlow conformance report",
        "",
        f"- target: `{report.target}`",
        f"- started: {report.started}, {report.seconds:.1f} s, {report.cases} requests checked"
        f" ({report.server_errors} undocumented server errors)",
        f"- budget: {report.max_examples} generated cases per operation and mode; read-only: {report.read_only}",
        f"- resources created by this run are named with the prefix `{report.prefix}`",
        f"- result: **{'PASS' if report.ok else 'FAIL'}** — "
        + ", ".join(f"{count} {status}" for status, count in counts.items()),
        "",
        "| operation | method | path | status | cases | details |",
        "|---|---|---|---|---:|---|",
    ]
    for result in report.results:
        status = result.status
        if status == NOT_IMPLEMENTED:
            detail = result.not_implemented or ""
        elif status == SKIPPED:
            detail = result.skipped or ""
        else:
            detail = ", ".join(f"{r.check}{' (known)' if r.known else ''} ×{r.count}" for r in result.failures.values())
        lines.append(
            f"| `{result.operation_id}` | {result.method} | `{result.path}` | {_STATUS_MARK[status]} {status}"
            f" | {result.cases} | {_cell(detail)} |"
        )
    failing = [r for r in report.results if r.failures]
    if failing:
        lines += ["", "## Failures", ""]
    for result in failing:
        for record in result.failures.values():
            label = f"known deviation — {record.known}" if record.known else "failure"
            lines += [
                f"### `{result.operation_id}` · `{record.check}` ({label})",
                "",
                f"{record.message} — at `{record.path or '-'}`, {record.count} case(s). Reproduce:",
                "",
                "```sh",
                record.curl,
                "```",
                "",
            ]
    if report.notes:
        lines += ["", "## Cleanup", "", *[f"- {note}" for note in report.notes]]
    return "\n".join(lines).rstrip() + "\n"


def write_reports(report: RunReport, directory: Path) -> dict[str, Path]:
    """Write the three reports into `directory`; returns format → path."""
    directory.mkdir(parents=True, exist_ok=True)
    rendered = {"junit": render_junit(report), "json": render_json(report), "markdown": render_markdown(report)}
    written: dict[str, Path] = {}
    for kind, text in rendered.items():
        path = directory / REPORT_FILES[kind]
        path.write_text(text, encoding="utf-8")
        written[kind] = path
    return written
