"""Tensors meeting NumPy arrays and scalars, in every operator form and both orders, as torch's do: a Tensor
result, or torch's exception, never a silent ndarray that dropped the graph (see paired.py)."""
from __future__ import annotations

import operator

import numpy as np

from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()

BINARY = ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "eq", "ne", "lt", "le", "gt", "ge",
          "and_", "or_", "xor"]
INPLACE = ["iadd", "isub", "imul", "itruediv"]


def _result(value):
    """What a user sees: the type's name, and the values of a tensor or an array."""
    kind = type(value).__name__
    if kind == "Tensor":
        return ("Tensor", str(value.dtype), value.detach().numpy().copy(), value.requires_grad)
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), value.copy())
    return (kind, value)


def _error_class(thunk):
    """The class of what ``thunk`` raises (the wording names keyword arguments NumPy passes)."""
    try:
        return _result(thunk())
    except Exception as exc:  # noqa: BLE001 - the class is what is compared
        return ("raises", type(exc).__name__)


def _operands(t, dtype_name: str, requires_grad: bool):
    x = t.tensor([1.0, 2.0], dtype=getattr(t, dtype_name), requires_grad=requires_grad)
    if dtype_name == "int64":
        x = t.tensor([1, 2])
    return x


@scenario
def tensor_with_ndarray_operators(t, see):
    for dtype_name in ("float32", "float64", "int64"):
        for requires_grad in (False, True):
            if dtype_name == "int64" and requires_grad:
                continue
            x = _operands(t, dtype_name, requires_grad)
            for other in (np.array([3.0, 4.0]), np.array([3, 4]), np.array(2.0), np.array([True, False])):
                for name in BINARY:
                    op = getattr(operator, name)
                    label = f"{dtype_name} rg={requires_grad} {name} {other.dtype}{other.shape}"
                    see.call(label + " tensor first", lambda: _result(op(x, other)))
                    see.call(label + " array first", lambda: _result(op(other, x)))


@scenario
def tensor_with_numpy_scalars(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    for scalar in (np.float64(2.0), np.float32(2.0), np.int64(2), np.int32(3), np.bool_(True)):
        for name in ("add", "sub", "mul", "truediv", "pow"):
            op = getattr(operator, name)
            label = f"{name} {type(scalar).__name__}"
            see.call(label + " tensor first", lambda: _result(op(x, scalar)))
            see.call(label + " scalar first", lambda: _result(op(scalar, x)))


@scenario
def inplace_operators_with_ndarrays(t, see):
    for name in INPLACE:
        op = getattr(operator, name)
        x = t.tensor([1.0, 2.0])
        see.call(f"tensor {name} array", lambda: _result(op(x, np.array([3.0, 4.0]))))
        see("tensor afterwards", x)
        a = np.array([3.0, 4.0])
        see.call(f"array {name} tensor", lambda: _result(op(a, t.tensor([1.0, 2.0]))))
        see("array afterwards", a.copy())


@scenario
def numpy_functions_on_tensors(t, see):
    x = t.tensor([1.0, 2.0])
    xg = t.tensor([1.0, 2.0], requires_grad=True)
    see.call("np.asarray", lambda: _result(np.asarray(x)))
    see.call("np.asarray of a tensor requiring grad", lambda: _result(np.asarray(xg)))
    see.call("np.array dtype", lambda: _result(np.array(x, dtype=np.float64)))
    see.call("np.exp", lambda: _result(np.exp(x)))
    see.call("np.exp of a tensor requiring grad", lambda: _result(np.exp(xg)))
    see.call("np.add", lambda: _result(np.add(x, x)))
    see.call("np.add with an array", lambda: _result(np.add(np.ones(2), x)))
    see.call("np.sum (its error class)", lambda: _error_class(lambda: np.sum(x)))
    see.call("np.mean (its error class)", lambda: _error_class(lambda: np.mean(x)))
    see.call("np.concatenate", lambda: _result(np.concatenate([x, x])))


@scenario
def copies_and_sharing(t, see):
    a = np.array([1.0, 2.0])
    copied = t.tensor(a)
    shared = t.from_numpy(a)
    as_tensor = t.as_tensor(a)
    a[0] = 9.0
    see("tensor(ndarray) copies", copied)
    see("from_numpy shares", shared)
    see("as_tensor shares", as_tensor)
    shared.add_(1)
    see("the array sees writes through from_numpy", a.copy())
    see("numpy() shares", (lambda n: (n.__setitem__(1, 5.0), shared)[1])(shared.numpy()))
