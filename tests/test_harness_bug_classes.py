"""The suite catches engine bugs by itself, at the ci profile (issues 17 and 18): each test injects one
class of engine bug into mygrad with monkeypatch and asserts that the conformance suite reports it under
the right row and check, without help from this repository's unit tests.

The classes are those a review found the ci suite missing: ready nodes run oldest-first instead of in
torch's order (only the order in which hooks see gradients changes), a non-leaf's retained .grad replaced
instead of accumulated on a repeated backward, a tensor hook on a non-leaf called twice, a diamond whose
second branch is dropped, and comparison ops whose outputs require grad.
"""
from __future__ import annotations

import inspect
import textwrap
from dataclasses import replace

import mygrad
import mygrad.autograd
from conformance import machine, runner
from conformance.profiles import PROFILES
from conformance.registry import Record
from conformance.strategies import binary
from mygrad.autograd import engine

CI = replace(PROFILES["ci"], shrink_seconds=0.0)   # the ci profile's programs (reporting unshrunk is faster)


def run_machine() -> dict:
    result = machine.run_machine(CI)
    assert result.crash is None, result.crash
    return {f.check: f for f in result.failures}


def patch_engine(monkeypatch, *replacements: tuple) -> None:
    """Rewrite the engine's ``run_backward``: each (old, new) pair replaces every occurrence of old."""
    source = textwrap.dedent(inspect.getsource(engine.run_backward))
    for old, new in replacements:
        assert old in source, old
        source = source.replace(old, new)
    namespace = dict(vars(engine))
    exec(compile(source, "<injected run_backward>", "exec"), namespace)
    monkeypatch.setattr(engine, "run_backward", namespace["run_backward"])
    monkeypatch.setattr(mygrad.autograd, "_run_backward", namespace["run_backward"])  # (the alias backward() calls)


def test_the_correct_engine_passes_the_ci_behaviour_suite():
    result = machine.run_machine(CI)
    assert result.crash is None, result.crash
    assert result.ok, result.summary()
    mix = result.stats
    assert mix["succeeded"] > 3 * mix["raised"], mix      # programs explore rather than error
    assert mix["hook_calls"] > 0 and mix["graph_shapes"] > 20, mix


def test_ready_nodes_run_oldest_first(monkeypatch):
    """Values are unchanged; only the order in which the hooks see gradients shows it."""
    patch_engine(monkeypatch, ("-node._sequence_nr", "node._sequence_nr"), ("-ready._sequence_nr", "ready._sequence_nr"))
    failures = run_machine()
    assert "grad" in failures, failures
    # seen in the hooks' order, or in a .grad that a hook running out of order changed
    assert "hook calls in order" in failures["grad"].diff or ".grad" in failures["grad"].diff
    assert "value" not in failures


def test_retained_grad_replaced_instead_of_accumulated(monkeypatch):
    retain = mygrad.Tensor._retain

    def replace_it(self, grad):
        self._grad = None
        return retain(self, grad)
    monkeypatch.setattr(mygrad.Tensor, "_retain", replace_it)
    failures = run_machine()
    assert "grad" in failures, failures
    assert ".grad" in failures["grad"].diff
    assert failures["grad"].snippet.count("retain_grad()") >= 1


def test_tensor_hook_on_a_non_leaf_called_twice(monkeypatch):
    run_pre_hooks = engine._run_pre_hooks

    def twice(node, grads, *args, **kwargs):
        for nr, fns in node._hooks.tensor.items():
            for fn in list(fns):
                if grads[nr] is not None:
                    engine._call_tensor_hook(fn, grads[nr])   # one call too many (its result dropped)
        return run_pre_hooks(node, grads, *args, **kwargs)
    monkeypatch.setattr(engine, "_run_pre_hooks", twice)
    failures = run_machine()
    assert "grad" in failures, failures
    assert "hook calls in order" in failures["grad"].diff


def test_diamond_drops_a_branch(monkeypatch):
    """The second gradient to reach a node replaces the first instead of adding to it."""
    patch_engine(monkeypatch, ("buf[nr] = g if buf[nr] is None else buf[nr] + g", "buf[nr] = g"))
    failures = run_machine()
    assert "grad" in failures, failures
    assert ".grad" in failures["grad"].diff or "hook" in failures["grad"].diff


def _differentiable_comparisons(monkeypatch) -> None:
    """Comparison ops whose bool outputs claim to require grad when an input does."""
    for name in ("__gt__", "gt"):
        original = getattr(mygrad.Tensor, name)

        def compare(self, other, original=original):
            out = original(self, other)
            out._requires_grad = self.requires_grad or getattr(other, "requires_grad", False)
            return out
        monkeypatch.setattr(mygrad.Tensor, name, compare)
    gt = mygrad.gt
    monkeypatch.setattr(mygrad, "gt", lambda a, b: mygrad.Tensor.gt(a, b) if isinstance(a, mygrad.Tensor) else gt(a, b))


def test_comparisons_that_require_grad_in_the_behaviour_suite(monkeypatch):
    _differentiable_comparisons(monkeypatch)
    failures = run_machine()
    assert "flags" in failures, failures
    assert "requires_grad" in failures["flags"].diff


def test_comparisons_that_require_grad_in_their_op_row(monkeypatch):
    _differentiable_comparisons(monkeypatch)
    record = Record("gt", binary(), forms=("function", "operator"), operator="gt", grad=False)
    for form in record.forms:
        result = runner.run_case(runner.Case(record, form, "float64"), CI)
        assert result.crash is None, result.crash
        assert "flags" in {f.check for f in result.failures}, (form, result.summary())
