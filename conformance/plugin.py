"""pytest plugin: one test per (record, call form, dtype), plus the behaviour suite; results to JSON lines.

``python -m conformance`` runs ``conformance/suite.py`` with ``-p conformance.plugin``.  Each test
runs its case (``runner.run_case``), appends the result as one JSON line to a file of its own
process in ``--conformance-results`` (so pytest-xdist workers never share a file), and fails with
the mismatches' summary.  The command line merges the files into the report afterwards.

The same plugin collects records from a user's own test modules: a ``test_*.py`` module with a
list ``conformance_records`` gets one test per (record, call form, dtype) of its records, each
running every applicable check (``Only(record, checks=...)`` narrows one record); a failure shows
the mismatch and its standalone repro, and the session ends with the op-by-check matrix
(``--conformance-report DIR`` also writes report.json/report.md).  A ``conftest.py`` loads it with
``pytest_plugins = ["conformance.plugin"]`` (or ``pytest -p conformance.plugin``); the package declares no
``pytest11`` entry point, since pytest would then rewrite the asserts of every module it ships.
"""
from __future__ import annotations

import gc
import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import checks, hygiene, paired, profiles, registry, runner
from .registry import Record

BEHAVIOUR_ROW = "behaviour"
PROGRAMS_ROW = "programs"
SUITE_ROWS = (BEHAVIOUR_ROW, PROGRAMS_ROW)   # rows that are one whole suite each, not a record's cases
RECORDS_ATTRIBUTE = "conformance_records"   # the list a user's test module declares its records in
COLLECTED = pytest.StashKey[list]()          # CaseResult dicts of the collected records' tests, for the matrix


def pytest_addoption(parser) -> None:
    group = parser.getgroup("conformance", "mygrad conformance suite")
    group.addoption("--conformance-ops", action="append", default=[],
                    help="a row or torch name to run (repeatable; default: every record and the behaviour suite)")
    group.addoption("--conformance-forms", action="append", default=[], help="call forms to run (repeatable)")
    group.addoption("--conformance-dtypes", action="append", default=[], help="dtypes to run (repeatable)")
    group.addoption("--conformance-profile", default="ci", choices=sorted(profiles.PROFILES))
    group.addoption("--conformance-examples", type=int, default=None, help="examples per case (overrides the profile)")
    group.addoption("--conformance-seed", type=int, default=0)
    group.addoption("--conformance-no-shrink", action="store_true", help="report first failing examples unshrunk")
    group.addoption("--conformance-results", default=None, help="directory for the JSON-lines results")
    group.addoption("--conformance-checks", action="append", default=[], help="checks to run (repeatable; default all)")
    group.addoption("--conformance-library", default="mygrad", help="the module under test (default mygrad)")
    group.addoption("--conformance-shard", default=None, help="K/N: run the K-th of N shards of the cases")
    group.addoption("--conformance-shard-costs", default=None,
                    help="an earlier report.json: balance the shards by its seconds per case")
    group.addoption("--conformance-report", default=None,
                    help="write the collected records' report.json and report.md to this directory")


def pytest_configure(config) -> None:
    if config.getoption("conformance_library", None):
        paired.use_library(config.getoption("conformance_library"))
    if config.getoption("conformance_results", None):
        # a run of the command line (in-process or an xdist worker): the suite's tensors are tiny, and
        # torch's intra-op threads only spin against the other workers for the same cores
        import torch
        torch.set_num_threads(1)
        # and the library's, where it mirrors torch's thread-dependent choices (mygrad: which convolution
        # backend, and so which dtype checks, torch's 1-thread or its multi-thread path takes)
        set_threads = getattr(paired.library("mygrad"), "set_num_threads", None)
        if set_threads is not None:
            set_threads(1)


def pytest_collection_finish(session) -> None:
    """In a command-line run, load both libraries before the first case and freeze the heap they made.

    Loading torch and the library under test leaves some 200,000 long-lived objects; every full
    collection of the garbage collector would walk them again (a few each second of a run, and
    pytest's own collections at exit), for nothing: they live as long as the process.  ``gc.freeze``
    moves them out of the collector's sight; what the cases allocate is collected as before.  Only
    command-line runs freeze (a user's own pytest session keeps its collector as it was).
    """
    if not session.config.getoption("conformance_results", None):
        return
    for side in ("torch", "mygrad"):
        try:
            lib = paired.library(side)
        except ImportError:  # reported per case (``runner.missing``)
            continue
        _warm_up(lib)
    gc.freeze()   # no collection first: the little garbage there is now stays until the process ends


