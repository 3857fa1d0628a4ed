"""torch's schema types for scalar, list and dtype arguments, declared once in a function's annotations and
checked as torch's argument parser checks them, before the op runs: ``alpha: Number`` refuses a list with
``elu(): argument 'alpha' must be Number, not list`` where NumPy would broadcast it (or fail elsewhere).

The aliases below are what a public function writes in its signature for the parameters torch declares as
``Scalar`` (``Number``), ``int[]`` (``IntList``: an int or a sequence of ints) and ``ScalarType``
(``ScalarType``: a dtype); ``bool``, ``int``, ``float`` and ``str`` annotations are checked too (for the
functions ``_errors.tensor_arguments`` does not wrap).  The happy path costs one exact-type lookup per
given argument: the slow checks run only when the value is not of an expected type."""
from __future__ import annotations

import functools
import inspect
import operator
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias, TypeVar, overload

from . import _dtype
from ._tensor import Tensor

Number: TypeAlias = float   # torch's Scalar: a Python number (int and bool too; mypy promotes int to float)
IntList: TypeAlias = int | Sequence[int]   # torch's int[]: "tuple of ints" (a single int is repeated)
ScalarType: TypeAlias = Any   # torch's ScalarType: a dtype ("torch.dtype")

_NUMBERS = (bool, int, float, complex)
# annotation -> (torch's name of the type, the exact types taken without a closer look)
_SCHEMA = {
    "Number": ("Number", frozenset(_NUMBERS)),
    "IntList": ("tuple of ints", frozenset((int,))),
    "IntArray": ("tuple of ints", frozenset()),   # torch's int[] of no fixed size: a bare int is refused too
    "ScalarType": ("torch.dtype", frozenset((_dtype.dtype,))),
    "bool": ("bool", frozenset((bool,))),
    "int": ("int", frozenset((int,))),
    "float": ("float", frozenset((int, float))),
    "str": ("str", frozenset((str,))),
}


def python_type_name(value) -> str:
    """A value's type as torch's messages name it: builtins bare (``str``, ``NoneType``), others with their
    module (``numpy.ndarray``)."""
    cls = type(value)
    if cls.__module__ == "builtins" or isinstance(value, Tensor):   # (torch's own classes bare: Tensor, Parameter)
        return cls.__name__
    return f"{cls.__module__}.{cls.__qualname__}"


# The code of the checking wrappers (``argument_types``'s and ``_errors.tensor_arguments``'s): ``past_checks``
# skips their frames when it counts a warning's stack level.
_WRAPPER_CODE: set = set()


def past_checks(level: int) -> int:
    """The ``stacklevel`` ``level`` for a ``warnings.warn`` of code that a ``tensor_arguments`` wrapper may
    have called: one more per wrapper frame among the frames it counts, so that the warning names the same
    line of the caller whether the op was reached through its checked public form or directly."""
    frame: types.FrameType | None = sys._getframe(1)   # (the frame calling warn: stacklevel 1)
    extra = 0
    for _ in range(level - 1):
        frame = frame.f_back if frame is not None else None
        while frame is not None and frame.f_code in _WRAPPER_CODE:
            extra += 1
            frame = frame.f_back
        if frame is None:
            break
    return level + extra


def parser_error(message: str) -> TypeError:
    """A TypeError as torch's argument parser raises it, marked so that ``_errors.tensor_arguments`` (which
    names a misfit argument when a call fails) passes it on as it is."""
    error = TypeError(message)
    error.from_parser = True  # type: ignore[attr-defined]
    return error


def _is_int(value) -> bool:
    return not isinstance(value, (bool, float)) and hasattr(type(value), "__index__")


def _first_not_int(values) -> int | None:
    """The index of the first element torch's int-list parsing refuses (a bool only in the first place)."""
    for at, v in enumerate(values):
        if not (_is_int(v) or at and isinstance(v, bool)):
            return at
    return None


def int_list_error(name: str, key: str, position: int | None, values) -> TypeError:
    """torch's message for a sequence of sizes with a non-int element: the first element is checked with the
    type, the others when the list is unpacked."""
    at = _first_not_int(values)
    assert at is not None
    where = f" (position {position + 1})" if position is not None else ""
    if at:
        return parser_error(f"{name}(): argument '{key}' failed to unpack the object at pos {at + 1} with error "
                         f"\"type must be tuple of ints,but got {python_type_name(values[at])}\"")
    return parser_error(f"{name}(): argument '{key}'{where} must be tuple of ints, but found element of type "
                     f"{python_type_name(values[0])} at pos 0")


