"""Observing a record's op through autograd's other front ends: forward-mode AD and ``autograd.functional``.

``observe_transforms`` adds two stages to an ``Observation`` (``paired.observe`` calls it after the
first- and second-order stages): ``forward_ad``, the tangents of the outputs when the differentiable
inputs are dual tensors with random tangents (``forward_ad.make_dual``/``unpack_dual``), and
``functional``, ``autograd.functional.jacobian`` of the op's first floating output and ``hessian``
of the op scalarised as ``sum(out_k * w_k)`` for random ``w_k``.  Both are derived from the record
alone (which inputs are floating and require grad) and kept cheap: the forward-mode stage runs on the
record's first call form and its in-place form (the method and operator spellings reach the same node),
the functional stage on the first call form only and on small examples (a Jacobian or Hessian costs one backward per
row), so most of a case's examples skip it; shrinking keeps a failing example small, hence in scope.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .paired import (
    LibAttr,
    Raised,
    TensorArg,
    _grad_values,
    invoke,
    is_tensor,
    read,
    resolve,
    tensor_args,
    to_numpy,
)

JACOBIAN_BUDGET = 24   # jacobian only while (output elements) x (input elements) stays below this
HESSIAN_BUDGET = 6     # hessian only while the differentiable inputs hold at most this many elements
TANGENT_SLOT = 2000    # random_grad slots of the tangents (the upstream gradients use 0.., the double check 1000..)
WEIGHT_SLOT = 3000     # ... and of the hessian's output weights


def differentiable_args(example) -> list[int]:
    """Indices (into ``tensor_args``) of the inputs a derivative is taken with respect to: floating
    tensors drawn with ``requires_grad`` (not module parameters: a dual or a functional input cannot
    be loaded into a module's parameter slot)."""
    return [i for i, a in enumerate(tensor_args(example))
            if a.requires_grad and not a.parameter and np.asarray(a.array).dtype.kind == "f"]


def applies(example) -> bool:
    """Whether the example has something to differentiate (and no module parameters)."""
    return bool(differentiable_args(example)) and not any(a.parameter for a in tensor_args(example))


def _arguments(lib, example, replace: dict) -> tuple[tuple, dict]:
    """The example's arguments with plain (non-requiring) tensors, input ``i`` replaced by ``replace[i]``."""
    index = [0]

    def convert(v):
        if isinstance(v, TensorArg):
            i = index[0]
            index[0] += 1
            return replace[i] if i in replace else lib.tensor(np.array(v.array, copy=True))
        if isinstance(v, LibAttr):
            return resolve(lib, v.name)
        if isinstance(v, list):
            return [convert(x) for x in v]
        if isinstance(v, tuple):
            return tuple(convert(x) for x in v)
        return v
    args = tuple(convert(a) for a in example.args)
    return args, {k: convert(v) for k, v in example.kwargs.items()}


def _outputs(lib, result) -> list:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _floating(lib, out) -> bool:
    return is_tensor(lib, out) and out.dtype.is_floating_point


def tangent_inputs(example, seed: int) -> dict:
    """The random tangent (a NumPy array) of every differentiable input, the same for both libraries."""
    arrays = tensor_args(example)
    return {i: _values(seed, TANGENT_SLOT + i, np.shape(arrays[i].array), np.asarray(arrays[i].array).dtype)
            for i in differentiable_args(example)}


def _values(seed: int, slot: int, shape: tuple, dtype) -> np.ndarray:
    """``paired.random_grad``'s values as a NumPy array of ``dtype``."""
    return _grad_values(seed, slot, tuple(int(n) for n in shape)).astype(dtype)


def observe_forward_ad(record, form, lib, example, seed: int) -> dict:
    """``{"inputs": {input index: tangent}, "outputs": per output its tangent's values (None: it has no
    tangent, Raised: reading it raised)}``, or ``outputs`` the Raised of the whole forward-mode call."""
    fwad = lib.autograd.forward_ad
    arrays = tensor_args(example)
    tangents = tangent_inputs(example, seed)
    outputs: Any
    try:
        with fwad.dual_level():
            duals = {i: fwad.make_dual(lib.tensor(np.array(arrays[i].array, copy=True)), lib.tensor(t.copy()))
                     for i, t in tangents.items()}
            args, kwargs = _arguments(lib, example, duals)
            result, _ = invoke(record, form, lib, args, kwargs)
            outputs = [read(_tangent_values, fwad, o) if is_tensor(lib, o) else None for o in _outputs(lib, result)]
    except Exception as exc:
        outputs = Raised.of(exc)
    return {"inputs": tangents, "outputs": outputs}


def _tangent_values(fwad, out):
    tangent = fwad.unpack_dual(out).tangent
    return None if tangent is None else to_numpy(tangent)


def observe_functional(record, form, lib, example, seed: int) -> dict | None:
    """``{"jacobian": ..., "hessian": ..., "weights": [w_k]}``: each result a tuple of arrays (nested for
    the hessian) or a Raised; absent where it does not apply (too large, no floating output, no second order)."""
    arrays = tensor_args(example)
    wrt = differentiable_args(example)
    size = sum(int(np.size(arrays[i].array)) for i in wrt)
    found = {}

    def op(*xs):
        args, kwargs = _arguments(lib, example, dict(zip(wrt, xs)))
        return [o for o in _outputs(lib, invoke(record, form, lib, args, kwargs)[0]) if _floating(lib, o)]

    inputs = tuple(lib.tensor(np.array(arrays[i].array, copy=True)) for i in wrt)
    try:
        first = op(*inputs)
    except Exception:  # the forward itself raises: the errors check's business
        return None
    if not first:
        return None
    functional = lib.autograd.functional
    if int(first[0].numel()) * size <= JACOBIAN_BUDGET:
        found["jacobian"] = _run(lambda: functional.jacobian(lambda *xs: op(*xs)[0], inputs))
    if record.second_order and size <= HESSIAN_BUDGET:
        found["weights"] = [_values(seed, WEIGHT_SLOT + k, tuple(o.shape), to_numpy(o).dtype)
                            for k, o in enumerate(first)]
        weights = [lib.tensor(w.copy()) for w in found["weights"]]

        def scalar(*xs):
            outs = op(*xs)
            total = (outs[0] * weights[0]).sum()
            for o, w in zip(outs[1:], weights[1:]):
                total = total + (o * w).sum()
            return total
        found["hessian"] = _run(lambda: functional.hessian(scalar, inputs))
    return found or None


def _run(fn):
    try:
        return _arrays(fn())
    except Exception as exc:
        return Raised.of(exc)


def _arrays(value):
    """The nested tuples of tensors ``jacobian``/``hessian`` return, as nested tuples of NumPy arrays."""
    if isinstance(value, (tuple, list)):
        return tuple(_arrays(v) for v in value)
    if hasattr(value, "detach"):
        return to_numpy(value)
    return ("not a tensor", type(value).__name__)


def observe_transforms(record, form, lib, example, seed: int, obs) -> None:
    """Fill ``obs.forward_ad`` and ``obs.functional`` (left None where they do not apply)."""
    if not record.grad or not applies(example):
        return
    if form in (record.forms[0], "inplace"):   # the other spellings reach the same node as the first
        obs.forward_ad = observe_forward_ad(record, form, lib, example, seed)
    if form == record.forms[0]:
        obs.functional = observe_functional(record, form, lib, example, seed)
