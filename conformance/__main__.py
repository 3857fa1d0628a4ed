"""``python -m conformance`` (or ``conformance``): run the suite through pytest, print the matrix, write the report.

    python -m conformance                                # every op and the behaviour suite, ci profile
    python -m conformance --ops add mul --profile quick  # a few rows, fast
    python -m conformance --profile thorough --workers 4 --seed 7 --report out/

Exit status: 0 when every check of every case passed, 1 on any mismatch (or a case that could
not run), 2 on bad options.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from . import plugin, profiles, registry, runner
from .registry import FORMS
from .report import Report, load_results

SUITE = Path(__file__).with_name("suite.py")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m conformance", description=(
        "Prove, op by op and behaviour by behaviour, that mygrad matches the installed torch."))
    p.add_argument("--ops", nargs="+", default=[], metavar="NAME",
                   help=f"rows or torch names to run (e.g. add 'add (alpha)' sum; '{plugin.BEHAVIOUR_ROW}' for the "
                        f"behaviour suite); default: all")
    p.add_argument("--forms", nargs="+", default=[], choices=FORMS, metavar="FORM",
                   help=f"call forms to run ({', '.join(FORMS)}); default: each record's own")
    p.add_argument("--dtypes", nargs="+", default=[], metavar="DTYPE", help="dtypes to run; default: each record's")
    p.add_argument("--profile", default="ci", choices=sorted(profiles.PROFILES),
                   help="examples per case: " + ", ".join(f"{n}={pr.examples}" for n, pr in profiles.PROFILES.items())
                   + " (default: ci)")
    p.add_argument("--examples", type=int, default=None, help="examples per case, overriding the profile")
    p.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0: the same examples every run)")
    p.add_argument("--workers", type=int, default=0, help="pytest-xdist worker processes (default 0: in-process)")
    p.add_argument("--report", default="conformance-report", metavar="DIR",
                   help="where report.json and report.md go (default: ./conformance-report)")
    p.add_argument("--no-shrink", action="store_true", help="report the first failing examples without shrinking")
    p.add_argument("--list", action="store_true", help="list the registry's rows and exit")
    p.add_argument("--pytest-args", nargs=argparse.REMAINDER, default=[], help="passed on to pytest as is")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    records = registry.all_records()
    if args.list:
        for r in records:
            print(f"{r.row:<28} forms: {', '.join(r.forms):<45} dtypes: {', '.join(r.dtypes)}")
        print(plugin.BEHAVIOUR_ROW)
        return 0
    names = [n for n in args.ops if n != plugin.BEHAVIOUR_ROW]
    try:
        chosen = registry.select(records, names) if names else ([] if args.ops else records)
    except KeyError as exc:
        print(f"conformance: {exc.args[0]}; see --list", file=sys.stderr)
        return 2
    with_behaviour = not args.ops or plugin.BEHAVIOUR_ROW in args.ops
    expected = runner.cases(chosen, args.forms or None, args.dtypes or None)
    rows = ([plugin.BEHAVIOUR_ROW] if with_behaviour else []) + list(dict.fromkeys(c.record.row for c in expected))
    print(f"conformance: {len(expected)} cases (op x call form x dtype){' + behaviour' if with_behaviour else ''}, "
          f"profile {args.profile}, seed {args.seed}, {args.workers or 'no'} workers", flush=True)

    # Hypothesis keeps a cache of source constants; it belongs in a temp dir, not in the repo (tox sets its own)
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "conformance-hypothesis"))
    with tempfile.TemporaryDirectory(prefix="conformance-") as results:
        pytest_args = [str(SUITE), "-p", "conformance.plugin", "-q", "--tb=no", "-rN", "-p", "no:cacheprovider",
                       "-p", "no:benchmark", "-W", "ignore::pytest.PytestAssertRewriteWarning",
                       "--conformance-profile", args.profile, "--conformance-seed", str(args.seed),
                       "--conformance-results", results]
        for option, values in (("--conformance-ops", args.ops), ("--conformance-forms", args.forms),
                               ("--conformance-dtypes", args.dtypes)):
            for v in values:
                pytest_args += [option, v]
        if args.examples is not None:
            pytest_args += ["--conformance-examples", str(args.examples)]
        if args.no_shrink:
            pytest_args.append("--conformance-no-shrink")
        pytest_args += ["-n", str(args.workers)] if args.workers > 0 else ["-p", "no:xdist"]
        pytest_args += args.pytest_args
        import pytest
        started = time.perf_counter()
        code = int(pytest.main(pytest_args))
        seconds = time.perf_counter() - started
        found = load_results(results)

    options = {"ops": " ".join(args.ops) or "all", "forms": " ".join(args.forms) or "all",
               "dtypes": " ".join(args.dtypes) or "all", "profile": args.profile,
               "examples": args.examples or profiles.get(args.profile).examples, "seed": args.seed,
               "workers": args.workers}
    report = Report(found, rows, options, round(seconds, 1))
    missing = len(expected) + with_behaviour - len(found)
    if missing > 0:
        report.problems.append(f"{missing} case(s) produced no result (a worker crashed or pytest stopped early)")
    if code not in (0, 1):
        report.problems.append(f"pytest exited with status {code} (collection or usage error)")

    print()
    print(report.terminal())
    json_path, md_path = report.write(args.report)
    v = report.versions
    print(f"\ntorch {v['torch']}, numpy {v['numpy']}, hypothesis {v['hypothesis']}, python {v['python']}; "
          f"{seconds:.1f} s")
    print(f"report: {json_path} and {md_path}")
    failed = len(report.failed_cases)
    print(f"conformance: {len(found) - failed} passed, {failed} failed")
    return 0 if report.ok and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
