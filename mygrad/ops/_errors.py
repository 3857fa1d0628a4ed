"""torch's messages for bad arguments, so that a wrong call fails as it does in torch (same class,
same text): a non-tensor where a tensor is required, arguments that fit none of an op's overloads,
and a dtype a kernel has no implementation for."""
from __future__ import annotations

import functools
import inspect
import math
import types

import numpy as np

from .. import _dtype
from .._argument_types import _WRAPPER_CODE, parser_error, past_checks, python_type_name  # noqa: F401  (past_checks: re-exported)
from .._tensor import Tensor
from .._tensor_str import scalar_type_name


def check_tensor_list(values, argument: int = 0) -> None:
    """torch's parser check of a TensorList argument (``argument``: its position): every element a tensor."""
    for i, value in enumerate(values):
        if not isinstance(value, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument {argument}, but got {python_type_name(value)}")


def not_tensor(name: str, value, argument: str = "input", position: int = 1) -> TypeError:
    return parser_error(f"{name}(): argument '{argument}' (position {position}) must be Tensor, "
                        f"not {python_type_name(value)}")


# torch functions whose first argument may also be a Python number (an overload such as pow(Scalar, Tensor)).
NUMBER_FIRST = frozenset({"xlogy", "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
                          "pow", "floor_divide", "remainder", "bucketize", "float_power", "bitwise_and",
                          "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "xlog1py"})

# those whose parser takes a number for every tensor (add(2, 3) is tensor(5)); the others want a tensor after it
NUMBERS_AS_TENSORS = frozenset({"add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
                                "floor_divide"})
# torch functions written in Python, whose bad argument fails in whatever their code does first
# (an AttributeError, as mygrad's own code does); by their label (torch.linalg.norm is C++'s linalg_norm).
PYTHON_IN_TORCH = frozenset({"norm", "split", "tensordot", "unravel_index"})
_NUMBERS = (bool, int, float, complex)
_NOT_OPS = ("mygrad.ops.removed_linalg",   # (torch's removed functions raise a RuntimeError, whatever they get)
            "mygrad.serialization", "mygrad._tensor_str", "mygrad.autograd", "mygrad.utils", "mygrad._dtype",
            "mygrad._device", "mygrad.cuda", "mygrad._runtime")


def _not_a_tensor(name: str, exc: AttributeError, parameters: list, varargs: int | None, args: tuple, kwargs: dict,
                  offset: int = 0):
    """torch's TypeError for the argument the op read a tensor attribute from (``exc.obj``) when that
    argument is not a tensor (None when it is none of the call's arguments: a bug of the op itself)."""
    obj = getattr(exc, "obj", None)
    if obj is None and "'NoneType'" not in str(exc) or isinstance(obj, Tensor):
        return None
    for i, value in enumerate(args):
        if varargs is not None and i >= varargs:
            if value is obj and offset:   # a method taking *args: their names are the op's
                return not_tensor(name, obj, "other", i + 1 - offset)
            if value is obj:
                return TypeError(f"expected Tensor as element {i - varargs} in argument {varargs}, "
                                 f"but got {python_type_name(obj)}")
            continue
        if value is obj:
            return not_tensor(name, obj, parameters[i] if i < len(parameters) else "input", i + 1 - offset)
        if type(value) in (list, tuple):
            for k, item in enumerate(value):
                if item is obj:
                    return TypeError(f"expected Tensor as element {k} in argument {i}, but got {python_type_name(obj)}")
    for key, value in kwargs.items():
        if value is obj:
            return TypeError(f"{name}(): argument '{key}' must be Tensor, not {python_type_name(obj)}")
    return None


# The annotations a failed call's arguments are checked against, and the type each names in torch's message.
_ANNOTATED = {"bool": ((bool,), "bool"), "int": ((int,), "int"), "float": ((int, float), "float"),
              "str": ((str,), "str")}


def _declared(fn) -> dict:
    """parameter -> (accepted types, torch's name of the type), from annotations such as ``int | None``."""
    found = {}
    for key, annotation in getattr(fn, "__annotations__", {}).items():
        parts = [p.strip() for p in str(annotation).split("|")]
        kinds = [p for p in parts if p != "None"]
        if key == "return" or len(kinds) != 1 or kinds[0] not in _ANNOTATED:
            continue
        accepted, spelled = _ANNOTATED[kinds[0]]
        found[key] = (accepted + ((type(None),) if "None" in parts else ()), spelled)
    return found


# What a parameter annotated ``bool``/``int``/``float`` never takes in torch (its parser refuses them up front,
# where mygrad's NumPy code would take a list or a str for a number): checked before every call.
_NEVER = {"bool": (str, list, tuple, dict, float, complex), "int": (str, list, tuple, dict, float, complex),
          "float": (str, list, tuple, dict, complex)}


def _refused(fn, offset: int) -> tuple[tuple, dict]:
    """The up-front checks: ((index, parameter, refused types, torch's type name), ...) by position, and the
    same by keyword, from annotations such as ``keepdim: bool`` (``offset``: 1 for a method's ``self``)."""
    signature = inspect.signature(fn).parameters
    by_position, by_name = [], {}
    for index, (key, parameter) in enumerate(signature.items()):
        parts = [p.strip() for p in str(parameter.annotation).split("|")]
        kinds = [p for p in parts if p != "None"]
        if len(kinds) != 1 or kinds[0] not in _NEVER:
            continue
        refused = frozenset(_NEVER[kinds[0]] + (() if "None" in parts or parameter.default is None else (type(None),)))
        entry = (index, key, refused, kinds[0])
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            by_position.append(entry)
        if parameter.kind != parameter.POSITIONAL_ONLY:
            by_name[key] = entry
    return tuple(by_position), by_name


# Unannotated parameters of torch's overloads taking a tensor or a number ("Tensor or Number"), or only a
# tensor ("Tensor"), by op name: what NumPy code would take instead (a list, an ndarray, a str) is refused up
# front, as torch's parser refuses it, where the op would return a result.
OVERLOADED = {
    "clamp": {"min": "Tensor or Number", "max": "Tensor or Number"}, "clamp_min": {"min": "Tensor or Number"},
    "clamp_max": {"max": "Tensor or Number"}, "masked_fill": {"value": "Tensor or Number"},
    "fill": {"value": "Tensor or Number"}, "index_fill": {"value": "Tensor or Number"},
    "where": {"input": "Tensor or Number", "other": "Tensor or Number"},
    "scatter": {"src": "Tensor or Number", "value": "Tensor or Number"},
    "isin": {"elements": "Tensor or Number", "test_elements": "Tensor or Number"},
    "trapezoid": {"x": "Tensor"}, "trapz": {"x": "Tensor"}, "cumulative_trapezoid": {"x": "Tensor"},
    "searchsorted": {"input": "Tensor or Number"}, "type_as": {"other": "Tensor"}, "ldexp": {"other": "Tensor"},
}
_NOT_NUMBERS = (str, list, tuple, dict, np.ndarray)
_OVERLOAD_REFUSED = {"Tensor or Number": frozenset(_NOT_NUMBERS),
                     "Tensor": frozenset(_NOT_NUMBERS + _NUMBERS + (type(None),))}


def _overloaded(fn, name: str) -> tuple[tuple, dict]:
    """``_refused``'s entries for ``OVERLOADED``'s parameters of ``fn``."""
    by_position, by_name = [], {}
    for index, (key, parameter) in enumerate(inspect.signature(fn).parameters.items()):
        spelled = OVERLOADED.get(name, {}).get(key)
        if spelled is None:
            continue
        refused = _OVERLOAD_REFUSED[spelled]
        if key in ("x", "elements") or parameter.default is not None:   # (None: a missing argument's default)
            refused = refused | {type(None)}
        entry = (index, key, refused, spelled)
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            by_position.append(entry)
        if parameter.kind != parameter.POSITIONAL_ONLY:
            by_name[key] = entry
    return tuple(by_position), by_name


def _refuse(name: str, key: str, position: int | None, value, spelled: str) -> TypeError:
    where = f" (position {position})" if position is not None else ""
    return TypeError(f"{name}(): argument '{key}'{where} must be {spelled}, not {python_type_name(value)}")


def _misfit(name: str, signature, declared: dict, args: tuple, kwargs: dict, offset: int = 0):
    """torch's TypeError for the first argument of a failed call whose type its parameter does not take."""
    try:
        bound = signature.bind(*args, **kwargs).arguments
    except TypeError:
        return None
    for position, (key, value) in enumerate(bound.items(), start=1 - offset):
        if key == "reduction":   # (torch's losses check its value, not its type: a ValueError of the op's own)
            continue
        if key in declared and not isinstance(value, declared[key][0]):
            where = f" (position {position})" if position <= len(args) - offset else ""
            spelled = TORCH_NAMES.get(name, {}).get(key, key)
            return TypeError(f"{name}(): argument '{spelled}'{where} must be {declared[key][1]}, "
                             f"not {python_type_name(value)}")
    return None


_MISSING = object()


def may_warn(fn, depth: int = 4) -> bool:
    """Whether ``fn`` (or a function of its module it calls, ``depth`` calls deep) may warn.  Such functions
    are left unwrapped: their warnings name the user's line through ``stacklevel``, which a wrapper's frame
    would shift into mygrad; code whose warnings count their stacklevel with ``past_checks`` is safe."""
    seen: set = set()

    def reads(code, namespace, level) -> bool:
        if id(code) in seen:
            return False
        seen.add(id(code))
        names = set(code.co_names) | set(code.co_varnames)
        if names & {"warn", "warnings", "stacklevel"} and "past_checks" not in names:
            return True
        for const in code.co_consts:
            if isinstance(const, types.CodeType) and reads(const, namespace, level):
                return True
        if level <= 0:
            return False
        for name in code.co_names:
            target = namespace.get(name)
            target = getattr(target, "__wrapped__", target)
            if isinstance(target, types.FunctionType) and target.__module__.startswith("mygrad") \
                    and reads(target.__code__, target.__globals__, level - 1):
                return True
        return False
    fn = getattr(fn, "__wrapped__", fn)
    return reads(fn.__code__, fn.__globals__, depth)


# torch's name of an argument where mygrad's parameter is named otherwise (by the label of torch's message):
# ``linalg_cond(): argument 'input'`` for mygrad's ``cond(A)``.
TORCH_NAMES = {
    "det": {"A": "input"}, "matrix_exp": {"A": "input"}, "matrix_power": {"A": "input"},
    "linalg_cond": {"A": "input"}, "linalg_tensorinv": {"A": "input"},
    "linalg_ldl_factor_ex": {"A": "input"}, "linalg_ldl_factor": {"A": "input"},
    "linalg_lstsq": {"A": "input", "B": "b"}, "linalg_tensorsolve": {"A": "input", "B": "other"},
    "one_hot": {"tensor": "input"}, "orgqr": {"tau": "input2"}, "swapaxes": {"dim0": "axis0", "dim1": "axis1"},
    "swapaxes_": {"dim0": "axis0", "dim1": "axis1"},
    "embedding": {"input": "indices"}, "lu": {"A": "input"}, "lu_solve": {"b": "input"},
    "randint": {"low": "high"},   # (randint(high, size): torch's two-argument overload)
    "dropout": {"training": "train"}, "alpha_dropout": {"training": "train"},
    "feature_alpha_dropout": {"training": "train"},
}


# torch functions written in Python that read an attribute of a tensor argument before anything checks its
# type: a non-tensor there fails as that read does (an AttributeError, or for an ndarray, whose ``size`` is an
# int, "'int' object is not callable"), by the label and parameter; only when the named argument is true
# (training; a nonzero padding_idx).
_SIZE_READ = {"input": "size()", "target": "size()"}
TORCH_READS = {
    "mse_loss": {**_SIZE_READ, "weight": "size()"}, "huber_loss": {**_SIZE_READ, "weight": "size()"},
    "l1_loss": {**_SIZE_READ, "weight": "size()"}, "smooth_l1_loss": _SIZE_READ,
    "binary_cross_entropy": {**_SIZE_READ, "weight": "size()"}, "binary_cross_entropy_with_logits": _SIZE_READ,
    "local_response_norm": {"input": "dim()"}, "embedding": {"weight": "size()"}, "embedding_bag": {"input": "size()"},
    "margin_ranking_loss": {"input1": "dim()", "input2": "dim()", "target": "dim()"},
    "batch_norm": {"input": "size()"}, "max_unpool2d": {"input": "size()"},
}
_READ_ONLY_WHEN = {"batch_norm": "training", "embedding": "padding_idx"}


def _torch_read(label: str, key: str, value, bound: dict):
    """The exception torch's Python code raises reading ``TORCH_READS``'s attribute of ``value`` (or None)."""
    read = TORCH_READS.get(label, {}).get(key)
    if read is None or label in _READ_ONLY_WHEN and not bound.get(_READ_ONLY_WHEN[label]):
        return None
    try:
        attribute = getattr(value, read.rstrip("()"))
        if read.endswith("()"):
            attribute()
    except Exception as exc:   # noqa: BLE001 - whatever the read raises is what torch raises
        return exc
    return None


def _tensor_parameters(signature) -> tuple:
    """(parameter, whether None is taken) of the parameters annotated ``Tensor`` or ``Tensor | None``: those
    torch's parser takes a tensor only for."""
    found = []
    for key, parameter in signature.parameters.items():
        parts = [p.strip() for p in str(parameter.annotation).split("|")]
        if [p for p in parts if p != "None"] == ["Tensor"] and parameter.kind not in (parameter.VAR_POSITIONAL,
                                                                                      parameter.VAR_KEYWORD):
            found.append((key, "None" in parts))
    return tuple(found)


def _wrong_tensor(label: str, signature, tensors: tuple, args: tuple, kwargs: dict, offset: int,
                  reads: bool = False):
    """torch's TypeError for the first Tensor parameter of a failed call given something else (None where
    the parameter takes None is fine), named as torch names it."""
    try:
        bound = signature.bind(*args, **kwargs).arguments
    except TypeError:
        return None
    names = TORCH_NAMES.get(label.rstrip("_"), {})
    positions = list(bound)
    for key, optional in tensors:
        value = bound.get(key, _MISSING)
        if value is _MISSING or isinstance(value, Tensor) or optional and value is None:
            continue
        read = _torch_read(label, key, value, bound) if reads else None
        if read is not None:
            return read
        index = positions.index(key)
        if index < len(args):
            return not_tensor(label, value, names.get(key, key), index + 1 - offset)
        return TypeError(f"{label}(): argument '{names.get(key, key)}' must be Tensor, not {python_type_name(value)}")
    return None


def _not_tensor_first(fn, label: str, argument: str, value, numbers: tuple, args: tuple, kwargs: dict):
    """A first argument that is not a tensor: the op's own TypeError where it lists torch's overloads
    (``pow(2, x)`` is one), its result where torch takes a number there, else torch's "must be Tensor"."""
    number = bool(numbers) and isinstance(value, numbers)
    # (torch's Number-first overloads take a tensor after it: numbers alone fit none, whatever their kernel)
    alone = number and label not in NUMBERS_AS_TENSORS and \
        not any(isinstance(a, Tensor) for a in (*args[1:], *kwargs.values()))
    try:
        result = fn(*args, **kwargs)
    except TypeError as exc:
        if "invalid combination of arguments" in str(exc) or number and not alone:
            raise
        raise (invalid_arguments(label, args, ()) if alone else not_tensor(label, value, argument)) from None
    except NotImplementedError:   # (a number torch takes there, meeting a dtype its kernel lacks: that error)
        if alone:
            raise invalid_arguments(label, args, ()) from None
        if numbers and isinstance(value, numbers):
            raise
        raise not_tensor(label, value, argument) from None
    except Exception:
        if alone:
            raise invalid_arguments(label, args, ()) from None
        if number:   # (torch takes the number, and its kernel fails as the op's own does)
            raise
        raise not_tensor(label, value, argument) from None
    if alone:
        raise invalid_arguments(label, args, ())
    if number:
        return result
    raise not_tensor(label, value, argument)


def tensor_arguments(fn, name: str, prefix: str = "", argument: str | None = None, first: bool = True,
                     method: bool = False, python: bool = False):
    """``fn`` refusing arguments that are not tensors where it needs tensors, as torch's argument parser does,
    with its messages (``sin(): argument 'input' (position 1) must be Tensor, not str``) instead of whatever
    the NumPy code would fail with (or, worse, accept: a list, an ndarray).  ``first``: the first argument
    (``argument``) is checked before the call; any argument is named when the op fails reading a tensor's
    attribute from it, and any argument whose annotated type (``bool``, ``int``, ``float``, ``str``) it does
    not have when the call failed.  ``method``: a Tensor method (torch counts positions after ``self``);
    ``python``: torch's function is Python code that reads a tensor attribute first (``TORCH_READS``)."""
    spec = getattr(fn, "__op__", fn)   # (an in-place method's parameters are its out-of-place op's)
    signature = inspect.signature(spec)
    declared = _declared(spec)
    parameters = [p.name for p in signature.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    varargs = next((i for i, p in enumerate(signature.parameters.values()) if p.kind == p.VAR_POSITIONAL), None)
    argument = argument or (parameters[0] if parameters else "input")
    label = prefix + name
    argument = TORCH_NAMES.get(label, {}).get(argument, argument)
    tensors = _tensor_parameters(signature)
    reads = python and label in TORCH_READS
    # the positional Tensor parameters past the first, checked before the call: NumPy code would take a list,
    # an ndarray or a number there and return a result where torch's parser refuses
    later = tuple((i, optional) for i, p in enumerate(parameters) if i > 0 for key, optional in tensors if key == p)
    numbers = _NUMBERS if name in NUMBER_FIRST else ()

    by_position, by_name = _refused(spec, int(method))
    if name.rstrip("_") in OVERLOADED:
        more_by_position, more_by_name = _overloaded(spec, name.rstrip("_"))
        by_position = tuple(sorted(by_position + more_by_position))
        by_name = {**by_name, **more_by_name}
    names = TORCH_NAMES.get(label)
    if names:   # (the messages name torch's argument)
        by_position = tuple((i, names.get(k, k), r, t) for i, k, r, t in by_position)
        by_name = {key: (i, names.get(k, k), r, t) for key, (i, k, r, t) in by_name.items()}
    offset = 1 - int(method)
    takes_dtype = "dtype" in signature.parameters

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        if takes_dtype and kwargs and type(kwargs.get("dtype")) is type:   # (dtype=float is torch's float64)
            kwargs["dtype"] = _dtype.as_dtype(kwargs["dtype"])
        for index, key, refused, spelled in by_position:
            if index >= len(args):
                break
            if type(args[index]) in refused:   # (exact types: isinstance against a tuple costs a microsecond here)
                raise _refuse(label, key, index + offset, args[index], spelled)
        if kwargs and by_name:
            for key, value in kwargs.items():
                entry = by_name.get(key)
                if entry is not None and type(value) in entry[2]:
                    raise _refuse(label, entry[1], None, value, entry[3])   # (torch's name)
        for index, optional in later:
            if index >= len(args):
                break
            value = args[index]
            if not isinstance(value, Tensor) and (value is not None or not optional):
                raise _wrong_tensor(label, signature, tensors, args, kwargs, int(method), reads) \
                    or not_tensor(label, value)
        if first:
            value = args[0] if args else kwargs.get(argument, _MISSING)
            if value is not _MISSING and not isinstance(value, Tensor):
                if reads:
                    error = _wrong_tensor(label, signature, tensors, args, kwargs, int(method), reads)
                    if error is not None:
                        raise error
                return _not_tensor_first(fn, label, argument, value, numbers, args, kwargs)
        try:
            return fn(*args, **kwargs)
        except Exception as exc:   # a failed call: name the argument of a wrong type, as torch's parser does
            if getattr(exc, "from_parser", False):   # (named already, as torch's parser names it)
                raise
            error = _wrong_tensor(label, signature, tensors, args, kwargs, int(method), reads) if tensors else None
            if error is None and declared:
                error = _misfit(label, signature, declared, args, kwargs, int(method))
            if error is None and isinstance(exc, AttributeError):
                error = _not_a_tensor(label, exc, parameters, varargs, args, kwargs, int(method))
            if error is None:
                raise
            raise error from None
    _WRAPPER_CODE.add(checked.__code__)  # type: ignore[attr-defined]
    checked.__tensor_arguments__ = True  # type: ignore[attr-defined]
    return checked


def check_tensor_inputs(namespace: dict, names, prefix: str = "", arguments: tuple = ("input",),
                        spelled: dict | None = None, unchecked=(), python: bool = False) -> None:
    """Rebind every function of ``names`` in ``namespace`` (a public module's globals) to its
    ``tensor_arguments`` form: the one place a torch namespace's functions check their tensor arguments.
    The first argument is checked up front where the first parameter is named one of ``arguments``
    (``spelled``: the argument's name in torch's message where it is not the parameter's, as in
    ``linalg.cholesky(A)``'s ``argument 'input'``); ``unchecked``: functions left as they are (torch's own
    are Python code there, failing in whatever their code does first); ``python``: the namespace's functions
    are Python in torch, failing as their first read of a non-tensor does where ``TORCH_READS`` says so."""
    for name in names:
        fn = namespace.get(name)
        if not isinstance(fn, types.FunctionType) or getattr(fn, "__tensor_arguments__", False) \
                or prefix + name in PYTHON_IN_TORCH or name in unchecked or name.startswith("_") \
                or fn.__module__.startswith(_NOT_OPS) or may_warn(fn):
            continue
        try:
            first = next(iter(inspect.signature(fn).parameters), None)
        except (TypeError, ValueError):
            continue
        namespace[name] = tensor_arguments(fn, name, prefix, (spelled or {}).get(name), first in arguments,
                                           python=python)


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
    return parser_error(f"{name}() received an invalid combination of arguments - got ({got}), but expected one "
                        f"of:\n{listed}")


def refuse_gradient_into(data: np.ndarray, value) -> None:
    """torch's refusal to record an output of a non-floating dtype from a tensor ``value`` that requires grad
    (an int tensor filled with a float tensor that does: ``fill``, ``masked_fill``, ``index_fill``)."""
    from ..autograd import grad_mode
    if data.dtype.kind not in "fc" and isinstance(value, Tensor) and value._requires_grad \
            and grad_mode._state.enabled:
        raise not_differentiable(data)


def fill_value(value, dtype: np.dtype) -> np.ndarray:
    """A fill value (a number, or a 0-d tensor's array) in ``dtype``, refused where torch's checked conversion
    overflows (``check_scalar_fits``)."""
    v = value.item() if isinstance(value, np.ndarray) else value
    check_scalar_fits(v, dtype)
    return np.asarray(v).astype(dtype)


def not_differentiable(data: np.ndarray) -> RuntimeError:
    """torch's refusal to record a gradient for an output of an integer or bool dtype (an op writing a tensor
    that requires grad into an integer one: select_scatter, as_strided_scatter)."""
    return RuntimeError(f"Autograd not support dtype: {scalar_type_name(_dtype.from_numpy_dtype(data.dtype))}")


# torch's C names of the types a Python number is converted to (``c10::checked_convert``'s messages)
_CONVERTED = {"int64": "int64_t", "int32": "int", "int16": "int16_t", "int8": "int8_t", "uint8": "uint8_t",
              "float16": "c10::Half", "float32": "float"}


def check_scalar_fits(value, dtype: np.dtype) -> None:
    """torch's checked conversion of a Python number into a tensor's dtype (``masked_fill(x, mask, -inf)`` on an
    integer ``x``): NaN, an infinity or a number out of an integer type's range (an unsigned one takes negatives
    down to -max, as torch's), and a finite number past a float type's range, raise where NumPy would cast."""
    name = _CONVERTED.get(dtype.name)
    if name is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if dtype.kind == "f":
        bad = math.isfinite(value) and abs(value) > float(np.finfo(dtype).max)
    else:
        info = np.iinfo(dtype)
        bad = not math.isfinite(value) or value < (-info.max if dtype.kind == "u" else info.min) or value > info.max
    if bad:
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")


def not_implemented(kernel: str, data: np.ndarray) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}" not implemented for '
                               f"'{scalar_type_name(_dtype.from_numpy_dtype(np.asarray(data).dtype))}'")
