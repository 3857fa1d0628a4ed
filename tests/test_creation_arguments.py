"""The factories' argument checking, differential against the installed torch (issue 14): bad sizes, dtypes,
fill values and flags raise torch's class with torch's message; Python types stand for dtypes as in torch.
The overloaded factories (arange, linspace, logspace, eye, randint, rand with a generator) list their
overloads in torch's message for a bad argument among several; mygrad names the argument instead, so those
compare the exception class only (README, known differences)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import mygrad

EXACT = [
    'L.arange("a")', 'L.eye("a")', 'L.eye(2.0)', 'L.eye(True)', 'L.tril_indices(2, 2, dtype="a")',
    'L.tril_indices(2.0, 2)', 'L.tril_indices(2, 2, "a")', 'L.full_like(L.ones(2), "a")', 'L.full((2,), "a")',
    'L.full("a", 1.0)', 'L.full((2.0,), 1.0)', 'L.full(2, 1.0)', 'L.full((2,), None)', 'L.full((2, 2.0), 1.0)',
    'L.full_like(L.ones(2), [1])', 'L.zeros(2.0)', 'L.zeros("a")', 'L.zeros(None)', 'L.zeros(True)',
    'L.zeros((None,))', 'L.zeros((2.0,))', 'L.zeros(2.0, 3)', 'L.zeros(2, 3.0)', 'L.zeros((2, "a"))',
    'L.zeros([2, 3.0])', 'L.ones(2, None)', 'L.zeros(2, dtype="a")', 'L.zeros(2, dtype=5)',
    'L.ones_like(L.ones(2), dtype="a")', 'L.zeros_like([1.0])', 'L.empty(2, requires_grad="a")',
    'L.ones(2, 2, requires_grad=1)', 'L.rand(2.5)', 'L.randperm(2.0)', 'L.randperm("a")',
    'L.randint(5.0, (2,))', 'L.tensor([1], dtype="a")', 'L.tensor([1], requires_grad="a")',
    'L.tensor([1.0], requires_grad=None)', 'L.as_tensor([1], dtype="a")', 'L.tensor("a")', 'L.tensor(None)',
    'L.tensor([None])', 'L.tensor(object())', 'L.as_tensor("a")', 'L.zeros(-1)', 'L.zeros(2, -1)', 'L.ones(-1)',
    'L.full((-1,), 1.0)', 'L.randn(2, -3)', 'L.rand(2, dtype=L.int64)', 'L.randn(2, dtype=L.bool)',
    'L.arange(0, 5, dtype=L.bool)', 'L.linspace(0, 1, -1)', 'L.eye(-1)',
    # what torch accepts
    'L.zeros(2, True)', 'L.zeros((2, True))', 'L.zeros(2, requires_grad=None)', 'L.zeros(np.int64(2))',
    'L.zeros(L.tensor(2))', 'L.zeros((L.tensor(2), 3))', 'L.zeros([])', 'L.zeros(2, dtype=float)',
    'L.zeros_like(L.ones(2), dtype=float)', 'L.tensor([1.0], dtype=int)', 'L.arange(5, dtype=float)',
    'L.eye(2, dtype=bool)', 'L.eye(np.int64(2))', 'L.arange(True)', 'L.arange(L.tensor(3))',
    'L.full((2,), True)', 'L.full((2,), 1)', 'L.full((2,), L.tensor(1.0))', 'L.logspace(4, -3, 3, base=-9)',
    'L.ones(2).to(float)', 'L.ones(2).to(int)', 'L.ones(2).to(dtype=bool)', 'L.randint(high=5, size=(0,))',
]
CLASS_ONLY = [
    'L.arange("a", 5)', 'L.arange(0, "a")', 'L.arange(0, 5, "a")', 'L.arange(0, 5, 1, dtype="a")',
    'L.linspace(0, [1], 3)', 'L.linspace(0, 1, "a")', 'L.linspace(0, 1, 3, dtype="a")', 'L.linspace(0, 1, 2.0)',
    'L.logspace("a", 1, 3)', 'L.logspace(0, 1, 3, base="a")', 'L.eye(2, 2, dtype="a")', 'L.eye(2, "a")',
    'L.randint(0, 5, 2)',
]


def _outcome(call: str, lib):
    try:
        out = eval(call, {"L": lib, "np": np})
    except Exception as exc:   # (the outcome compared)
        return type(exc).__name__, str(exc).split("\n")[0]
    return "returned", (str(out.dtype), tuple(out.shape), repr(out.tolist()))


@pytest.mark.parametrize("call", EXACT)
def test_as_torch(call):
    assert _outcome(call, mygrad) == _outcome(call, torch)


@pytest.mark.parametrize("call", CLASS_ONLY)
def test_overloaded_factories_raise_torchs_class(call):
    ours, theirs = _outcome(call, mygrad), _outcome(call, torch)
    assert "invalid combination of arguments" in theirs[1]
    assert ours[0] == theirs[0] == "TypeError"


# Python's own types where torch takes a dtype (float is float64, int int64, bool bool), in the ops' keyword
PYTHON_TYPES_AS_DTYPES = [
    'L.ones(2).sum(dtype=float)', 'L.sum(L.ones(2), dtype=float)', 'L.ones(2).mean(dtype=float)',
    'L.ones(2).cumsum(0, dtype=float)', 'L.ones(2).prod(dtype=int)',
    'L.nn.functional.softmax(L.ones(2), 0, dtype=float)',
    'L.ones(2).new_zeros(2, dtype=float)', 'L.ones(2).new_full((2,), 1, dtype=float)',
    'L.linalg.vector_norm(L.ones(2), dtype=float)', 'L.nansum(L.ones(2), dtype=float)', 'L.ones(2).mean(dtype=int)',
    'L.tensor(L.finfo(float).max)',
]


@pytest.mark.parametrize("call", PYTHON_TYPES_AS_DTYPES)
def test_python_types_as_dtypes(call):
    assert _outcome(call, mygrad) == _outcome(call, torch)
