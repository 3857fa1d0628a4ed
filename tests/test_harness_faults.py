"""The harness tests itself: wrong behaviour injected into mygrad must be reported, naming the op and the check.

Each test breaks one thing in mygrad with monkeypatch (a backward off by a factor, a missing
un-broadcast, a wrong grad_fn name, no accumulation, a grad not zeroed, ...), runs the harness on a
record of its own (so the test does not depend on which records the registry holds), and asserts
that the expected check fails for that op, and, where it matters, that the other checks still pass.
"""
from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import replace

import numpy as np
import pytest

import mygrad
from conformance import machine, runner
from conformance.profiles import Profile
from conformance.registry import Record
from conformance.strategies import binary, tensor_lists, unary
from mygrad.autograd import backends
from mygrad.autograd.node import generate_apply

FAST = Profile("selftest", examples=12, machine_runs=40, machine_steps=25, shrink_seconds=3.0)

MUL = Record("mul", binary(), forms=("function", "operator"), operator="mul")
ADD = Record("add", binary(scalars=False), forms=("function",))
EXP = Record("exp", unary(), forms=("function", "method"))
SUM = Record("sum", unary(), forms=("function",))


def run(record: Record, form: str = "function", dtype: str = "float64") -> dict:
    """The failures of one case, by check name (the case must have run)."""
    result = runner.run_case(runner.Case(record, form, dtype), FAST)
    assert result.crash is None, result.crash
    assert result.examples == FAST.examples
    assert all(f.check and f.diff for f in result.failures)
    return {f.check: f for f in result.failures}


def run_machine() -> dict:
    result = machine.run_machine(replace(FAST, shrink_seconds=1.0))
    assert result.crash is None, result.crash
    return {f.check: f for f in result.failures}


def node_class(make):
    """The node class mygrad attaches for ``make(leaf)`` (found at run time, not by import path)."""
    x = mygrad.tensor(np.ones(2), requires_grad=True)
    return type(make(x).grad_fn)


@contextlib.contextmanager
def renamed(cls, name: str):
    """Give a node class a wrong name for the duration (monkeypatch cannot undo ``__name__``)."""
    old = cls.__name__
    cls.__name__ = name
    try:
        yield
    finally:
        cls.__name__ = old


def run_snippet(source: str, library: str) -> str:
    """Execute a report snippet with ``import torch`` or ``import mygrad as torch``; its printed output."""
    if library == "mygrad":
        source = source.replace("import torch\n", "import mygrad as torch\n", 1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, f"<snippet for {library}>", "exec"), {})
    return out.getvalue()


# ----- the correct engine passes --------------------------------------------------------------------

@pytest.mark.parametrize("record, form", [(MUL, "function"), (MUL, "operator"), (ADD, "function"),
                                          (EXP, "method")])
def test_correct_engine_passes(record, form):
    assert run(record, form) == {}


def test_tuple_list_and_integer_outputs_are_handled():
    pair = Record("pair", unary(), forms=("call",), call=lambda lib, x: (x * 2, x.exp()), label="pair")
    per_tensor = Record("per tensor", tensor_lists(), forms=("call",),
                        call=lambda lib, xs, dim: [x * 3 for x in xs], label="per tensor")
    compare = Record("gt", binary(), forms=("function",), grad=False)
    for record in (pair, per_tensor, compare):
        assert run(record, "call" if record.call else "function") == {}, record.row


# ----- injected faults are reported ----------------------------------------------------------------

def _scaled(cls, factor: float, monkeypatch) -> None:
    """Make the node's backward formula for its first input ``factor`` times too large."""
    first = next(iter(cls.formulas))
    texts = dict(cls.formulas, **{first: f"{factor} * ({cls.formulas[first]})"})
    monkeypatch.setattr(cls, "apply", generate_apply(cls, texts))


def test_backward_off_by_a_factor(monkeypatch):
    _scaled(node_class(lambda x: x * x), 1.5, monkeypatch)
    failures = run(MUL, "operator")
    assert "grad" in failures
    assert "grad of x0" in failures["grad"].diff
    assert failures["grad"].numbers["max_abs"] > 0
    assert not {"value", "grad_fn", "graph", "dtype", "shape"} & set(failures)
    # the snippet is standalone and shows the difference in both libraries
    snippet = failures["grad"].snippet
    assert run_snippet(snippet, "torch") != run_snippet(snippet, "mygrad")


