"""The harness as a tool: the public API and worked example, --library (the null test), --checks, missing
ops, dead records, pytest usage errors, sharding and merge, JUnit XML, --baseline, torch-version metadata."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from hypothesis import strategies as st

import conformance
import mygrad
from conformance import __main__ as cli, checks, oplist, registry, runner
from conformance.registry import Record
from conformance.strategies import binary, reduction, unary

from test_harness_faults import FAST, node_class, renamed

ROOT = Path(__file__).resolve().parent.parent
EXP = Record("exp", unary(), forms=("method", "function"))
MUL = Record("mul", binary(), forms=("operator", "function"), operator="mul")
SUM = Record("sum", reduction(), forms=("function",))
GT = Record("gt", binary(), forms=("function",), grad=False)
RECORDS = [EXP, MUL, SUM, GT]


def _cli(tmp_path, monkeypatch, *options, records=RECORDS, name="out") -> tuple[int, dict]:
    monkeypatch.setattr(registry, "all_records", lambda: records)
    out = tmp_path / name
    code = cli.main(["--profile", "quick", "--report", str(out), *options])
    return code, json.loads((out / "report.json").read_text())


# ----- the public API and the worked example ---------------------------------------------------------

def test_the_worked_example_passes_under_plain_pytest():
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
                           "examples/custom_op_conformance"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "10 passed" in proc.stdout   # test_my_ops.py's 3 tests and test_my_records.py's 7 cases
    assert "op-by-check matrix" in proc.stdout and "scaled_sub" in proc.stdout


def test_check_raises_with_the_matrix_and_a_repro():
    with renamed(node_class(lambda x: x.exp()), "ExpBackward1"):
        with pytest.raises(conformance.ConformanceFailure) as failure:
            conformance.check(EXP, forms=["method"], dtypes=["float64"])
    text = str(failure.value)
    assert "grad_fn" in text and "ExpBackward1" in text and "import torch" in text
    assert not failure.value.report.ok


def test_check_without_the_names_a_library_does_not_model():
    with renamed(node_class(lambda x: x.exp()), "ExpBackward1"):
        report = conformance.check(EXP, checks=["value", "grad", "flags"])
    assert report.ok and report.columns == ["value", "flags", "grad"]


# ----- issue 17: flags and no_grad for every record ---------------------------------------------------

@pytest.mark.parametrize("record, dtype", [(GT, "float64"), (Record("sum", unary(), forms=("function",),
                                                                     dtypes=("int64",), grad=False), "int64")])
def test_an_output_torch_does_not_make_differentiable_must_not_be(record, dtype, monkeypatch):
    original = getattr(mygrad, record.name)

    def differentiable(*args, **kwargs):
        out = original(*args, **kwargs)
        return mygrad.Tensor._make(out._data, True, None)
    monkeypatch.setattr(mygrad, record.name, differentiable)
    result = runner.run_case(runner.Case(record, "function", dtype), FAST)
    failures = {f.check for f in result.failures}
    assert {"flags", "no_grad"} <= failures, result.summary()


# ----- issue 18: dead records, missing ops, pytest usage errors ---------------------------------------

def test_a_record_torch_always_refuses_is_dead(tmp_path, monkeypatch):
    dead = Record("add", binary(scalars=False, alpah=st.just(2.0)), forms=("function",), label="add (typo)")
    code, data = _cli(tmp_path, monkeypatch, records=[dead, EXP])
    assert code == 1 and not data["ok"]
    assert data["summary"]["failed_rows"] == ["add (typo)"]
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "add (typo) (dead record)" in markdown and "alpah" in markdown
    # the same arguments, declared as an error-parity record, are fine
    code, data = _cli(tmp_path, monkeypatch, records=[Record("add", binary(scalars=False, alpah=st.just(2.0)),
                                                             forms=("function",), raises=True)])
    assert code == 0 and data["ok"]


def test_an_op_the_library_lacks_is_missing_not_failing_every_check(tmp_path, monkeypatch, capsys):
    monkeypatch.delattr(mygrad, "exp")
    monkeypatch.delattr(mygrad.Tensor, "exp")
    code, data = _cli(tmp_path, monkeypatch, "--ops", "exp")
    out = capsys.readouterr().out
    assert code == 1
    assert all(c["missing"] for c in data["cases"]) and all(not c["failures"] for c in data["cases"])
    assert "exp (missing in mygrad)" in out and "MISSING exp [method, float32]: mygrad.Tensor.exp" in out
    assert "4 missing" in data["summary"]["line"]


def test_workers_without_xdist_is_a_usage_error(tmp_path, monkeypatch, capsys):
    real = cli.importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec", lambda name: None if name == "xdist" else real(name))
    assert cli.main(["--ops", "exp", "--workers", "2", "--report", str(tmp_path)]) == 2
    assert "pytest-xdist" in capsys.readouterr().err


def test_a_pytest_usage_error_is_reported_as_such(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(registry, "all_records", lambda: RECORDS)
    code = cli.main(["--ops", "exp", "--report", str(tmp_path), "--pytest-args", "--no-such-pytest-option"])
    out = capsys.readouterr().out
    assert code == 2
    assert "usage error" in out and "0 passed, 0 failed" not in out


# ----- --library torch: the null test ------------------------------------------------------------------

def test_torch_against_itself_passes_every_check(tmp_path, monkeypatch):
    """The harness introduces no false failures: a fast selection of the real registry, every check, 3 examples
    (the full registry runs against torch in CI's conformance job: see the README)."""
    rows = ["add", "mul", "sum", "max (dim)", "matmul", "cat", "__getitem__", "F.softmax", "F.cross_entropy",
            "clamp", "where", "var", "exp (integer)", "behaviour"]
    known = {r.row for r in registry.all_records()} | {r.name for r in registry.all_records()} | {"behaviour"}
    out = tmp_path / "null"
    code = cli.main(["--library", "torch", "--examples", "3", "--profile", "quick", "--report", str(out),
                     "--ops", *[r for r in rows if r in known]])
    data = json.loads((out / "report.json").read_text())
    assert code == 0 and data["ok"], data["summary"]
    assert data["versions"]["library"] == "torch"
    assert all(cell["failed"] == 0 for cells in data["matrix"].values() for cell in cells.values())


# ----- sharding and merging ----------------------------------------------------------------------------

def test_shards_merged_give_the_report_of_one_run(tmp_path, monkeypatch):
    code, whole = _cli(tmp_path, monkeypatch, "--no-shrink", name="whole")
    assert code == 0
    shards = []
    for k in (1, 2, 3):
        _, data = _cli(tmp_path, monkeypatch, "--no-shrink", "--shard", f"{k}/3", name=f"shard{k}")
        shards.append(data)
    assert sorted(len(s["cases"]) for s in shards) != [0, 0, len(whole["cases"])]  # the cases are spread out
    assert sum(len(s["cases"]) for s in shards) == len(whole["cases"])
    assert cli.main(["merge", *(str(tmp_path / f"shard{k}") for k in (1, 2, 3)), "--report",
                     str(tmp_path / "merged")]) == 0
    merged = json.loads((tmp_path / "merged" / "report.json").read_text())
    assert merged["matrix"] == whole["matrix"] and list(merged["matrix"]) == list(whole["matrix"])

    def strip(case):
        return {k: v for k, v in case.items() if k != "seconds"}
    assert [strip(c) for c in merged["cases"]] == [strip(c) for c in whole["cases"]]
    # the same shard twice is a problem, not a double count
    assert cli.main(["merge", str(tmp_path / "shard1"), str(tmp_path / "shard1"), "--report",
                     str(tmp_path / "twice")]) == 1


def test_shard_membership_is_a_stable_hash():
    from conformance.plugin import in_shard, parse_shard
    ids = [f"op{i}[function-float32]" for i in range(200)]
    for n in (2, 5):
        owners = [[k for k in range(1, n + 1) if in_shard(i, (k, n))] for i in ids]
        assert all(len(o) == 1 for o in owners)
        assert min(sum(o == [k] for o in owners) for k in range(1, n + 1)) > 200 / n / 2   # roughly balanced
    assert parse_shard("2/4") == (2, 4)
    with pytest.raises(ValueError):
        parse_shard("5/4")


# ----- JUnit XML and --baseline ------------------------------------------------------------------------

def test_junit_has_one_test_case_per_row_and_check(tmp_path, monkeypatch):
    junit = tmp_path / "junit.xml"
    with renamed(node_class(lambda x: x.exp()), "ExpBackward1"):
        code, data = _cli(tmp_path, monkeypatch, "--ops", "exp", "gt", "--junit", str(junit))
    assert code == 1
    suite = ElementTree.parse(junit).getroot()
    cases = suite.findall("testcase")
    assert len(cases) == 2 * len(checks.DEFAULT_CHECKS) and suite.get("tests") == str(len(cases))
    failed = {(c.get("classname"), c.get("name")) for c in cases if c.find("failure") is not None}
    assert failed == {("conformance.exp", "grad_fn"), ("conformance.exp", "graph")} or \
        failed == {("conformance.exp", "grad_fn")}
    skipped = {c.get("name") for c in cases if c.get("classname") == "conformance.gt" and c.find("skipped") is not None}
    assert "grad" in skipped   # not applicable to a forward-only record
    assert "ExpBackward1" in ElementTree.tostring(suite, encoding="unicode")


def test_baseline_fails_only_on_new_mismatches(tmp_path, monkeypatch):
    with renamed(node_class(lambda x: x.exp()), "ExpBackward1"):
        code, first = _cli(tmp_path, monkeypatch, "--ops", "exp", "mul", name="first")
        assert code == 1
        # the same mismatch again: known, so the run passes
        code, again = _cli(tmp_path, monkeypatch, "--ops", "exp", "mul", "--baseline", str(tmp_path / "first"),
                           name="again")
        assert code == 0 and again["ok"]
        # a new one fails the run
        with renamed(node_class(lambda x: x * x), "MulBackward7"):
            code, new = _cli(tmp_path, monkeypatch, "--ops", "exp", "mul", "--baseline",
                             str(tmp_path / "first"), name="new")
    assert code == 1 and not new["ok"]
    assert "new vs baseline" in new["summary"]["line"] and not new["summary"]["line"].count(" 0 new vs baseline")


# ----- torch versions -----------------------------------------------------------------------------------

def test_a_record_for_other_torch_versions_reports_differs_not_failure(tmp_path, monkeypatch):
    old = Record("exp", unary(), forms=("method",), torch="<2.0")
    assert not old.supports_torch() and old.supports_torch("1.13.1") and Record("exp", unary()).supports_torch()
    with renamed(node_class(lambda x: x.exp()), "ExpBackward1"):   # (the behaviour row, which runs exp too, left out)
        code, data = _cli(tmp_path, monkeypatch, "--ops", "exp", records=[old])
    assert code == 0 and data["ok"]
    assert all(c["differs"].startswith("differs on torch") for c in data["cases"] if c["failures"])
    assert data["versions"]["torch"]


# ----- one place per check -------------------------------------------------------------------------------

def test_checks_are_declared_once():
    assert checks.CHECKS == tuple(c.name for c in checks.ALL)
    assert set(checks.DESCRIPTIONS) == set(checks.COMPARE) == set(checks.CHECKS)
    from conformance import machine
    assert set(machine.CHECKS) <= set(checks.CHECKS) and machine.CHECKS == checks.BEHAVIOUR
    readme = oplist.README.read_text()
    assert oplist.checks_table() in readme, "README's check table is stale: python -m conformance.oplist --write"


def test_float_comparison_is_shared_with_the_unit_tests():
    import paired
    assert paired.compare_values is checks.compare_values and paired.tolerance is checks.tolerance
    with pytest.raises(AssertionError):
        paired.assert_same(np.float32([1.0, 2.0]), np.float32([1.0, 2.001]))
    assert not paired.from_mygrad("/home/someone/mygrad-venv/lib/python3.11/site-packages/torch/x.py")


def test_survey_failures_are_replayed_and_shrunk(monkeypatch):
    """The survey draws without Hypothesis's engine; a failure is replayed through the engine and shrunk."""
    exp = mygrad.exp
    monkeypatch.setattr(mygrad, "exp", lambda x: exp(x) * 1.001)
    result = runner.run_case(runner.Case(EXP, "function", "float64"), FAST)
    value = next(f for f in result.failures if f.check == "value")
    assert value.shrunk and "array(0.)" in value.example
    again = runner.run_case(runner.Case(EXP, "function", "float64"), FAST)   # deterministic
    assert again.counts == result.counts and [f.example for f in again.failures] == [f.example for f in result.failures]
