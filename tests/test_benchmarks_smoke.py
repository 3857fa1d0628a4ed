"""The benchmarks still run, and their implementations still agree, at a tiny size.

Nothing here is timed: a slow machine must not fail CI.  What can fail is a workload that no
longer runs, or mygrad, torch and the hand-written NumPy computing different values.
"""
from __future__ import annotations

import json

import pytest

from benchmarks.__main__ import main
from benchmarks.timing import Disagreement, check_agreement
from benchmarks.workloads import WORKLOADS
from benchmarks.workloads.base import Implementation


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    json_path, markdown_path = out / "run.json", out / "RESULTS.md"
    assert main(["--size", "tiny", "--repeat", "1", "--min-time", "0", "--json", str(json_path),
                 "--markdown", str(markdown_path)]) == 0
    return json.loads(json_path.read_text()), markdown_path.read_text()


def test_every_case_is_timed_for_every_library(tiny_run):
    run, _ = tiny_run
    expected = [case.key for workload in WORKLOADS for case in workload.cases("tiny")]
    assert [row["key"] for row in run["cases"]] == expected
    for row in run["cases"]:
        assert "mygrad" in row["results"] and "torch" in row["results"]
        assert all(r["median"] > 0 for r in row["results"].values())
        assert row["figures"]["vs_torch"] > 0


def test_memory_and_targets_are_reported(tiny_run):
    run, page = tiny_run
    memory_rows = [row for row in run["cases"] if "memory" in row]
    assert memory_rows and all(row["memory"]["mygrad"] > 0 for row in memory_rows)
    assert all(row["targets"] for row in run["cases"])
    assert "python -m benchmarks --size tiny" in page
    assert "B5 conformance throughput" in page


def test_a_disagreeing_implementation_is_caught():
    case = WORKLOADS[0].cases("tiny")[0]
    impls = {name: factory() for name, factory in case.factories.items()}
    honest = impls["mygrad"].check

    def off_by_a_little():
        values = honest()
        values["w1"] = values["w1"] * (1 + 1e-6)
        return values

    impls["mygrad"] = Implementation(impls["mygrad"].run, off_by_a_little)
    with pytest.raises(Disagreement, match="w1"):
        check_agreement(case, impls)


def test_phase_timer_splits_each_workload():
    """``python -m benchmarks.phases`` (mygrad's time per phase) still runs; its parts add up."""
    from benchmarks import phases
    step = phases.tutorial_phases(rounds=1)
    assert step["forward"] > 0 and step["update"] > 0
    assert step["step"] == pytest.approx(step["forward"] + step["backward"] + step["update"])
    chain = phases.chain_phases(phases._additions, 50, 50, rounds=1)
    assert chain["forward"] > 0 and chain["total"] == pytest.approx(chain["forward"] + chain["backward"])


def test_scale_properties_are_measured():
    """``python -m benchmarks.scale`` (memory and scale properties) measures every row at a tiny size;
    the targets are judged on the full run, whose figures the README quotes."""
    from benchmarks import scale
    rows = scale.run("tiny")
    assert [r["property"].split()[0] for r in rows] == ["flat", "200", "chain", "fan-in", "peak"]
    assert rows[1]["figure"] == 0  # dropped graphs are freed by reference counting, whatever the size
    assert all(isinstance(r["figure"], (int, float)) for r in rows)