def test_wrong_formula_in_the_generated_apply(monkeypatch):
    """The apply generated from a node's formula text (the path a backward takes) is checked too."""
    cls = node_class(lambda x: x * x)
    texts = dict(cls.formulas, self=f"1.5 * ({cls.formulas['self']})")
    monkeypatch.setattr(cls, "apply", generate_apply(cls, texts))
    failures = run(MUL, "operator")
    assert "grad" in failures and "grad of x0" in failures["grad"].diff  # ("double" too: its graph has MulBackward0s)
    assert not {"value", "grad_fn", "graph", "dtype", "shape"} & set(failures)


def test_missing_unbroadcast(monkeypatch):
    monkeypatch.setitem(backends.ARRAY, "_conform", lambda g, meta: np.asarray(g, dtype=meta[1]))
    failures = run(ADD)
    assert "grad" in failures and "shape" in failures["grad"].diff


def test_wrong_grad_fn_name():
    with renamed(node_class(lambda x: x.exp()), "ExpBackward1"):
        failures = run(EXP, "method")
    assert set(failures) == {"grad_fn"}
    assert "ExpBackward0" in failures["grad_fn"].diff and "ExpBackward1" in failures["grad_fn"].diff


def test_wrong_name_below_the_output_is_a_graph_failure():
    with renamed(node_class(lambda x: x.clone()), "CopyBackward0"):
        failures = run(Record("exp", unary(), forms=("inplace",)), "inplace")
    assert set(failures) == {"graph"}
    assert "CloneBackward0" in failures["graph"].diff


def test_one_failure_does_not_hide_another(monkeypatch):
    cls = node_class(lambda x: x * x)
    _scaled(cls, 1.5, monkeypatch)
    with renamed(cls, "MulBackward9"):
        failures = run(MUL)
    assert {"grad", "grad_fn"} <= set(failures)


def test_error_parity(monkeypatch):
    exp = mygrad.exp

    def picky_exp(x, *args, **kwargs):
        if x.dim() == 0:
            raise ValueError("0-d tensors are not supported")
        return exp(x, *args, **kwargs)
    monkeypatch.setattr(mygrad, "exp", picky_exp)
    failures = run(EXP)
    assert "errors" in failures and "ValueError" in failures["errors"].diff


def test_wrong_dtype(monkeypatch):
    exp = mygrad.exp
    monkeypatch.setattr(mygrad, "exp", lambda x: exp(x).double())
    failures = run(EXP, "function", "float32")
    assert "dtype" in failures and "float64" in failures["dtype"].diff


def test_wrong_forward_value(monkeypatch):
    exp = mygrad.exp
    monkeypatch.setattr(mygrad, "exp", lambda x: exp(x) * 1.001)
    failures = run(EXP)
    assert "value" in failures and "max abs err" in failures["value"].diff


def test_input_mutated(monkeypatch):
    exp = mygrad.exp

    def careless_exp(x):
        out = exp(x)
        with mygrad.no_grad():
            x.mul_(2.0)
        return out
    monkeypatch.setattr(mygrad, "exp", careless_exp)
    failures = run(EXP)
    assert "mutation" in failures and "x0" in failures["mutation"].diff


def test_graph_recorded_under_no_grad(monkeypatch):
    exp = mygrad.exp

    def eager_exp(x):
        with mygrad.enable_grad():
            return exp(x)
    monkeypatch.setattr(mygrad, "exp", eager_exp)
    failures = run(EXP)
    assert set(failures) == {"no_grad"}


def test_gradient_aliases_the_upstream_gradient(monkeypatch):
    def store_without_copy(self, grad, create_graph, held=False):
        data = grad._data if isinstance(grad, mygrad.Tensor) else np.asarray(grad)
        if self._grad is None:
            self._grad = mygrad.Tensor._make(data, False, None)
        else:
            self._grad._data += data
    monkeypatch.setattr(mygrad.Tensor, "_accumulate", store_without_copy)
    failures = run(ADD)
    assert "aliasing" in failures and "shares memory" in failures["aliasing"].diff


def test_wrong_second_order(monkeypatch):
    cls = node_class(lambda x: x * x)
    formulas = list(cls.tensor_formulas)
    first = formulas[0]
    formulas[0] = lambda *args: 2 * first(*args)
    monkeypatch.setattr(cls, "tensor_formulas", tuple(formulas))
    failures = run(MUL)
    # the tensor formula is also mul's tangent (auto_element_wise) and the hessian's second pass
    assert set(failures) == {"double", "forward_ad", "functional"}


# ----- the behaviour machine --------------------------------------------------------------------

def test_machine_runs_and_counts_every_check():
    result = machine.run_machine(replace(FAST, shrink_seconds=0.0))
    assert result.crash is None, result.crash
    assert result.examples >= FAST.machine_runs
    assert all(sum(result.counts[c]) > 0 for c in machine.CHECKS), result.counts


