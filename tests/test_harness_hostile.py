"""Hostile values (NaN, ±inf, -0.0, subnormals, the extremes) are mixed into every record's draws but the
rows still pending (conformance/hostile_pending.py) and the records unchecked for "hostile": a row's examples
do reach them, and the pending list names only rows of the registry."""
import dataclasses
import random

import numpy as np
from hypothesis.control import BuildContext
from hypothesis.internal.conjecture.data import ConjectureData

from conformance import registry
from conformance import strategies as S
from conformance.hostile_pending import HOSTILE_PENDING


def _arrays(record, dtype: str, seeds=range(100)):
    strategy = S.example_for(record.example, dtype, record.forms[0], S.draws_hostile(record))
    for seed in seeds:
        data = ConjectureData(random=random.Random(seed), max_choices=8192)
        with BuildContext(data, is_final=False, wrapped_test=None):
            example = data.draw(strategy)
        yield from (np.asarray(a.array) for a in example.args if isinstance(a, registry.TensorArg))


def test_the_pending_rows_are_rows_of_the_registry():
    assert HOSTILE_PENDING <= {r.row for r in registry.all_records()}


def test_a_row_not_pending_draws_hostile_values_and_a_pending_one_does_not(monkeypatch):
    by_row = {r.row: r for r in registry.all_records()}
    assert not S.EVERY_RECORD_HOSTILE
    drawn = by_row["sum"]
    assert "sum" not in HOSTILE_PENDING and S.draws_hostile(drawn)
    assert any(not np.isfinite(a).all() for a in _arrays(drawn, "float32"))
    monkeypatch.setattr(S, "HOSTILE_PENDING", HOSTILE_PENDING | {"prod"})   # (the list may be empty)
    assert not S.draws_hostile(by_row["prod"])
    assert not any(not np.isfinite(a).all() for a in _arrays(by_row["prod"], "float32"))


def test_a_record_unchecked_for_a_narrowed_set_draws_only_that_set():
    base = next(r for r in registry.all_records() if r.row == "sum")
    finite_only = dataclasses.replace(base, unchecked=(("hostile: non-finite", "why"),))
    no_overflow = dataclasses.replace(base, unchecked=(("hostile: overflow", "why"),))
    assert S.draws_hostile(finite_only) == "hostile: non-finite"
    assert S.draws_hostile(no_overflow) == "hostile: overflow"
    top = float(np.finfo(np.float32).max)
    finite_drawn = np.concatenate([a.ravel() for a in _arrays(finite_only, "float32", range(300))])
    assert np.isfinite(finite_drawn).all()
    assert (np.signbit(finite_drawn) & (finite_drawn == 0)).any() and (np.abs(finite_drawn) < 1e-38).any()
    overflow_drawn = np.concatenate([a.ravel() for a in _arrays(no_overflow, "float32", range(300))])
    assert not np.isfinite(overflow_drawn).all() and not (np.abs(overflow_drawn) == top).any()
    no_rounding = dataclasses.replace(base, unchecked=(("hostile: rounding", "why"),))
    assert S.draws_hostile(no_rounding) == "hostile: rounding"
    rounding_drawn = np.concatenate([a.ravel() for a in _arrays(no_rounding, "float32", range(300))])
    subnormal = np.nextafter(np.float32(0), np.float32(1))
    assert not np.isfinite(rounding_drawn).all() and not np.isin(np.abs(rounding_drawn), [subnormal, top]).any()
    no_pivoting = dataclasses.replace(base, unchecked=(("hostile: pivoting", "why"),))
    assert S.draws_hostile(no_pivoting) == "hostile: pivoting"
    pivoting_drawn = np.concatenate([a.ravel() for a in _arrays(no_pivoting, "float32", range(300))])
    assert np.isnan(pivoting_drawn).any() and not np.isinf(pivoting_drawn).any()
    assert (np.signbit(pivoting_drawn) & (pivoting_drawn == 0)).any()
    assert not np.isin(np.abs(pivoting_drawn), [subnormal, top]).any()