def int_list(name: str, key: str, sizes: tuple) -> tuple:
    """The ints of an int[] given as varargs or as one sequence (``x.reshape(2, 3)``, ``x.reshape((2, 3))``),
    or torch's TypeError naming ``key`` (the decorator cannot check varargs); no cost past the conversion."""
    given = sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    try:
        return tuple(map(operator.index, given))
    except TypeError:
        pass
    if given is sizes and len(sizes) == 1:   # (one value that is not a sequence: its own type)
        raise parser_error(f"{name}(): argument '{key}' must be tuple of ints, not {python_type_name(sizes[0])}")
    raise int_list_error(name, key, None, list(given))


def _fits(kind: str, value) -> bool:
    """The closer look, for a value whose exact type is not one of the kind's plain ones."""
    if kind == "Number":
        return hasattr(type(value), "__float__") or isinstance(value, complex)
    if kind == "IntList":
        if isinstance(value, (list, tuple)):
            return _first_not_int(value) is None
        return _is_int(value)
    if kind == "IntArray":
        return isinstance(value, (list, tuple)) and all(_is_int(v) for v in value)
    if kind == "ScalarType":
        return isinstance(value, _dtype.dtype) or isinstance(value, type) and value in _dtype.PYTHON_TYPES
    if kind == "bool":
        return type(value).__name__ == "bool_"   # (a NumPy bool)
    if kind == "int":
        return _is_int(value)
    if kind == "float":
        return hasattr(type(value), "__float__") and not isinstance(value, complex)
    return isinstance(value, str)


def _declared(fn) -> dict[str, tuple[int | None, str, frozenset, bool]]:
    """parameter -> (position, kind, exact types taken, whether None is taken), from annotations such as
    ``alpha: Number`` or ``dim: int | None``."""
    found = {}
    for index, (key, parameter) in enumerate(inspect.signature(fn).parameters.items()):
        if not isinstance(parameter.annotation, str):
            continue
        parts = [p.strip() for p in parameter.annotation.split("|")]
        kinds = [p for p in parts if p != "None"]
        if len(kinds) != 1 or kinds[0] not in _SCHEMA:
            continue
        optional = "None" in parts or parameter.default is None
        position = index if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD) else None
        found[key] = (position, kinds[0], _SCHEMA[kinds[0]][1], optional)
    return found


def _wrong(name: str, key: str, position: int | None, kind: str, value) -> TypeError:
    if kind in ("IntList", "IntArray") and isinstance(value, (list, tuple)) and position is not None:
        # (a positional list: torch names its first element that is not an int; a keyword one: its own type)
        return int_list_error(name, key, position, value)
    where = f" (position {position + 1})" if position is not None else ""
    return parser_error(f"{name}(): argument '{key}'{where} must be {_SCHEMA[kind][0]}, not {python_type_name(value)}")


_Function = TypeVar("_Function", bound=Callable[..., Any])


@overload
def argument_types(fn: _Function, *, name: str | None = None, **spelled: str) -> _Function: ...
@overload
def argument_types(fn: None = None, *, name: str | None = None,
                   **spelled: str) -> Callable[[_Function], _Function]: ...
def argument_types(fn=None, *, name: str | None = None, **spelled: str):  # noqa: E301  (after its overloads)
    """Decorate a function so its annotated scalar/list/dtype arguments are checked as torch's parser does.
    ``name``: the function's name in torch's message (``feature_dropout``); ``spelled``: a parameter's name in
    torch's message where it differs from mygrad's (``training="train"``)."""
    if fn is None:
        return functools.partial(argument_types, name=name, **spelled)
    declared = _declared(fn)
    by_position = tuple((position, key, kind, plain, optional)
                        for key, (position, kind, plain, optional) in declared.items() if position is not None)
    label = name or fn.__name__

    def refuse(key: str, position: int | None, kind: str, value) -> TypeError:
        return _wrong(label, spelled.get(key, key), position, kind, value)

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        count = len(args)
        for position, key, kind, plain, optional in by_position:
            if position >= count:
                break
            value = args[position]
            if type(value) not in plain and not (value is None and optional) and not _fits(kind, value):
                raise refuse(key, position, kind, value)
        if kwargs:
            for key, value in kwargs.items():
                entry = declared.get(key)
                if entry is not None and type(value) not in entry[2] and not (value is None and entry[3]) \
                        and not _fits(entry[1], value):
                    raise refuse(key, None, entry[1], value)
        return fn(*args, **kwargs)
    _WRAPPER_CODE.add(checked.__code__)  # type: ignore[attr-defined]  # (past_checks counts this frame)
    return checked


def check_argument(name: str, key: str, kind: str, value, optional: bool = False, position: int | None = None) -> None:
    """The decorator's check of one argument, for a function that cannot take the decorator (one that warns
    with a ``stacklevel``, which a wrapper's frame would shift, or a module passing it on to a torch function:
    ``position``, from 0, where torch's message names it)."""
    if type(value) not in _SCHEMA[kind][1] and not (value is None and optional) and not _fits(kind, value):
        raise _wrong(name, key, position, kind, value)
