"""The report: an op-by-check matrix with example counts, and every mismatch as a standalone snippet.

``snippet`` writes a failing example as a Python program that runs in both libraries (``import
torch``, or ``import mygrad as torch``), with every input written out: each check contributes its
own part (``checks.Check.snippet``).  ``Report`` merges case results (from any number of
pytest-xdist workers, or of shards: ``merge``) into the matrix, and renders it for the terminal,
as Markdown, as JSON and as JUnit XML.
"""
from __future__ import annotations

import importlib
import json
import platform
import sys
from dataclasses import dataclass, field

import numpy as np

from .checks import BY_NAME, CHECKS, DEFAULT_CHECKS, DESCRIPTIONS, render_graph  # noqa: F401  (render_graph: re-exported)
from .paired import Observation, layout_source, tested
from .registry import Example
from .snippets import (  # noqa: F401
    OPERATOR_SYMBOLS,
    UNARY_SYMBOLS,
    Repro,
    call_expression,
    call_source,
    float_literal,
    tensor_literal,
    value_literal,
)


def snippet(case, example: Example, check: str, t: Observation, m: Observation) -> str:
    """A standalone program showing ``check``'s mismatch on ``example``, runnable with either library."""
    r = Repro(case, example, t, m)
    lines = [f"# {case.record.row} [{case.form}, {case.dtype}]: check '{check}' ({DESCRIPTIONS[check]})",
             f"# Runs as is with torch; change the import to `import {tested()} as torch` to run it with {tested()}.",
             "import torch", ""]
    layouts = t.layouts or ["plain"] * len(r.arrays)
    for a, n, layout in zip(r.arrays, r.names, layouts):
        rg = bool(a.requires_grad) and np.asarray(a.array).dtype.kind == "f"
        literal = tensor_literal(a.array, rg)
        if layout != "plain":   # a leaf view of a larger tensor (paired.choose_layouts)
            base, cut = layout_source(np.asarray(a.array), layout)
            literal = f"{tensor_literal(base)}{cut}.requires_grad_({rg})"
        if getattr(a, "parameter", False):
            literal = f"torch.nn.Parameter({tensor_literal(a.array)}, requires_grad={rg})"
        lines.append(f"{n} = {literal}")
    lines += r.setup
    lines += BY_NAME[check].snippet(r)
    return "\n".join(lines) + "\n"


# ----- merging and rendering --------------------------------------------------------------------


def versions() -> dict:
    import hypothesis
    import torch
    lib = tested()
    try:
        module = importlib.import_module(lib)
        lib_version = getattr(module, "__version__", "?")
    except Exception as exc:  # the report must still be written when the library does not import
        lib_version = f"does not import ({type(exc).__name__}: {exc})"
    return {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
            "hypothesis": hypothesis.__version__, "library": lib, lib: lib_version, "platform": platform.platform()}


def _empty_cell() -> dict:
    return {"passed": 0, "failed": 0}


