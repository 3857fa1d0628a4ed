"""``python -m benchmarks``: run the workloads, print the table, write the JSON and RESULTS.md."""
from __future__ import annotations

import argparse
import datetime
import os
import sys

from . import machine, report
from .timing import Worker, check_agreement, thread_limit, time_case
from .workloads import WORKLOADS

HERE = os.path.dirname(os.path.abspath(__file__))
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # set on some machines for old OpenBLAS builds


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", help="comma-separated workloads, e.g. B1,B3 (default: all)")
    parser.add_argument("--size", choices=("tiny", "full"), default="full",
                        help="tiny: small shapes and short timings, to check the runner works (default: full)")
    parser.add_argument("--repeat", type=int, help="timed samples per implementation (default: 7 full, 2 tiny)")
    parser.add_argument("--min-time", type=float,
                        help="seconds each sample lasts at least (default: 0.2 full, 0.002 tiny)")
    parser.add_argument("--threads", type=int,
                        help="torch and BLAS threads for every case (default: each case's own, shown in the table)")
    parser.add_argument("--json", help="where to write the JSON (default: benchmarks/results/latest.json for a "
                                       "full run of every workload, otherwise benchmarks/results/last-run.json)")
    parser.add_argument("--markdown", help="where to write the results page (default: benchmarks/RESULTS.md for a "
                                           "full run of every workload, otherwise none)")
    return parser.parse_args(argv)


def _command(argv: list) -> str:
    """This run's command line, with the environment it was run in when that matters (see RESULTS.md)."""
    unset = not any(os.environ.get(k) for k in BLAS_OVERRIDES)
    return ("env " + " ".join(f"-u {k}" for k in BLAS_OVERRIDES) + " " if unset else "") + \
        "python -m benchmarks" + "".join(f" {a}" for a in argv)


def _figures(row: dict, rows: dict) -> dict:
    """The ratios targets are judged on, from wall-clock medians; for 1-thread cases the same from
    CPU-time medians under ``<name>_cpu`` (steadier when other work shares the machine; with more
    threads, CPU time counts BLAS workers spinning while they wait, so it says nothing)."""
    figures = {}
    for suffix, stat in (("", "median"), ("_cpu", "cpu_median"))[:1 if row["threads"] > 1 else 2]:
        results = row["results"]
        mine = results["mygrad"][stat]
        figures.update({f"vs_{lib}{suffix}": mine / results[lib][stat] for lib in ("numpy", "torch") if lib in results})
        if row["growth_over"] in rows:
            figures[f"growth{suffix}"] = mine / rows[row["growth_over"]]["results"]["mygrad"][stat]
    if "memory" in row:
        figures["memory_vs_numpy"] = row["memory"]["mygrad"] / row["memory"]["numpy"]
    return figures


def run_case(case, case_id: tuple, args) -> dict:
    """Check that the libraries agree (here, all in one process), then time each in its own worker."""
    threads = args.threads or case.threads
    print(f"{case.key}: {case.description} ({threads} thread{'s' * (threads > 1)})", file=sys.stderr, flush=True)
    with thread_limit(threads):
        check_agreement(case, {name: factory() for name, factory in case.factories.items()})
    workers = {name: Worker(case_id, name, threads) for name in case.factories}
    try:
        results = time_case(case, workers, args.repeat, args.min_time, threads)
        row = {"key": case.key, "description": case.description, "unit": case.unit, "threads": threads,
               "ops": case.ops, "growth_over": case.growth_over, "results": results}
        if case.memory:
            row["memory"] = {name: workers[name].memory() for name in ("numpy", "mygrad")}
    finally:
        for worker in workers.values():
            worker.close()
    return row


def main(argv=None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    tiny = args.size == "tiny"
    args.repeat = args.repeat or (2 if tiny else 7)
    args.min_time = args.min_time if args.min_time is not None else (0.002 if tiny else 0.2)
    selected = [w for w in WORKLOADS if not args.only or w.key in args.only.upper().split(",")]
    run = {"command": _command(sys.argv[1:] if argv is None else argv),
           "size": args.size, "repeat": args.repeat, "min_time": args.min_time,
           "started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "machine": machine.describe(), "load_average": {"start": os.getloadavg()}, "cases": [], "notes": {}}
    rows = {}
    for workload in selected:
        if workload.note:
            run["notes"][workload.key] = workload.note
        if workload.report is not None:
            run[workload.key.lower()] = workload.report(args.size, args.repeat)
            continue
        for index, case in enumerate(workload.cases(args.size)):
            row = run_case(case, (workload.key, index, args.size), args)
            rows[case.key] = row
            row["figures"] = _figures(row, rows)
            row["targets"] = [{"label": t.label, "value": row["figures"].get(t.metric), "met": t.met(row["figures"]),
                               "cpu_value": row["figures"].get(t.metric + "_cpu"),
                               "cpu_met": t.met(row["figures"], cpu=True)}
                              for t in case.targets]
            run["cases"].append(row)
    run["load_average"]["end"] = os.getloadavg()
    print(report.markdown(run))
    complete = not tiny and not args.only  # what RESULTS.md and results/latest.json are made from
    json_path = args.json or os.path.join(HERE, "results", "latest.json" if complete else "last-run.json")
    os.makedirs(os.path.dirname(os.path.abspath(json_path)), exist_ok=True)
    report.write_json(run, json_path)
    markdown_path = args.markdown or (os.path.join(HERE, "RESULTS.md") if complete else None)
    if markdown_path:
        with open(markdown_path, "w") as f:
            f.write(report.results_page(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
