"""Error inputs, derived: bad arguments made from a record's drawn example, run in both libraries.

As OpInfo's ``error_inputs`` do for torch's own tests, but without a list per op: from every drawn
``Example`` the harness derives corrupted calls (``derive``), one argument changed at a time:

  a tensor argument   -> a str, None, a list of its values, a NumPy array of them, a Python number,
                         an integer or a bool tensor of it (where torch wants a floating one), an empty
                         or a 0-d tensor, and (past the first tensor) one whose last dim does not match;
  an int argument     -> out of range both ways (a dim past the rank, a negative size), a float, a str;
  a float / bool / str / None / dtype argument -> a value of a wrong type (or an unknown option);
  a list or tuple     -> one element replaced by a value of a wrong type, or by a negative int.

A record adds its own with ``Record(error_inputs=fn)``: ``fn(example) -> [(label, Example), ...]``.

Each example runs ``PER_EXAMPLE`` of them (chosen from its seed, so both libraries and a replay run the
same ones; over a case's examples every kind comes up), forward only, each on fresh inputs.  The
``error_inputs`` check (checks.py) then wants both libraries to raise the same exception class, with
torch's wording where torch's message is stable (``STABLE_MESSAGES``), or both to succeed with the same
results (torch accepting a NumPy array or a list where the library must too).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .registry import Example, LibAttr, Record, TensorArg

PER_EXAMPLE = 3   # corrupted calls per drawn example (the ci profile's 25 examples reach every kind)

# torch's messages whose wording is part of its API (they name the argument and the types): where
# torch's message matches, the library's must match with the same groups.  An argument's position is not
# compared: torch counts it differently in the function and the method spelling of one op.
STABLE_MESSAGES = (
    re.compile(r"argument '(\w+)' (?:\(position \d+\) )?must be ([\w ]+?), not ([\w.]+)"),
    re.compile(r"Dimension out of range \(expected to be in range of \[(-?\d+), (-?\d+)\], but got (-?\d+)\)"),
    re.compile(r"expected Tensor as element (\d+) in argument (\d+), but got ([\w.]+)"),
)

DIM_NAMES = ("dim", "dims", "dim0", "dim1", "axis", "start_dim", "end_dim", "source", "destination")


@dataclass(frozen=True)
class NumpyValue:
    """A NumPy array passed as an argument as is (not made into a tensor); written ``np.array(...)``."""
    array: Any

    def __repr__(self) -> str:
        return f"np.array({np.asarray(self.array).tolist()!r}, dtype=np.{np.asarray(self.array).dtype.name})"


@dataclass(frozen=True)
class BadCall:
    """One corrupted call: what was changed (the report's words) and the example to run."""
    label: str
    example: Example


def _floating(array) -> bool:
    return np.asarray(array).dtype.kind == "f"


def _tensor_variants(arg: TensorArg, later: bool) -> list[tuple[str, Any]]:
    """Bad stand-ins for one tensor argument (``later``: not the first tensor, so a shape mismatch applies)."""
    array = np.asarray(arg.array)
    first = array.reshape(-1)[0].item() if array.size else 1.5
    found: list[tuple[str, Any]] = [
        ("a str", "abc"), ("None", None), ("a list of its values", array.tolist() if array.ndim else [first]),
        ("a NumPy array of it", NumpyValue(array.copy())), ("a Python number", first),
        ("an empty tensor", TensorArg(np.zeros((0,), array.dtype), arg.requires_grad)),
    ]
    if _floating(array):
        with np.errstate(all="ignore"):   # (the library under test runs under errstate "raise")
            ints = np.trunc(np.clip(np.nan_to_num(array), -100, 100)).astype(np.int64)
        found += [("an int64 tensor of it", TensorArg(ints, False)),
                  ("a bool tensor of it", TensorArg(array != 0, False))]
    else:
        found.append(("a float32 tensor of it", TensorArg(array.astype(np.float32), arg.requires_grad)))
    if array.ndim:
        found.append(("a 0-d tensor", TensorArg(np.asarray(array.reshape(-1)[0] if array.size else
                                                           np.zeros((), array.dtype)), arg.requires_grad)))
        if later:
            shape = array.shape[:-1] + (array.shape[-1] + 2,)
            found.append(("a tensor whose last dim does not match", TensorArg(
                np.resize(array, shape) if array.size else np.ones(shape, array.dtype), arg.requires_grad)))
    return found


def _int_variants(value: int, name: str | None) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [("a float", value + 0.5), ("a str", "abc")]
    if name in DIM_NAMES or name is None:
        found += [("out of range (too large)", abs(value) + 7), ("out of range (negative)", -abs(value) - 7)]
    else:
        found.append(("negative", -abs(value) - 7))
    return found


def _variants(value, name: str | None, later: bool) -> list[tuple[str, Any]]:
    """Bad stand-ins for one argument (a positional one has no ``name``)."""
    if isinstance(value, TensorArg):
        return _tensor_variants(value, later)
    if isinstance(value, bool):
        return [("a str", "abc"), ("a list", [value])]
    if isinstance(value, int):
        return _int_variants(value, name)
    if isinstance(value, float):
        return [("a str", "abc"), ("a list", [value])]
    if isinstance(value, str):
        return [("an unknown option", value + "_unknown"), ("an int", 3)]
    if isinstance(value, LibAttr):
        return [("a str", value.name)]
    if value is None:
        return [("a str", "abc")]
    if isinstance(value, (list, tuple)) and value:
        kind = type(value)
        found = [(f"with element 0 as {label}", kind([bad] + list(value[1:])))
                 for label, bad in (("a str", "abc"), ("None", None), ("a float", 1.5))]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            found.append(("with element 0 negative", kind([-abs(value[0]) - 7] + list(value[1:]))))
        return found
    return []


def _corruptible(form: str, example: Example) -> list[tuple[Any, int | str, bool]]:
    """(value, position or keyword, whether only tensors may replace it) of the arguments a bad value may
    replace in this call form: the tensor a method or in-place call is made on stays a tensor (a str has
    no ``.sum``: it gets other dtypes and shapes), and the reflected operator's Python scalar stays."""
    called_on = form in ("method", "inplace", "roperator")
    found: list[tuple[Any, int | str, bool]] = [(v, i, called_on and i == 0) for i, v in enumerate(example.args)
                                                if not (form == "roperator" and i == 1)]
    if form not in ("operator", "roperator"):
        found += [(v, k, False) for k, v in example.kwargs.items()]
    return found


def _replace(example: Example, where: int | str, value) -> Example:
    if isinstance(where, int):
        args = example.args[:where] + (value,) + example.args[where + 1:]
        return Example(args, dict(example.kwargs))
    return Example(example.args, {**example.kwargs, where: value})


def derive(record: Record, form: str, example: Example) -> list[BadCall]:
    """Every corrupted call derived from ``example`` for the call form, then the record's own."""
    calls = []
    seen_tensor = False
    kept_off = {name.removeprefix("error_inputs: ") for name, _ in record.unchecked
                if name.startswith("error_inputs: ")}
    for value, where, tensors_only in _corruptible(form, example):
        name = where if isinstance(where, str) else None
        place = f"argument {where}" if isinstance(where, int) else f"{where}="
        for label, bad in _variants(value, name, seen_tensor):
            if tensors_only and not isinstance(bad, TensorArg):
                continue
            call = _replace(example, where, bad)
            if form in ("operator", "roperator") and not any(isinstance(a, TensorArg) for a in call.args):
                continue   # (an operator between no tensors is NumPy's or Python's, not the library's)
            if f"{place} as {label}" not in kept_off:   # (torch crashes on it, or answers at random)
                calls.append(BadCall(f"{place} as {label}", call))
        seen_tensor = seen_tensor or isinstance(value, TensorArg)
    if record.error_inputs is not None:
        calls += [BadCall(label, bad) for label, bad in record.error_inputs(example)]
    return calls


def chosen(record: Record, form: str, example: Example, seed: int) -> list[BadCall]:
    """The ``PER_EXAMPLE`` corrupted calls this example runs (all of a record's own), from its seed."""
    derived = derive(record, form, example)
    own = len(derived) - (len(record.error_inputs(example)) if record.error_inputs is not None else 0)
    picked = random.Random(seed).sample(range(own), min(PER_EXAMPLE, own)) if own else []
    return [derived[i] for i in sorted(picked)] + derived[own:]


def message_diff(expected: str, actual: str) -> str | None:
    """None when ``actual`` says what torch's stable message ``expected`` says (or it is not stable)."""
    for pattern in STABLE_MESSAGES:
        want = pattern.search(expected)
        if want is None:
            continue
        got = pattern.search(actual)
        if got is None or got.groups() != want.groups():
            return f"message: torch {want.group(0)!r}, mygrad {actual[:160]!r}"
    return None
