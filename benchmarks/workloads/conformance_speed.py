"""B5: conformance throughput, examples checked per second for a fixed op set at the ci profile,
so that the harness's own speed is tracked.

The harness runs as a user runs it (``python -m conformance``) in a subprocess; its report
gives the examples run and the seconds per case, from which come two rates: over the whole run
(pytest, loading torch and mygrad and torch's lazy imports included) and over the cases alone
(drawing, running both libraries, comparing: the harness's own work per example).
"""
from __future__ import annotations

import importlib.util
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time

from .base import Workload

OPS = ("add", "mul", "sum")
PROFILE = "ci"   # the profile CI runs (25 examples per case)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAX_RUNS = 3  # each run takes seconds; three are enough for a median


# where the harness's time goes: cumulative cProfile time of these functions (module, name) ...
PARTS = {
    ("paired.py", "library"): "loading torch and mygrad",
    ("paired.py", "_observe_first_order"): "running forward and backward and reading the results",
    ("paired.py", "_observe_second_order"): "double backward (the double check)",
    ("paired.py", "_observe_no_grad"): "the no_grad run (the no_grad check)",
    ("checks.py", "compare"): "comparing the observations (all checks)",
    ("plugin.py", "_warm_up"): "torch's lazy imports at its first forward-mode op (its compiler stack) and first "
                               "backward",
}
# ... and what is left of an outer one after the inner ones: (outer, inners, what)
GAPS = [(("runner.py", "run_case"), (("runner.py", "evaluate"),), "Hypothesis drawing the examples"),
        (("__main__.py", "main"), (("runner.py", "run_case"), ("plugin.py", "_warm_up")),
         "pytest, collection and the report")]


def _run_harness(ops: tuple, extra: list, profile_to: str | None = None) -> tuple:
    """One harness run: (its report, wall-clock seconds including interpreter start-up).
    ``profile_to``: run it under cProfile, writing the statistics there."""
    with tempfile.TemporaryDirectory() as out:
        profiler = ["-m", "cProfile", "-o", profile_to] if profile_to else []
        command = [sys.executable, *profiler, "-m", "conformance", "--ops", *ops, "--profile", PROFILE,
                   "--seed", "0", "--report", out, *extra]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
        wall = time.perf_counter() - start
        path = os.path.join(out, "report.json")
        if not os.path.exists(path):
            raise RuntimeError(f"the conformance harness wrote no report (exit {proc.returncode}):\n"
                               f"{proc.stderr[-2000:]}")
        with open(path) as f:
            return json.load(f), wall


def _where_time_goes(ops: tuple, extra: list) -> list:
    """(share of the harness's run, what) for its main parts, largest first (cProfile, cumulative)."""
    with tempfile.TemporaryDirectory() as out:
        path = os.path.join(out, "harness.prof")
        _run_harness(ops, extra, profile_to=path)
        stats = pstats.Stats(path).stats
    cumulative = {}
    for (filename, _, name), (_, _, _, seconds, _) in stats.items():
        if os.sep + "conformance" + os.sep in filename:
            key = (os.path.basename(filename), name)
            cumulative[key] = max(cumulative.get(key, 0.0), seconds)
    total = cumulative[("__main__.py", "main")]
    shares = [(cumulative[key] / total, what) for key, what in PARTS.items() if key in cumulative]
    shares += [((cumulative[outer] - sum(cumulative.get(inner, 0.0) for inner in inners)) / total, what)
               for outer, inners, what in GAPS if outer in cumulative and inners[0] in cumulative]
    return sorted(shares, reverse=True)


def measure(size: str, repeat: int) -> dict:
    if importlib.util.find_spec("conformance.__main__") is None:
        return {"available": False,
                "summary": "not yet available (`python -m conformance` does not exist in this tree yet)"}
    ops, extra = (OPS, []) if size == "full" else (OPS[:1], ["--examples", "1"])
    runs = [_run_harness(ops, extra) for _ in range(min(repeat, MAX_RUNS) if size == "full" else 1)]
    rates = [sum(c["examples"] for c in report["cases"]) / report["seconds"] for report, _ in runs]
    case_rates = [sum(c["examples"] for c in report["cases"]) / sum(c["seconds"] for c in report["cases"])
                  for report, _ in runs]
    cpu_rates = [sum(c["examples"] for c in report["cases"]) / report["cpu_seconds"] for report, _ in runs
                 if report.get("cpu_seconds")]   # steadier than the wall clock on a shared machine
    report, wall = runs[0]
    examples = sum(c["examples"] for c in report["cases"])
    first, rest = report["cases"][0], report["cases"][1:]  # the first case also pays the harness's warm-up
    slowest = sorted(rest, key=lambda c: -c["seconds"])[:3]
    slow_text = "; ".join(f"{c['row']} [{c['form']}, {c['dtype']}] {c['examples'] / c['seconds']:.1f}/s"
                          for c in slowest)
    failed = report["summary"]["failed_cases"]
    try:
        phases = _where_time_goes(ops, extra)
    except Exception as exc:  # noqa: BLE001  (a profile that cannot be taken must not hide the figure)
        phases, phase_text = [], f"not profiled ({type(exc).__name__}: {exc})"
    else:
        phase_text = "; ".join(f"{what} {share:.0%}" for share, what in phases)
    summary = (f"**{statistics.median(rates):.1f} examples/s** (median of {len(rates)} run{'s' * (len(rates) > 1)}, "
               f"{min(rates):.1f}-{max(rates):.1f}"
               + (f"; by CPU time {statistics.median(cpu_rates):.1f}/s" if cpu_rates else "")
               + f"; over the cases alone {statistics.median(case_rates):.1f}/s"
               + f"): `python -m conformance --ops {' '.join(ops)} --profile "
               f"{PROFILE} --seed 0{''.join(' ' + e for e in extra)}` checks {examples} examples in "
               f"{len(report['cases'])} cases in {report['seconds']:.1f} s ({wall:.1f} s with start-up); "
               f"{failed} case(s) failed. Slowest cases: {slow_text} (the first case, {first['row']} [{first['form']}, "
               f"{first['dtype']}], took {first['seconds']:.2f} s with the warm-up). Where the time goes (cProfile, "
               f"cumulative): {phase_text}")
    return {"available": True, "ops": list(ops), "profile": PROFILE, "examples": examples,
            "examples_per_second": statistics.median(rates), "rates": rates, "cpu_rates": cpu_rates,
            "case_examples_per_second": statistics.median(case_rates), "case_rates": case_rates,
            "harness_seconds": report["seconds"],
            "wall_seconds": wall, "failed_cases": failed, "slowest_cases": slowest, "first_case": first,
            "time_by_check": [{"share": share, "what": what} for share, what in phases],
            "summary": summary}


B5 = Workload("B5", "conformance throughput", lambda size: [], report=measure)
