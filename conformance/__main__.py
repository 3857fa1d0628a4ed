"""``python -m conformance`` (or ``conformance``): run the suite through pytest, print the matrix, write the report.

    python -m conformance                                # every op and the behaviour suite, ci profile
    python -m conformance --ops add mul --profile quick  # a few rows, fast
    python -m conformance --profile thorough --workers 4 --seed 7 --report out/
    python -m conformance --library mylib --checks errors shape dtype value grad
    python -m conformance --shard 2/4 --report shard2/  # then: python -m conformance merge shard*/report.json

Exit status: 0 when every check of every case passed (with ``--baseline``: no mismatch that the
baseline report does not have), 1 on any mismatch (or a case that could not run, or an op the
library lacks), 2 on bad options or a pytest usage error.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

from . import checks, paired, plugin, profiles, registry, runner
from .registry import FORMS
from .report import Report, baseline_of, load_results, merge, read_report

SUITE = Path(__file__).with_name("suite.py")
PYTEST_EXIT = {2: "interrupted", 3: "internal error", 4: "usage error", 5: "no tests collected"}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m conformance", description=(
        "Prove, op by op and behaviour by behaviour, that mygrad (or --library) matches the installed torch. "
        "`python -m conformance merge REPORT...` merges shard reports."))
    p.add_argument("--ops", nargs="+", default=[], metavar="NAME",
                   help=f"rows or torch names to run (e.g. add 'add (alpha)' sum; '{plugin.BEHAVIOUR_ROW}' for the "
                        f"behaviour suite, '{plugin.PROGRAMS_ROW}' for the randomized programs); default: all")
    p.add_argument("--forms", nargs="+", default=[], choices=FORMS, metavar="FORM",
                   help=f"call forms to run ({', '.join(FORMS)}); default: each record's own")
    p.add_argument("--dtypes", nargs="+", default=[], metavar="DTYPE", help="dtypes to run; default: each record's")
    p.add_argument("--checks", nargs="+", default=[], metavar="CHECK",
                   help=f"checks to run ({', '.join(checks.CHECKS)}); default: all but "
                        f"{', '.join(c for c in checks.CHECKS if c not in checks.DEFAULT_CHECKS) or 'none'}")
    p.add_argument("--library", default="mygrad", metavar="MODULE",
                   help="the library under test, any module imitating torch's API (default: mygrad; "
                        "`--library torch` is the null test)")
    p.add_argument("--profile", default="ci", choices=sorted(profiles.PROFILES),
                   help="examples per case: " + ", ".join(f"{n}={pr.examples}" for n, pr in profiles.PROFILES.items())
                   + " (default: ci)")
    p.add_argument("--examples", type=int, default=None, help="examples per case, overriding the profile")
    p.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0: the same examples every run)")
    p.add_argument("--workers", type=int, default=0,
                   help="pytest-xdist worker processes (default 0: in-process; needs pytest-xdist)")
    p.add_argument("--shard", default=None, metavar="K/N",
                   help="run only the K-th of N shards (cases split by a stable hash of their id, or by cost "
                        "with --shard-costs)")
    p.add_argument("--shard-costs", default=None, metavar="REPORT",
                   help="an earlier report.json (or its directory): balance the shards by its seconds per case "
                        "(every shard must be given the same file)")
    p.add_argument("--report", default="conformance-report", metavar="DIR",
                   help="where report.json and report.md go (default: ./conformance-report)")
    p.add_argument("--junit", default=None, metavar="FILE", help="also write JUnit XML (one test case per row x check)")
    p.add_argument("--baseline", default=None, metavar="REPORT",
                   help="an earlier report.json: fail only on mismatches it does not have")
    p.add_argument("--no-shrink", action="store_true", help="report the first failing examples without shrinking")
    p.add_argument("--list", action="store_true", help="list the registry's rows and exit")
    p.add_argument("--pytest-args", nargs=argparse.REMAINDER, default=[], help="passed on to pytest as is")
    return p


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (pytest-xdist's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def merge_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m conformance merge",
                                description="Merge shard reports (report.json files or their directories) into one.")
    p.add_argument("reports", nargs="+", metavar="REPORT")
    p.add_argument("--report", default="conformance-report", metavar="DIR", help="where the merged report goes")
    p.add_argument("--junit", default=None, metavar="FILE", help="also write JUnit XML")
    p.add_argument("--baseline", default=None, metavar="REPORT", help="fail only on mismatches not in this report")
    args = p.parse_args(argv)
    try:
        merged = merge([read_report(path) for path in args.reports])
        if args.baseline:
            merged.baseline = baseline_of(args.baseline)
    except (OSError, ValueError, KeyError) as exc:
        print(f"conformance merge: {exc}", file=sys.stderr)
        return 2
    print(merged.terminal())
    json_path, md_path = merged.write(args.report, args.junit)
    print(f"report: {json_path} and {md_path}")
    print(merged.summary_line())
    return 0 if merged.ok else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["merge"]:
        return merge_main(argv[1:])
    args = parser().parse_args(argv)
    records = registry.all_records()
    if args.list:
        for r in records:
            print(f"{r.row:<28} forms: {', '.join(r.forms):<45} dtypes: {', '.join(r.dtypes)}")
        for row in plugin.SUITE_ROWS:
            print(row)
        return 0
    names = [n for n in args.ops if n not in plugin.SUITE_ROWS]
    try:
        chosen = registry.select(records, names) if names else ([] if args.ops else records)
        chosen_checks = checks.select(args.checks)
        shard = plugin.parse_shard(args.shard)
        costs = plugin.costs_of(args.shard_costs)
        baseline = baseline_of(args.baseline) if args.baseline else None
    except (KeyError, ValueError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"conformance: {message}; see --list / --help", file=sys.stderr)
        return 2
    if importlib.util.find_spec(args.library.split(".")[0]) is None:
        print(f"conformance: --library {args.library}: no such module", file=sys.stderr)
        return 2
    if args.workers > 0 and importlib.util.find_spec("xdist") is None:
        print("conformance: --workers needs pytest-xdist, which is not installed (pip install pytest-xdist), "
              "or run without --workers", file=sys.stderr)
        return 2
    paired.use_library(args.library)
    suites = [row for row in plugin.SUITE_ROWS if not args.ops or row in args.ops]
    everything = runner.cases(chosen, args.forms or None, args.dtypes or None)
    index = {c.id: i for i, c in enumerate(everything)}
    all_rows = suites + list(dict.fromkeys(c.record.row for c in everything))
    ids = [c.id for c in everything] + suites
    members = plugin.shard_members(ids, shard, costs)
    expected = [c for c in everything if c.id in members]
    suites = [row for row in suites if row in members]
    rows = suites + list(dict.fromkeys(c.record.row for c in expected))
    print(f"conformance: {len(expected)} cases (op x call form x dtype){''.join(' + ' + r for r in suites)}, "
          f"library {args.library}, profile {args.profile}, seed {args.seed}, {args.workers or 'no'} workers"
          f"{f', shard {args.shard}' if shard else ''}", flush=True)

    # Hypothesis keeps a cache of source constants; it belongs in a temp dir, not in the repo (tox sets its own)
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "conformance-hypothesis"))
    with tempfile.TemporaryDirectory(prefix="conformance-") as results:
        pytest_args = [str(SUITE), "-p", "conformance.plugin", "-q", "--tb=no", "-rN", "-p", "no:cacheprovider",
                       "-p", "no:benchmark", "-W", "ignore::pytest.PytestAssertRewriteWarning",
                       "--conformance-profile", args.profile, "--conformance-seed", str(args.seed),
                       "--conformance-results", results, "--conformance-library", args.library]
        for option, values in (("--conformance-ops", args.ops), ("--conformance-forms", args.forms),
                               ("--conformance-dtypes", args.dtypes), ("--conformance-checks", args.checks)):
            for v in values:
                pytest_args += [option, v]
        if args.examples is not None:
            pytest_args += ["--conformance-examples", str(args.examples)]
        if args.no_shrink:
            pytest_args.append("--conformance-no-shrink")
        if args.shard:
            pytest_args += ["--conformance-shard", args.shard]
            if args.shard_costs:
                pytest_args += ["--conformance-shard-costs", args.shard_costs]
        pytest_args += ["-n", str(args.workers)] if args.workers > 0 else ["-p", "no:xdist"]
        pytest_args += args.pytest_args
        import pytest
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        code = int(pytest.main(pytest_args))
        seconds, cpu_seconds = time.perf_counter() - started, _cpu_seconds() - cpu_started
        found = load_results(results)
    for r in found:
        r["index"] = index.get(f"{r['row']}[{r['form']}-{r['dtype']}]", -1)
    found.sort(key=lambda r: r["index"])

    options = {"ops": " ".join(args.ops) or "all", "forms": " ".join(args.forms) or "all",
               "dtypes": " ".join(args.dtypes) or "all", "checks": " ".join(chosen_checks) if args.checks else "all",
               "library": args.library, "profile": args.profile,
               "examples": args.examples or profiles.get(args.profile).examples, "seed": args.seed,
               "workers": args.workers, "shard": args.shard, "shard_costs": args.shard_costs, "all_rows": all_rows}
    report = Report(found, rows, options, round(seconds, 2), baseline=baseline, cpu_seconds=round(cpu_seconds, 2))
    missing = len(expected) + len(suites) - len(found)
    if code not in (0, 1) and not (code == 5 and not expected and not suites):
        what = PYTEST_EXIT.get(code, "unexpected status")
        report.problems.append(f"pytest exited with status {code} ({what}): the suite did not run as asked; "
                               f"see pytest's message above")
    elif missing > 0:
        report.problems.append(f"{missing} case(s) produced no result (a worker crashed or pytest stopped early)")

    print()
    print(report.terminal())
    json_path, md_path = report.write(args.report, args.junit)
    v = report.versions
    print(f"\ntorch {v['torch']}, numpy {v['numpy']}, hypothesis {v['hypothesis']}, python {v['python']}; "
          f"{seconds:.1f} s")
    print(f"report: {json_path} and {md_path}" + (f"; JUnit: {args.junit}" if args.junit else ""))
    if report.problems and not found:
        print(f"conformance: could not run: {report.problems[0]}")
        return 2 if code == 4 else 1
    print(report.summary_line())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
