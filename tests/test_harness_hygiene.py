"""State hygiene (conformance/hygiene.py): a case that leaks process state fails, naming the state, and
the leak is undone so the next case runs as it would have alone."""
from __future__ import annotations

import gc

import numpy as np
import pytest
import torch

import mygrad
from conformance import hygiene, runner
from conformance.profiles import Profile
from conformance.registry import Record
from conformance.strategies import unary

FAST = Profile("selftest", examples=4, machine_runs=5, machine_steps=5, shrink_seconds=0.0)
EXP = Record("exp", unary(), forms=("function",))


def leaking(leak) -> Record:
    """A record whose call runs ``leak()`` once (the first call), then computes exp."""
    done = []

    def call(lib, x):
        if not done:
            done.append(True)
            leak()
        return lib.exp(x)
    return Record("exp", unary(), forms=("call",), call=call, label="exp (leaky)")


def run(record: Record, leak=None):
    """One case through hygiene; ``leak`` runs after it, as a case's own code would (the harness keeps
    NumPy's error state inside each call to the op, so a record cannot leak that one)."""
    form = record.forms[0]

    def case():
        result = runner.run_case(runner.Case(record, form, "float64"), FAST)
        if leak is not None:
            leak()
        return result
    return hygiene.checked(case)


LEAKS = {
    "grad mode (torch.is_grad_enabled())": lambda: torch.set_grad_enabled(False),
    "grad mode (mygrad.is_grad_enabled())": lambda: mygrad.set_grad_enabled(False),
    "default dtype (torch.get_default_dtype())": lambda: torch.set_default_dtype(torch.float64),
    "default dtype (mygrad.get_default_dtype())": lambda: mygrad.set_default_dtype(mygrad.float64),
    "NumPy error state (np.geterr())": lambda: np.seterr(all="raise"),
    "garbage collector (gc.isenabled())": gc.disable,
}


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_a_leak_fails_the_case_that_leaked_and_is_undone(name):
    before = hygiene.snapshot()
    result = run(EXP, LEAKS[name]) if "NumPy" in name else run(leaking(LEAKS[name]))
    assert hygiene.snapshot() == before                      # undone: the next case is innocent
    leaks = [f for f in result.failures if f.check == "hygiene"]
    assert len(leaks) == 1 and name in leaks[0].diff, result.summary()
    assert "before the case" in leaks[0].diff
    assert run(EXP).ok                                       # and the next case passes


def test_a_clean_case_passes():
    before = hygiene.snapshot()
    result = run(EXP)
    assert result.ok, result.summary()
    assert hygiene.snapshot() == before


def test_the_suite_runs_every_case_through_hygiene(monkeypatch):
    """The pytest suite (conformance/suite.py) wraps both kinds of case."""
    from conformance import suite
    seen = []
    monkeypatch.setattr(hygiene, "checked", lambda run: seen.append(run) or "result")
    finish = lambda result: seen.append(result)   # noqa: E731 - the plugin's conformance_run stand-in
    finish.profile, finish.seed, finish.checks = FAST, 0, None
    suite.test_op(runner.Case(EXP, "function", "float64"), finish)
    suite.test_behaviour("behaviour", finish)
    assert seen.count("result") == 2 and sum(callable(s) for s in seen) >= 2