@dataclass
class Report:
    """All case results of one run (or of merged shards), and the options that produced them."""
    results: list                   # CaseResult.to_json() dicts
    rows: list                      # row names in registry order (the matrix's order)
    options: dict = field(default_factory=dict)
    seconds: float = 0.0
    versions: dict = field(default_factory=versions)
    problems: list = field(default_factory=list)   # run-level trouble: missing results, pytest errors
    baseline: set | None = None     # (row, check) mismatches known from a baseline report (``--baseline``)
    cpu_seconds: float | None = None   # CPU time of the run's processes: steadier than ``seconds`` on a busy machine

    @property
    def columns(self) -> list:
        """The checks that ran (``--checks``), in their order."""
        chosen = self.options.get("checks")
        return [c for c in CHECKS if c in chosen.split()] if isinstance(chosen, str) and chosen != "all" \
            else list(DEFAULT_CHECKS)

    # --- the matrix -------------------------------------------------------------------------
    def matrix(self) -> dict:
        """row -> check -> {"passed": n, "failed": n} (examples, summed over forms and dtypes)."""
        table = {row: {c: _empty_cell() for c in self.columns} for row in self.rows}
        for r in self.results:
            cells = table.setdefault(r["row"], {c: _empty_cell() for c in self.columns})
            for check, (passed, failed) in r["counts"].items():
                cell = cells.setdefault(check, _empty_cell())
                cell["passed"] += passed
                cell["failed"] += failed
        return table

    def dead_rows(self) -> dict:
        """row -> why, for records on which torch itself raised on (nearly) every example (over all the
        row's cases): a misspelled keyword, a wrong call form; such a record checks nothing."""
        totals: dict = {}
        for r in self.results:
            if r.get("raises_expected") or r.get("missing"):
                continue
            t = totals.setdefault(r["row"], [0, 0, ""])
            t[0] += r.get("torch_raised", 0)
            t[1] += r["examples"]
            t[2] = t[2] or r.get("torch_error", "")
        from .runner import DEAD_MIN, DEAD_SHARE
        return {row: f"dead record: torch raised on {raised} of {n} examples (e.g. {error}), so the record checks "
                     f"nothing; fix its arguments or call form (or declare Record(raises=True) for error parity)"
                for row, (raised, n, error) in totals.items() if n >= DEAD_MIN and raised >= DEAD_SHARE * n}

    def row_status(self) -> dict:
        """row -> what stopped it, for rows that could not be checked: missing, dead record, crashed."""
        status = {row: "dead record" for row in self.dead_rows()}
        for r in self.results:
            if r.get("missing"):
                status[r["row"]] = f"missing in {self.versions.get('library', 'mygrad')}"
            elif r["crash"]:
                status.setdefault(r["row"], "crashed")
        return status

    def crashed_rows(self) -> set:
        return {r["row"] for r in self.results if r["crash"]}

    @property
    def failed_cases(self) -> list:
        """Cases with a real mismatch: failures (not ones a record expects on this torch), crash, missing."""
        dead = self.dead_rows()
        return [r for r in self.results if (r["failures"] and not r.get("differs")) or r["crash"] or r.get("missing")
                or r["row"] in dead]

    def mismatches(self) -> set:
        """(row, check) of every failing cell; (row, "*") for a row that could not be checked."""
        found = {(r["row"], f["check"]) for r in self.failed_cases for f in r["failures"]}
        return found | {(r["row"], "*") for r in self.failed_cases if r["crash"] or r.get("missing")} | \
            {(row, "*") for row in self.dead_rows()}

    def new_mismatches(self) -> set:
        """The mismatches not in the baseline (all of them without one)."""
        return self.mismatches() - (self.baseline or set())

    @property
    def ok(self) -> bool:
        if self.problems or not self.results:
            return False
        return not (self.new_mismatches() if self.baseline is not None else self.failed_cases)

    def cell(self, counts: dict, row: str | None = None, check: str | None = None) -> str:
        passed, failed = counts["passed"], counts["failed"]
        if failed:
            known = self.baseline is not None and (row, check) in self.baseline
            return f"{'known' if known else 'FAIL'} {failed}/{passed + failed}"
        return str(passed) if passed else "-"

    def summary_line(self) -> str:
        """One line for logs: verdict, counts, time, versions."""
        failed = self.failed_cases
        v = self.versions
        parts = [f"conformance: {len(self.results) - len(failed)} passed, {len(failed)} failed"]
        missing = sum(1 for r in self.results if r.get("missing"))
        crashed = sum(1 for r in self.results if r["crash"])
        dead = len(self.dead_rows())
        differs = sum(1 for r in self.results if r.get("differs") and r["failures"])
        extra = [f"{missing} missing" if missing else "", f"{crashed} could not run" if crashed else "",
                 f"{dead} dead record(s)" if dead else "",
                 f"{differs} differ on this torch (expected)" if differs else "",
                 f"{len(self.new_mismatches())} new vs baseline" if self.baseline is not None else ""]
        extra = [e for e in extra if e]
        if extra:
            parts[0] += f" ({', '.join(extra)})"
        parts += [f"{'PASS' if self.ok else 'FAIL'}", f"{self.seconds:.1f} s",
                  f"library {v.get('library', 'mygrad')}", f"torch {v['torch']}",
                  f"profile {self.options.get('profile', '?')}, seed {self.options.get('seed', '?')}"]
        if self.options.get("shard"):
            parts.append(f"shard {self.options['shard']}")
        return "; ".join(parts)

    # --- renderings -------------------------------------------------------------------------
    def to_json(self) -> dict:
        return {"ok": self.ok, "versions": self.versions, "options": self.options, "seconds": self.seconds,
                "cpu_seconds": self.cpu_seconds,
                "checks": {c: DESCRIPTIONS[c] for c in self.columns}, "rows": self.rows, "matrix": self.matrix(),
                "cases": self.results, "problems": self.problems,
                "summary": {"cases": len(self.results), "failed_cases": len(self.failed_cases),
                            "rows": len(self.matrix()),
                            "failed_rows": sorted({r["row"] for r in self.failed_cases}),
                            "line": self.summary_line()}}

    @classmethod
    def from_json(cls, data: dict) -> "Report":
        return cls(data["cases"], list(data.get("rows") or data["matrix"]), data["options"], data["seconds"],
                   data["versions"], data["problems"], cpu_seconds=data.get("cpu_seconds"))

    def terminal(self) -> str:
        table = self.matrix()
        status = self.row_status()
        header = ["op"] + self.columns
        body = [[row + (f" ({status[row]})" if row in status else "")] +
                [("missing" if status.get(row, "").startswith("missing") else self.cell(cells[c], row, c))
                 for c in self.columns] for row, cells in table.items()]
        widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
        fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
        lines = [fmt.format(*header), fmt.format(*["-" * w for w in widths])]
        lines += [fmt.format(*r) for r in body]
        lines.append("")
        lines.append("cells: examples that passed the check; FAIL k/n: k of n examples failed; -: not applicable"
                     + ("; known: failing in the baseline too" if self.baseline is not None else ""))
        lines += [stats_line(r) for r in self.results if r.get("stats")]  # the behaviour suite's program mix
        for r in self.results:
            where = f"{r['row']} [{r['form']}, {r['dtype']}]"
            if r.get("missing"):
                lines.append(f"MISSING {where}: {r['missing']}")
                continue
            for f in r["failures"]:
                kind = "DIFFERS" if r.get("differs") else "FAIL"
                lines.append(f"{kind} {where} {f['check']}: {_clip(f['diff'])}")
            if r.get("differs") and r["failures"]:
                lines.append(f"DIFFERS {where}: {r['differs']}")
            if r["crash"]:
                lines.append(f"CRASH {where}: {r['crash'].strip().splitlines()[-1]}")
        for row, why in self.dead_rows().items():
            lines.append(f"DEAD {row}: {why}")
        for p in self.problems:
            lines.append(f"PROBLEM {p}")
        return "\n".join(lines)

    def junit(self) -> str:
        """JUnit XML: one test case per row x check (``classname`` the row, ``name`` the check)."""
        from xml.etree import ElementTree as ET
        table = self.matrix()
        status = self.row_status()
        by_cell: dict = {}
        for r in self.results:
            for f in r["failures"]:
                by_cell.setdefault((r["row"], f["check"]), []).append((r, f))
        dead = self.dead_rows()
        suite = ET.Element("testsuite", name="conformance", time=f"{self.seconds:.3f}")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for row, cells in table.items():
            crash = next((r for r in self.results if r["row"] == row and r["crash"]), None)
            if crash is None and row in dead:
                crash = {"crash": dead[row]}
            for check in self.columns:
                counts["tests"] += 1
                case = ET.SubElement(suite, "testcase", classname=f"conformance.{row}", name=check)
                found = by_cell.get((row, check), [])
                real = [(r, f) for r, f in found if not r.get("differs")]
                if status.get(row, "").startswith("missing"):
                    counts["failures"] += 1
                    ET.SubElement(case, "failure", message=status[row], type="missing")
                elif crash is not None:
                    counts["errors"] += 1
                    ET.SubElement(case, "error", message=crash["crash"].strip().splitlines()[-1][:500],
                                  type=status.get(row, "crashed")).text = crash["crash"]
                elif real and not (self.baseline is not None and (row, check) in self.baseline):
                    counts["failures"] += 1
                    r, f = real[0]
                    ET.SubElement(case, "failure", message=_clip(f["diff"], 500), type="mismatch").text = \
                        "\n\n".join(f"{r['row']} [{r['form']}, {r['dtype']}]: {f['diff']}\n{f['snippet']}"
                                    for r, f in real)
                elif real or found:
                    counts["skipped"] += 1
                    why = "known mismatch (in the baseline)" if real else found[0][0]["differs"]
                    ET.SubElement(case, "skipped", message=why)
                elif not (cells[check]["passed"] + cells[check]["failed"]):
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", message="not applicable")
        for k, v in counts.items():
            suite.set(k, str(v))
        return ET.tostring(suite, encoding="unicode") + "\n"

    def markdown(self) -> str:
        v = self.versions
        lib = v.get("library", "mygrad")
        table = self.matrix()
        status = self.row_status()
        columns = self.columns
        out = [f"# {lib} conformance report", "",
               f"**{'PASS' if self.ok else 'FAIL'}**: {len(self.results) - len(self.failed_cases)} of "
               f"{len(self.results)} cases (op x call form x dtype) passed every check, in {self.seconds:.1f} s.", "",
               f"`{self.summary_line()}`", "",
               f"torch {v['torch']}, numpy {v['numpy']}, hypothesis {v['hypothesis']}, python {v['python']}, "
               f"{lib} {v.get(lib, '?')} ({v['platform']}).", "",
               "Options: " + ", ".join(f"{k}={val}" for k, val in self.options.items()), "",
               "## Matrix", "",
               "Each cell counts the examples on which the check ran, over all call forms and dtypes of the row: "
               "a number means all passed, **FAIL k/n** means k of n failed, - means the check did not apply.", "",
               "| op | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
        for row, cells in table.items():
            name = f"{row} ({status[row]})" if row in status else row
            out.append(f"| {name} | " + " | ".join(
                "missing" if status.get(row, "").startswith("missing") else _md_cell(self.cell(cells[c], row, c))
                for c in columns) + " |")
        out += [""] + [stats_line(r) for r in self.results if r.get("stats")]
        out += ["", "## Checks", ""] + [f"- **{c}**: {DESCRIPTIONS[c]}" for c in columns]
        if self.problems or self.dead_rows():
            out += ["", "## Problems with the run", ""] + [f"- {p}" for p in self.problems] + \
                [f"- **{row}**: {why}" for row, why in self.dead_rows().items()]
        shown = [r for r in self.results if r["failures"] or r["crash"] or r.get("missing")]
        if shown:
            out += ["", "## Mismatches", ""]
            for r in shown:
                where = f"{r['row']} [{r['form']}, {r['dtype']}]"
                if r.get("missing"):
                    out += [f"### {where}: missing in {lib}", "", f"- {r['missing']}", ""]
                    continue
                if r["crash"]:
                    out += [f"### {where}: could not run", "", "```", r["crash"].strip(), "```", ""]
                if r.get("differs") and r["failures"]:
                    out += [f"_{r['differs']}: the mismatches below do not fail the run._", ""]
                for f in r["failures"]:
                    out += [f"### {where}: {f['check']}", "",
                            f"{f['failed_examples']} example(s) failed. "
                            f"{'Shrunk' if f['shrunk'] else 'First failing'} example:", "",
                            f"- difference: {f['diff']}", ""]
                    n = f.get("numbers") or {}
                    if "max_abs" in n:
                        out += [f"- max abs error {n['max_abs']:.4g}" +
                                (f", max rel error {n['max_rel']:.4g}" if n.get("max_rel") is not None else "") +
                                f", at index {tuple(n['where'])}: torch {n['torch']!r}, {lib} {n['mygrad']!r}", ""]
                    out += ["```python", f["snippet"].rstrip(), "```", ""]
        return "\n".join(out) + "\n"

    def write(self, directory, junit=None) -> tuple:
        """``report.json`` and ``report.md`` in ``directory`` (created if needed); JUnit XML to ``junit``."""
        from pathlib import Path
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        json_path, md_path = directory / "report.json", directory / "report.md"
        json_path.write_text(json.dumps(self.to_json(), indent=1, default=_jsonable) + "\n")
        md_path.write_text(self.markdown())
        if junit:
            Path(junit).parent.mkdir(parents=True, exist_ok=True)
            Path(junit).write_text(self.junit())
        return json_path, md_path


def read_report(path) -> dict:
    """A report.json (a directory holding one is fine too)."""
    from pathlib import Path
    path = Path(path)
    if path.is_dir():
        path = path / "report.json"
    return json.loads(path.read_text())


def baseline_of(path) -> set:
    """The (row, check) mismatches of a earlier report: ``--baseline`` fails only on others."""
    return Report.from_json(read_report(path)).mismatches()


def merge(reports: list) -> Report:
    """One report from several (shards of one run): cases ordered as one run orders them, same matrix."""
    if not reports:
        raise ValueError("nothing to merge")
    order = reports[0]["options"].get("all_rows") or []
    rows: list = list(order)
    for data in reports:
        rows += [r for r in data.get("rows") or data["matrix"] if r not in rows]
    rank = {row: i for i, row in enumerate(rows)}
    cases = [c for data in reports for c in data["cases"]]
    cases.sort(key=lambda c: (rank.get(c["row"], len(rank)), c.get("index", 0)))
    ran = {c["row"] for c in cases}
    options = {k: v for k, v in reports[0]["options"].items() if k not in ("shard", "shard_costs")}
    options["merged"] = len(reports)
    shards = sorted(str(d["options"].get("shard")) for d in reports if d["options"].get("shard"))
    problems = [p for d in reports for p in d["problems"]]
    if shards and len(set(shards)) != len(shards):
        problems.append(f"the same shard appears twice among the merged reports: {shards}")
    versions_seen = {d["versions"]["torch"] for d in reports}
    if len(versions_seen) > 1:
        problems.append(f"shards ran on different torch versions: {sorted(versions_seen)}")
    cpu = [d.get("cpu_seconds") for d in reports]
    return Report(cases, [r for r in rows if r in ran], options, max(d["seconds"] for d in reports),
                  reports[0]["versions"], problems, cpu_seconds=None if None in cpu else round(sum(cpu), 2))


def failure_details(results: list) -> str:
    """What a failed case shows a test's reader: per mismatching check its difference, the example
    (shrunk or first failing) and the standalone repro program; a missing op or a crash as such."""
    out = []
    for r in results:
        where = f"{r['row']} [{r['form']}, {r['dtype']}]"
        if r.get("missing"):
            out.append(f"{where}: missing in the library under test: {r['missing']}")
        elif r.get("crash"):
            out.append(f"{where}: could not run:\n{r['crash']}")
        for f in r["failures"]:
            kind = "shrunk" if f["shrunk"] else "first failing"
            out.append(f"--- {where} {f['check']}: {f['diff']}\n{f['failed_examples']} example(s) failed; "
                       f"{kind} example: {f['example']}\nrepro:\n{f['snippet']}")
    return "\n\n".join(out)


def stats_line(result: dict) -> str:
    """A case's own measurements (the behaviour suite: its mix of steps that succeeded and raised)."""
    return f"{result['row']} mix: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result["stats"].items())


def _jsonable(v):
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (set, tuple)):
        return list(v)
    return repr(v)


def _md_cell(text: str) -> str:
    return f"**{text}**" if text.startswith("FAIL") else text


def _clip(text: str, width: int = 240) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def load_results(directory) -> list:
    """Every case result written by the plugin (one JSON object per line, one file per worker)."""
    from pathlib import Path
    found = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                found.append(json.loads(line))
    return found


if __name__ == "__main__":  # pragma: no cover - re-render a report from its JSON
    print(Report.from_json(read_report(sys.argv[1])).terminal())

