"""pytest plugin: one test per (record, call form, dtype), plus the behaviour suite; results to JSON lines.

``python -m conformance`` runs ``conformance/suite.py`` with ``-p conformance.plugin``.  Each test
runs its case (``runner.run_case``), appends the result as one JSON line to a file of its own
process in ``--conformance-results`` (so pytest-xdist workers never share a file), and fails with
the mismatches' summary.  The command line merges the files into the report afterwards.
"""
from __future__ import annotations

import gc
import json
import os
import zlib
from pathlib import Path

import pytest

from . import checks, paired, profiles, registry, runner

BEHAVIOUR_ROW = "behaviour"


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


def pytest_configure(config) -> None:
    if config.getoption("conformance_library", None):
        paired.use_library(config.getoption("conformance_library"))
    if config.getoption("conformance_results", None):
        # a run of the command line (in-process or an xdist worker): the suite's tensors are tiny, and
        # torch's intra-op threads only spin against the other workers for the same cores
        import torch
        torch.set_num_threads(1)


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
            paired.library(side)
        except ImportError:  # reported per case (``runner.missing``)
            pass
    gc.freeze()   # no collection first: the little garbage there is now stays until the process ends


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


def selected(config) -> tuple[list, bool]:
    """The cases the options select, and whether the behaviour suite is selected."""
    names = list(config.getoption("conformance_ops"))
    shard = parse_shard(config.getoption("conformance_shard"))
    behaviour = (not names or BEHAVIOUR_ROW in names) and in_shard(BEHAVIOUR_ROW, shard)
    names = [n for n in names if n != BEHAVIOUR_ROW]
    records = registry.all_records()
    if names or config.getoption("conformance_ops"):
        records = registry.select(records, names) if names else []
    found = runner.cases(records, config.getoption("conformance_forms") or None,
                         config.getoption("conformance_dtypes") or None)
    return [c for c in found if in_shard(c.id, shard)], behaviour


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


def pytest_collection_modifyitems(config, items) -> None:
    """Leave the behaviour suite out (rather than skip it) when the options do not select it."""
    if selected(config)[1]:
        return
    dropped = [item for item in items if "conformance_behaviour" in getattr(item, "fixturenames", ())]
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
    finish.checks = None if chosen == checks.CHECKS else chosen
    return finish