def _warm_up(lib) -> None:
    """One forward-mode op and one backward: torch's first op on a dual tensor imports its compiler stack
    (torch._dynamo) and its first backward imports sympy, lazy imports worth about a second that any program
    pays once; they belong with loading the library, not in the time of whichever case comes first."""
    try:
        fwad = lib.autograd.forward_ad
        with fwad.dual_level():
            dual = fwad.make_dual(lib.zeros(2, dtype=lib.float64), lib.ones(2, dtype=lib.float64))
            fwad.unpack_dual(lib.add(dual, lib.ones(2, dtype=lib.float64), alpha=2) * dual)  # (a plain operand too)
        leaf = lib.ones(2, dtype=lib.float64, requires_grad=True)
        (leaf * 2).sum().backward()
    except Exception:  # noqa: BLE001  (a library lacking any of it is reported by the checks, per case)
        pass


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"K/N"`` as (K, N), 1 <= K <= N (None: no sharding)."""
    if not text:
        return None
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard takes K/N (e.g. 2/4), not {text!r}") from None
    if not 1 <= k <= n:
        raise ValueError(f"--shard {text}: K must be between 1 and N")
    return k, n


def in_shard(case_id: str, shard: tuple[int, int] | None) -> bool:
    """Whether a case belongs to the shard: a stable hash of its id (the same on every machine and run)."""
    return shard is None or zlib.crc32(case_id.encode()) % shard[1] == shard[0] - 1


def case_id_of(result: dict) -> str:
    """The case id of a result in a report (the behaviour suite's and the programs' is their row)."""
    if result["row"] in SUITE_ROWS:
        return result["row"]
    return f"{result['row']}[{result['form']}-{result['dtype']}]"


def costs_of(path: str | None) -> dict:
    """Seconds per case id from an earlier report.json (``--shard-costs``); empty without one."""
    if not path:
        return {}
    from .report import read_report
    return {case_id_of(r): float(r.get("seconds") or 0.0) for r in read_report(path)["cases"]}


def shard_members(ids: list[str], shard: tuple[int, int] | None, costs: dict | None = None) -> set[str]:
    """The case ids of the shard.  Without costs: a stable hash of each id.  With measured costs (seconds
    per case id from an earlier report): the longest cases first, each to the shard with the least total
    so far (ties to the lower shard); a case the costs do not know counts as their median.  Both are
    deterministic, so every machine computes the same split without talking to the others (given the
    same costs file)."""
    if shard is None:
        return set(ids)
    if not costs:
        return {i for i in ids if in_shard(i, shard)}
    known = sorted(costs[i] for i in ids if i in costs)
    default = known[len(known) // 2] if known else 1.0
    totals = [0.0] * shard[1]
    members: set[str] = set()
    for case_id in sorted(ids, key=lambda i: (-costs.get(i, default), i)):
        k = min(range(shard[1]), key=lambda j: (totals[j], j))
        totals[k] += costs.get(case_id, default)
        if k == shard[0] - 1:
            members.add(case_id)
    return members


def selected(config) -> tuple[list, bool]:
    """The cases the options select, and whether the behaviour suite is selected."""
    found, suites = selected_suites(config)
    return found, BEHAVIOUR_ROW in suites


def selected_suites(config) -> tuple[list, tuple]:
    """The cases the options select, and the suite rows (behaviour, programs) they select."""
    names = list(config.getoption("conformance_ops"))
    shard = parse_shard(config.getoption("conformance_shard"))
    suites = tuple(row for row in SUITE_ROWS if not names or row in names)
    names = [n for n in names if n not in SUITE_ROWS]
    records = registry.all_records()
    if names or config.getoption("conformance_ops"):
        records = registry.select(records, names) if names else []
    found = runner.cases(records, config.getoption("conformance_forms") or None,
                         config.getoption("conformance_dtypes") or None)
    ids = [c.id for c in found] + list(suites)
    members = shard_members(ids, shard, costs_of(config.getoption("conformance_shard_costs")))
    return [c for c in found if c.id in members], tuple(row for row in suites if row in members)


def profile_of(config) -> profiles.Profile:
    return profiles.get(config.getoption("conformance_profile"), config.getoption("conformance_examples"),
                        shrink=not config.getoption("conformance_no_shrink"))


def pytest_generate_tests(metafunc) -> None:
    config = metafunc.config
    if "conformance_case" in metafunc.fixturenames:
        found, _ = selected(config)
        metafunc.parametrize("conformance_case", found, ids=[c.id for c in found])
    if "conformance_behaviour" in metafunc.fixturenames:
        metafunc.parametrize("conformance_behaviour", [BEHAVIOUR_ROW], ids=[BEHAVIOUR_ROW])
    if "conformance_programs" in metafunc.fixturenames:
        metafunc.parametrize("conformance_programs", [PROGRAMS_ROW], ids=[PROGRAMS_ROW])


def pytest_collection_modifyitems(config, items) -> None:
    """Leave the behaviour suite and the programs out (rather than skip them) when the options do not select them."""
    chosen = selected_suites(config)[1]
    dropped = [item for item in items for row in SUITE_ROWS
               if f"conformance_{row}" in getattr(item, "fixturenames", ()) and row not in chosen]
    if dropped:
        items[:] = [item for item in items if item not in dropped]
        config.hook.pytest_deselected(items=dropped)


@pytest.fixture
def conformance_run(request):
    """Runs a case result through the report file and turns mismatches into a test failure."""
    config = request.config

    def finish(result: runner.CaseResult) -> None:
        directory = config.getoption("conformance_results")
        if directory:
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            path = Path(directory) / f"{worker}.jsonl"
            with path.open("a") as f:
                f.write(json.dumps(result.to_json(), default=repr) + "\n")
        if not result.ok:
            pytest.fail(result.summary(), pytrace=False)

    finish.profile = profile_of(config)
    finish.seed = config.getoption("conformance_seed")
    chosen = checks.select(config.getoption("conformance_checks"))
    finish.checks = None if chosen == checks.DEFAULT_CHECKS else chosen
    return finish


# ----- records in a user's own test modules ------------------------------------------------------------

@dataclass(frozen=True)
class Only:
    """One record of ``conformance_records``, narrowed: only these checks, call forms or dtypes (None: all).
    E.g. ``Only(record, checks=[...])`` leaves out node names for an op built from other nodes than torch's."""
    record: Record
    checks: tuple | list | None = None
    forms: tuple | list | None = None
    dtypes: tuple | list | None = None


