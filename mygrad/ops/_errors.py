"""torch's messages for bad arguments, so that a wrong call fails as it does in torch (same class,
same text): a non-tensor where a tensor is required, arguments that fit none of an op's overloads,
and a dtype a kernel has no implementation for."""
from __future__ import annotations

import functools
import inspect
import types

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from .._tensor_str import scalar_type_name


def python_type_name(value) -> str:
    """A value's type as torch's messages name it: builtins bare (``str``, ``NoneType``), others with their
    module (``numpy.ndarray``)."""
    cls = type(value)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def not_tensor(name: str, value, argument: str = "input", position: int = 1) -> TypeError:
    return TypeError(f"{name}(): argument '{argument}' (position {position}) must be Tensor, "
                     f"not {python_type_name(value)}")


# torch functions whose first argument may also be a Python number (an overload such as pow(Scalar, Tensor)).
NUMBER_FIRST = frozenset({"xlogy", "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
                          "pow", "floor_divide", "remainder", "bucketize", "float_power"})
# torch functions written in Python, whose bad first argument fails in whatever their code does first.
PYTHON_IN_TORCH = frozenset({"norm"})
_NUMBERS = (bool, int, float, complex)


def tensor_input(fn, name: str, prefix: str = "", argument: str | None = None):
    """``fn`` refusing a first argument that is not a tensor, as torch's argument parser does, with its
    message (``sin(): argument 'input' (position 1) must be Tensor, not str``) instead of whatever the
    NumPy code would fail with (or, worse, accept: a list, an ndarray)."""
    argument = argument or next(iter(inspect.signature(fn).parameters))
    numbers = _NUMBERS if name in NUMBER_FIRST else ()
    label = prefix + name

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        if args:
            first = args[0]
            if not isinstance(first, Tensor) and not (numbers and isinstance(first, numbers)):
                raise not_tensor(label, first, argument)
        elif argument in kwargs and not isinstance(kwargs[argument], Tensor):
            raise not_tensor(label, kwargs[argument], argument)
        return fn(*args, **kwargs)
    checked.__tensor_input__ = True  # type: ignore[attr-defined]
    return checked


def check_tensor_inputs(namespace: dict, names, prefix: str = "", arguments: tuple = ("input",),
                        spelled: dict | None = None) -> None:
    """Rebind every function of ``names`` in ``namespace`` (a public module's globals) whose first parameter
    is a tensor argument (named one of ``arguments``) to its ``tensor_input`` form: the one place a torch
    namespace's functions check their input's type (``spelled``: the argument's name in torch's message where
    it is not the parameter's, as in ``linalg.cholesky(A)``'s ``argument 'input'``)."""
    for name in names:
        fn = namespace.get(name)
        if not isinstance(fn, types.FunctionType) or getattr(fn, "__tensor_input__", False) \
                or name in PYTHON_IN_TORCH:
            continue
        try:
            first = next(iter(inspect.signature(fn).parameters), None)
        except (TypeError, ValueError):
            continue
        if first in arguments:
            namespace[name] = tensor_input(fn, name, prefix, (spelled or {}).get(name))


def _type_name(value) -> str:
    return "Tensor" if isinstance(value, Tensor) else python_type_name(value)


def _fits(parameter: str, value) -> bool:
    """As torch marks them: a tensor fits a Tensor parameter; nothing is marked as fitting a Number."""
    return parameter.startswith("Tensor") and isinstance(value, Tensor)


def _described(value) -> str:
    """A value's type as torch's notes spell it (a list names its items' types)."""
    if type(value) is list:
        return f"list of [{', '.join(_type_name(v) for v in value)}]"
    return _type_name(value)


def _mismatch(signature: str, args: tuple) -> str:
    """torch's note under an overload of the same arity and no keyword-only part: the misfits, marked."""
    parameters = signature.split(", ")
    if "*" in parameters or len(parameters) != len(args):
        return ""
    marked = ", ".join(_type_name(a) if _fits(p, a) else f"!{_described(a)}!" for p, a in zip(parameters, args))
    return f"      didn't match because some of the arguments have invalid types: ({marked})\n"


def invalid_arguments(name: str, args: tuple, overloads: tuple) -> TypeError:
    """For an op with several overloads (``overloads``: their signatures, as torch prints them)."""
    got = ", ".join(_type_name(a) for a in args)
    listed = "".join(f" * ({signature})\n{_mismatch(signature, args)}" for signature in overloads)
    return TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                     f"{listed}")


def not_implemented(kernel: str, data: np.ndarray) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}" not implemented for '
                               f"'{scalar_type_name(_dtype.from_numpy_dtype(np.asarray(data).dtype))}'")
