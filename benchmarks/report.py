"""The run's results as a Markdown table (printed, and saved as RESULTS.md) and as JSON."""
from __future__ import annotations

import json

from .machine import summary_lines

LIBRARIES = (("numpy", "hand-written NumPy"), ("torch", "torch eager"), ("mygrad", "mygrad"))
SCALE = {"us": 1e6, "ms": 1e3, "s": 1.0}


def _time(result: dict | None, unit: str) -> str:
    if result is None:
        return "n/a"
    scale = SCALE[unit.split("/")[0]]
    return f"{result['median'] * scale:.3g} ({result['min'] * scale:.3g}-{result['max'] * scale:.3g})"


def _ratio(value) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


VERDICT = {True: "met", False: "**missed**", None: "n/a"}


def _targets(row: dict) -> str:
    parts = []
    for target in row["targets"]:
        value = "" if target["value"] is None else f" ({target['value']:.2f})"
        cpu = "" if target.get("cpu_value") is None else \
            f"; on CPU time {VERDICT[target['cpu_met']]} ({target['cpu_value']:.2f})"
        parts.append(f"{target['label']}: {VERDICT[target['met']]}{value}{cpu}")
    return "; ".join(parts)


def _ratio_pair(figures: dict, name: str) -> str:
    wall, cpu = figures.get(name), figures.get(name + "_cpu")
    return _ratio(wall) if cpu is None else f"{_ratio(wall)} (CPU {_ratio(cpu)})"


def markdown(run: dict) -> str:
    """The tables and the facts needed to read them."""
    lines = ["| case | unit | threads | " + " | ".join(label for _, label in LIBRARIES)
             + " | mygrad/NumPy | mygrad/torch | targets |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in run["cases"]:
        cells = [row["key"], row["unit"], str(row["threads"])]
        cells += [_time(row["results"].get(lib), row["unit"]) for lib, _ in LIBRARIES]
        cells += [_ratio_pair(row["figures"], "vs_numpy"), _ratio_pair(row["figures"], "vs_torch"), _targets(row)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Times: wall clock, median of the samples (min-max); each sample averages many iterations. "
              "Ratios are of medians from this one run; in brackets, for 1-thread cases, the same ratio of "
              "process CPU-time medians, which other work on the machine disturbs less. Targets are judged "
              "on the wall clock, then on CPU time. Each library runs in a worker process of its own "
              "that imports only that library and NumPy; the runner checks first, in one process, that all "
              "compute the same losses and gradients."]
    memory = [row for row in run["cases"] if row.get("memory")]
    if memory:
        lines += ["", "| case | hand-written NumPy peak | mygrad peak | mygrad/NumPy |", "|---|---|---|---|"]
        for row in memory:
            m = row["memory"]
            lines.append(f"| {row['key']} | {m['numpy'] / 2**20:.1f} MiB | {m['mygrad'] / 2**20:.1f} MiB | "
                         f"{_ratio(row['figures'].get('memory_vs_numpy'))} |")
    b5 = run.get("b5")
    if b5 is not None:
        lines += ["", f"B5 conformance throughput: {b5['summary']}"]
    lines += ["", "Cases:"] + [f"- {row['key']}: {row['description']}" for row in run["cases"]]
    lines += [f"- {key}: {note}" for key, note in run["notes"].items()]
    return "\n".join(lines)


REPRODUCE = """\
Each workload runs for mygrad, torch eager and the same computation written by hand in NumPy (forward
plus a hand-derived backward), after a check that all three compute the same losses and gradients.
`python -m benchmarks --help` lists the options (`--only B1,B3`, `--repeat`, `--size tiny`, `--threads`,
`--json`, `--markdown`); `python -m benchmarks --size tiny` checks in a minute that everything still runs.

On machines where `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` are set (older OpenBLAS builds need them),
they pin a current NumPy's OpenBLAS to a slower kernel; the benchmark command unsets both, for that
command only (tests and CI keep them). The BLAS line below names the kernel that ran."""


def results_page(run: dict) -> str:
    """benchmarks/RESULTS.md: how the figures were made, on what, and the figures."""
    return "\n".join([
        "# Benchmark results", "",
        "Made by the benchmark runner; do not edit by hand.  To reproduce (from the repository root):", "",
        "```", run["command"], "```", "", REPRODUCE, "",
        f"Size `{run['size']}`, {run['repeat']} samples per implementation, run {run['started']}.", "",
        *summary_lines(run["machine"]),
        "- Load average (1, 5, 15 min) at start {} and end {}: other work on the machine skews the "
        "figures, most of all the 2-thread ones".format(*(", ".join(f"{x:.2f}" for x in run["load_average"][k])
                                                        for k in ("start", "end"))), "",
        markdown(run), ""])


def write_json(run: dict, path: str) -> None:
    with open(path, "w") as f:
        json.dump(run, f, indent=1, default=str)
        f.write("\n")