class CaseFailed(Exception):
    """A collected record's case did not match torch; carries its result for the failure text."""

    def __init__(self, result: runner.CaseResult):
        super().__init__(result.summary())
        self.result = result


class RecordCase(pytest.Item):
    """One (record, call form, dtype) of a user's record: every applicable check, as the suite runs it."""

    def __init__(self, *, case: runner.Case, checks: tuple | list | None = None, **kwargs):
        super().__init__(**kwargs)
        self.case, self.only_checks = case, checks

    def checks(self) -> tuple | None:
        """The record's own checks (``Only``) and ``--conformance-checks``, both when both are given."""
        chosen = checks.select(self.only_checks or self.config.getoption("conformance_checks"))
        if self.only_checks and self.config.getoption("conformance_checks"):
            wanted = set(checks.select(self.config.getoption("conformance_checks")))
            chosen = tuple(c for c in chosen if c in wanted)
        return None if tuple(chosen) == checks.DEFAULT_CHECKS else tuple(chosen)

    def runtest(self) -> None:
        profile, seed = profile_of(self.config), self.config.getoption("conformance_seed")
        only = self.checks()
        result = hygiene.checked(lambda: runner.run_case(self.case, profile, seed, only))
        self.config.stash.setdefault(COLLECTED, []).append(result.to_json())
        if not result.ok:
            raise CaseFailed(result)

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, CaseFailed):
            return super().repr_failure(excinfo, style)
        from .report import failure_details
        return failure_details([excinfo.value.result.to_json()])

    def reportinfo(self):
        return self.path, None, f"conformance: {self.case.id}"


class RecordCases(pytest.Collector):
    """A test module's ``conformance_records``: one ``RecordCase`` per (record, call form, dtype)."""

    def __init__(self, *, entries, **kwargs):
        super().__init__(**kwargs)
        self.entries = entries

    def collect(self):
        for entry in self.entries:
            only = entry if isinstance(entry, Only) else Only(entry)
            if not isinstance(only.record, Record):
                raise TypeError(f"{RECORDS_ATTRIBUTE} holds conformance.Record or conformance.Only items, "
                                f"not {type(only.record).__name__}")
            for case in runner.cases([only.record], list(only.forms) if only.forms else None,
                                     list(only.dtypes) if only.dtypes else None):
                yield RecordCase.from_parent(self, name=case.id, case=case, checks=only.checks)


def pytest_pycollect_makeitem(collector, name, obj):
    if name == RECORDS_ATTRIBUTE and isinstance(collector, pytest.Module):
        return RecordCases.from_parent(collector, name=name, entries=list(obj))
    return None


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """The op-by-check matrix of the collected records' tests (and their report, with ``--conformance-report``)."""
    results = config.stash.get(COLLECTED, [])
    if not results:
        return
    from .report import Report
    profile = profile_of(config)
    options = {"ops": " ".join(dict.fromkeys(r["row"] for r in results)), "library": paired.tested(),
               "profile": profile.name, "examples": profile.examples, "seed": config.getoption("conformance_seed")}
    report = Report(results, list(dict.fromkeys(r["row"] for r in results)), options,
                    round(sum(r["seconds"] for r in results), 1))
    terminalreporter.write_sep("=", "conformance: op-by-check matrix")
    terminalreporter.write_line(report.terminal())
    if config.getoption("conformance_report"):
        json_path, md_path = report.write(config.getoption("conformance_report"))
        terminalreporter.write_line(f"report: {json_path} and {md_path}")
    terminalreporter.write_line(report.summary_line())
