"""The harness's command line, report files, value comparison and snippets."""
from __future__ import annotations

import json

import numpy as np
import pytest

from conformance import __main__ as cli, checks, registry, report, runner
from conformance.registry import Record
from conformance.strategies import binary, unary

from test_harness_faults import node_class, renamed

EXP = Record("exp", unary(), forms=("method",))
MUL = Record("mul", binary(), forms=("operator",), operator="mul")


# ----- value comparison and tolerances ---------------------------------------------------------------

def test_compare_values_locates_the_worst_element():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    actual = expected.copy()
    actual[1, 0] = 3.5
    found = checks.compare_values(expected, actual, 1e-7, 1e-7)
    assert found["where"] == [1, 0] and found["max_abs"] == pytest.approx(0.5)
    assert found["torch"] == 3.0 and found["mygrad"] == 3.5
    assert checks.compare_values(expected, expected + 1e-9, 1e-7, 1e-7) is None


def test_compare_values_nan_and_inf_must_match_in_place():
    nan, inf = float("nan"), float("inf")
    assert checks.compare_values(np.array([nan, inf, 1.0]), np.array([nan, inf, 1.0]), 0, 0) is None
    assert checks.compare_values(np.array([nan, 1.0]), np.array([1.0, 1.0]), 0, 0)["where"] == [0]
    assert checks.compare_values(np.array([inf]), np.array([-inf]), 0, 0) is not None
    assert checks.compare_values(np.zeros((2, 3)), np.zeros((3, 2)), 0, 0)["what"].startswith("shape")


def test_float32_tolerance_grows_with_length_and_float64_does_not():
    assert checks.tolerance("float64", 256) == checks.TOLERANCES["float64"]
    short, long = checks.tolerance("float32", 1), checks.tolerance("float32", 256)
    assert long[0] > short[0] >= checks.TOLERANCES["float32"][0]
    assert checks.tolerance("float64", 1, {"float64": (1e-3, 1e-3)}) == (1e-3, 1e-3)


# ----- snippets ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0.1, -2.5, 1e-30, 3.4028234663852886e38, float("nan"), float("-inf")])
def test_float_literals_round_trip_at_float32(value):
    v = np.float32(value)
    text = report.float_literal(v, np.float32)
    back = np.float32(eval(text))
    assert (np.isnan(v) and np.isnan(back)) or back == v


def test_tensor_literals_cover_empty_and_0d():
    import torch
    for array in (np.zeros((2, 0, 3), np.float32), np.array(1.5), np.arange(6.0).reshape(2, 3), np.array([True])):
        t = eval(report.tensor_literal(array), {"torch": torch})
        assert tuple(t.shape) == array.shape and str(t.dtype) == f"torch.{'bool' if array.dtype == bool else array.dtype}"
        assert np.array_equal(t.numpy(), array)


def test_call_source_of_a_record_lambda():
    record = Record("pair", unary(), forms=("call",), call=lambda lib, x: (x * 2, x.exp()), label="pair")
    assert report.call_source(record.call) == "call = lambda lib, x: (x * 2, x.exp())"


# ----- the command line ---------------------------------------------------------------------------

def _cli(tmp_path, monkeypatch, *options) -> tuple[int, dict, str]:
    monkeypatch.setattr(registry, "all_records", lambda: [EXP, MUL])
    code = cli.main(["--profile", "quick", "--report", str(tmp_path), *options])
    data = json.loads((tmp_path / "report.json").read_text())
    return code, data, (tmp_path / "report.md").read_text()


def test_cli_passes_and_writes_both_reports(tmp_path, monkeypatch, capsys):
    code, data, markdown = _cli(tmp_path, monkeypatch, "--ops", "exp", "mul")
    out = capsys.readouterr().out
    assert code == 0 and data["ok"]
    assert set(data["matrix"]) == {"exp", "mul"} and data["summary"]["cases"] == 4
    assert data["matrix"]["exp"]["grad"]["passed"] > 0
    assert {"torch", "numpy", "hypothesis"} <= set(data["versions"])
    assert "| exp |" in markdown and "PASS" in markdown
    assert "conformance: 4 passed, 0 failed" in out


def test_cli_reports_a_mismatch_with_exit_status_1(tmp_path, monkeypatch):
    with renamed(node_class(lambda x: x.exp()), "ExpBackward1"):
        code, data, markdown = _cli(tmp_path, monkeypatch, "--ops", "exp", "--dtypes", "float64")
    assert code == 1 and not data["ok"]
    (case,) = data["cases"]
    assert case["row"] == "exp" and [f["check"] for f in case["failures"]] == ["grad_fn"]
    assert data["matrix"]["exp"]["grad_fn"]["failed"] > 0 and data["matrix"]["exp"]["grad"]["failed"] == 0
    assert "### exp [method, float64]: grad_fn" in markdown and "```python" in markdown


def test_cli_rejects_unknown_ops(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(registry, "all_records", lambda: [EXP])
    assert cli.main(["--ops", "no_such_op", "--report", str(tmp_path)]) == 2


def test_results_are_merged_across_worker_files(tmp_path):
    """Each pytest-xdist worker appends to its own file; the command line reads them all."""
    case = {"row": "exp", "op": "exp", "form": "method", "dtype": "float64", "examples": 1, "crash": None,
            "counts": {c: [1, 0] for c in checks.CHECKS}, "failures": [], "seconds": 0.1}
    (tmp_path / "gw0.jsonl").write_text(json.dumps(case) + "\n")
    (tmp_path / "gw1.jsonl").write_text(json.dumps({**case, "dtype": "float32"}) + "\n")
    merged = report.load_results(tmp_path)
    assert sorted(r["dtype"] for r in merged) == ["float32", "float64"]
    summary = report.Report(merged, ["exp"])
    assert summary.ok and summary.matrix()["exp"]["value"] == {"passed": 2, "failed": 0}


def _scaled_by(factor):
    return lambda lib, x: x * factor


def _helper_call(lib, x, *, power=2):
    return x.pow(power).sum(0)


SNIPPET_RECORDS = [
    (Record("pair", unary(), forms=("call",), call=lambda lib, x: (x * 2, x.exp()), label="pair"), "call"),
    (Record("scaled", unary(), forms=("call",), call=_scaled_by(3.0), label="scaled"), "call"),
    (Record("helper", unary(), forms=("call",), call=_helper_call, label="helper"), "call"),
    (Record("sigmoid", unary(), namespace="nn.functional", forms=("function",)), "function"),
    (MUL, "operator"),
    (Record("sub", binary(), forms=("roperator",), operator="sub"), "roperator"),
    (Record("mul", binary(), forms=("inplace",)), "inplace"),
]


@pytest.mark.parametrize("record, form", SNIPPET_RECORDS, ids=[r.row + "-" + f for r, f in SNIPPET_RECORDS])
def test_snippets_are_standalone_torch_programs(record, form):
    """Every check's snippet runs with plain torch (no harness import), for each kind of call."""
    from hypothesis import HealthCheck, given, settings
    from conformance.strategies import example_for
    from test_harness_faults import run_snippet

    case = runner.Case(record, form, "float64")

    @settings(max_examples=3, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(example_for(record.example, "float64", form))
    def check(example):
        _, t, m = runner.evaluate(case, example, 7)
        for name in checks.CHECKS:
            source = report.snippet(case, example, name, t, m)
            assert "conformance" not in source.split("\n", 2)[2]
            if not t.errors:
                run_snippet(source, "torch")
    check()