def test_missing_accumulation(monkeypatch):
    accumulate = mygrad.Tensor._accumulate

    def overwrite(self, grad, create_graph, held=False):
        self._grad = None
        return accumulate(self, grad, create_graph, held)
    monkeypatch.setattr(mygrad.Tensor, "_accumulate", overwrite)
    failures = run_machine()
    assert "grad" in failures
    assert failures["grad"].snippet.count(".backward(") >= 2   # found through a second backward


def test_grad_not_zeroed(monkeypatch):
    monkeypatch.setattr(mygrad.Tensor, "zero_", lambda self: self)
    failures = run_machine()
    assert {"grad", "value"} & set(failures)
    shown = [f for f in failures.values() if "zero_()" in f.snippet]
    assert shown
    for failure in shown:   # each program runs to its end in both libraries, as written in the report
        assert run_snippet(failure.snippet, "torch") is not None
        run_snippet(failure.snippet, "mygrad")


# ----- forward-mode AD and autograd.functional ---------------------------------------------------------

def test_a_wrong_tangent_formula_fails_the_forward_ad_check_only(monkeypatch):
    from mygrad.autograd import forward_ad
    monkeypatch.setitem(forward_ad.TANGENTS, "SumBackward0", "self_t.sum() * 2")
    monkeypatch.setattr(forward_ad, "_compiled", {})
    failed = run(SUM)
    assert set(failed) == {"forward_ad"}, failed
    assert "tangent of output 0" in failed["forward_ad"].diff
    assert "fwAD.make_dual" in failed["forward_ad"].snippet


def test_an_op_refusing_dual_tensors_fails_the_forward_ad_check(monkeypatch):
    from mygrad.autograd import forward_ad
    monkeypatch.setitem(forward_ad.NOT_IMPLEMENTED, node_class(lambda x: x.exp()).__name__, "exp")
    failed = run(EXP)
    assert set(failed) == {"forward_ad"}, failed
    assert "NotImplementedError" in failed["forward_ad"].diff


def test_a_wrong_jacobian_fails_the_functional_check_only(monkeypatch):
    from mygrad.autograd import functional
    original = functional.jacobian

    def off(*args, **kwargs):
        found = original(*args, **kwargs)
        return tuple(j * 2 for j in found) if isinstance(found, tuple) else found * 2
    monkeypatch.setattr(functional, "jacobian", off)
    failed = run(EXP)
    assert set(failed) == {"functional"}, failed
    assert "autograd.functional.jacobian" in failed["functional"].snippet


def test_a_slice_backward_that_ignores_the_start_fails_getitem(monkeypatch):
    """Basic indexing draws slices with a start often enough that a backward placing the gradient from index
    0 instead of the slice's start (a view's offset ignored) fails the grad check at the ci profile."""
    from conformance.registry import all_records
    from mygrad.autograd import backends
    correct = backends.ARRAY["slice_backward"]
    monkeypatch.setitem(backends.ARRAY, "slice_backward",
                        lambda grad, sizes, dim, start, end, step: correct(grad, sizes, dim, 0, end - start, step))
    from conformance.profiles import PROFILES
    record = next(r for r in all_records() if r.row == "getitem (basic)")
    result = runner.run_case(runner.Case(record, "call", "float64"), PROFILES["ci"])   # what CI runs
    assert "grad" in {f.check for f in result.failures}


def test_some_inputs_are_leaf_views_and_the_snippet_says_so(monkeypatch):
    """paired.build makes one input in VIEW_SHARE a leaf view with a storage offset (and one a non-contiguous
    one: tests/test_layout.py), in both libraries alike, and a repro snippet builds it the same way."""
    import numpy as np

    from conformance import paired
    from conformance.registry import Example, TensorArg
    monkeypatch.setattr(paired, "NONCONTIGUOUS", [True])   # (a run may switch it off; this test needs it on)
    example = Example((TensorArg(np.arange(6.0).reshape(2, 3)),))
    layouts = [paired.choose_layouts(example, seed)[0] for seed in range(60)]
    assert layouts.count("offset") == 10 and set(layouts) == {"plain", "offset", "transposed"}
    seed = layouts.index("offset")
    for name in ("torch", "mygrad"):
        _, _, (leaf,) = paired.build(paired.library(name), example, paired.choose_layouts(example, seed))
        assert leaf.is_leaf and leaf.requires_grad and leaf._base is not None
        assert leaf.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    base, cut = paired.layout_source(np.arange(6.0).reshape(2, 3), "offset")
    assert base.shape == (3, 3) and cut == "[1:]"
