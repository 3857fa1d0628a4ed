"""Factories: tensors from data, filled tensors, ranges, and random tensors.

Factories are not recorded in the graph, even under ``no_grad`` a factory asked for
``requires_grad=True`` gives a leaf that requires grad (as torch's do).  Random values
come from NumPy's PCG64, so a seed reproduces mygrad's draws, not torch's.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from . import _dtype
from ._argument_types import (
    Number,
    ScalarType,
    _first_not_int,
    _is_int,
    argument_types,
    int_list_error,
    parser_error,
    past_checks,
    python_type_name,
)
from ._device import on_cpu
from ._quiet import quiet
from ._tensor import Tensor
from ._tensor_str import scalar_type_name

FLOAT_ONLY = "Only Tensors of floating point and complex dtype can require gradients"


def _leaf(data: np.ndarray, requires_grad: bool) -> Tensor:
    if requires_grad and data.dtype.kind != "f":
        raise RuntimeError(FLOAT_ONLY)
    return Tensor._make(data, bool(requires_grad), None)


def _np_dtype(dtype, default=None):
    """The NumPy dtype of a (checked) ``dtype`` argument: a torch dtype or a Python type (float is float64)."""
    if dtype is None:
        return None if default is None else default.np
    return _dtype.as_dtype(dtype).np


def _size(size: tuple, name: str) -> tuple:
    """A size given as ints or as one sequence (``ones(2, 3)``, ``ones((2, 3))``), refused as torch's parser
    refuses it.  A one-element tensor counts as an int."""
    spread = not (len(size) == 1 and isinstance(size[0], (tuple, list)))   # (ones(2, 3), not ones((2, 3)))
    given = tuple(int(n) if isinstance(n, Tensor) and n.numel() == 1 else n for n in (size if spread else size[0]))
    if spread and len(size) == 1 and not _is_int(given[0]):
        raise parser_error(f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{python_type_name(size[0])}")
    if _first_not_int(given) is not None:
        if spread and _first_not_int(given) == 0:
            raise parser_error(f"{name}() takes 1 positional argument but {len(size)} were given")
        raise int_list_error(name, "size", 0, given)
    dims = tuple(int(n) for n in given)
    if any(n < 0 for n in dims):
        if name == "zeros":
            raise RuntimeError("zeros: Dimension size must be non-negative.")
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(dims)}: {list(dims)}")
    return dims


_INT64 = np.iinfo(np.int64)
# a Python float past a float dtype's range becomes ±inf without a word, as torch.tensor(1e300) (float32) does
_quiet_array = quiet(np.array)


def _infer(data, np_dtype=None) -> np.ndarray:
    """Python data as an array of ``np_dtype``, or of torch's inferred dtype: the promotion of every
    element's own type (Python floats: the default dtype, ints: int64, NumPy scalars: their dtype).
    An asked-for dtype is applied directly, so float64 data never passes through float32."""
    if isinstance(data, Tensor):
        return data._data.astype(np_dtype or data._data.dtype)
    if isinstance(data, np.ndarray):
        return data.astype(np_dtype or data.dtype)
    if isinstance(data, (list, tuple)):
        data = [_infer(x) if isinstance(x, Tensor) else x for x in data]
    try:
        arr = np.array(data)
    except ValueError as ragged:                  # (ragged nesting)
        raise _data_error(data, np_dtype) or ragged from None
    if arr.dtype.kind in "uO" and not isinstance(data, np.generic) and _has_int_beyond_int64(data):
        raise ValueError("Overflow when unpacking long long")
    if np_dtype is not None and arr.dtype.kind in "biuf":
        return (_quiet_array if np.dtype(np_dtype).kind in "fc" else np.array)(data, dtype=np_dtype)
    if arr.dtype.kind not in "biuf" and (isinstance(data, (list, tuple)) or np_dtype is not None
                                         and not isinstance(data, (str, bytes))):
        error = _data_error(data, np_dtype)
        if error is not None:
            raise error
    if arr.dtype.kind == "f" and not isinstance(data, np.generic):
        arr = _quiet_array(arr, dtype=_element_dtype(data).np)
    elif arr.dtype.kind in "US":
        raise TypeError(f"new(): invalid data type '{'bytes' if arr.dtype.kind == 'S' else 'str'}'")
    elif arr.dtype.kind not in "biuf":
        odd = next((x for x in _leaves(data) if not isinstance(x, (bool, int, float, np.generic, np.ndarray))), data)
        raise RuntimeError(f"Could not infer dtype of {type(odd).__name__}")
    return arr


_SEQUENCES = (list, tuple, str, bytes)   # what torch's PySequence_Check walks into (a str's items are strs)


def _data_error(data, np_dtype) -> Exception | None:
    """torch's error for a list or tuple it cannot store (torch/csrc/utils/tensor_new.cpp), checked in its
    order: the shape, from the first item at each depth ("too many dimensions 'str'": a str nests without
    end); then, with no dtype asked for, each element's type; then each item against that shape and the
    dtype's scalar conversion (Python's own TypeError: an int dtype unpacks an integer, a float one a real).
    Only reached once NumPy has refused or mis-typed the data, so the common path pays nothing."""
    sizes: list[int] = []
    seq = data
    while isinstance(seq, _SEQUENCES):
        sizes.append(len(seq))
        if len(sizes) > 32:
            return ValueError(f"too many dimensions '{type(seq).__name__}'")
        if not seq:
            break
        seq = seq[0]
    if np_dtype is None:
        for leaf in _in_order(data):
            if isinstance(leaf, (str, bytes)):
                return TypeError(f"new(): invalid data type '{type(leaf).__name__}'")
            if not isinstance(leaf, (bool, int, float, complex, np.generic, np.ndarray)):
                return RuntimeError(f"Could not infer dtype of {type(leaf).__name__}")
    integral = (np.dtype(np_dtype).kind in "biu" if np_dtype is not None else
                all(isinstance(leaf, (bool, int)) for leaf in _leaves(data)) and not _has_empty(data))

    def store(item, dim: int) -> Exception | None:
        if dim == len(sizes):
            if isinstance(item, (bool, int, float, np.generic) if integral else (bool, int, float, np.number)):
                return None
            return TypeError(f"'{type(item).__name__}' object cannot be interpreted as an integer" if integral
                             else f"must be real number, not {type(item).__name__}")
        if not isinstance(item, _SEQUENCES):
            return TypeError("not a sequence")
        if len(item) != sizes[dim]:
            return ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(item)})")
        return next((e for e in (store(x, dim + 1) for x in item) if e is not None), None)

    return store(data, 0)


def _in_order(data):
    """The scalars of nested lists and tuples, first to last (the first odd one names torch's error)."""
    if isinstance(data, (list, tuple)):
        for item in data:
            yield from _in_order(item)
    else:
        yield data


def _has_empty(data) -> bool:
    return isinstance(data, (list, tuple)) and (not data or any(_has_empty(x) for x in data))


def _leaves(data):
    """The scalars of nested lists and tuples (arrays count as one element of their dtype)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            yield item


def _element_dtype(data) -> _dtype.dtype:
    """torch's inference for floating data: promote the elements' own dtypes (a NumPy float64 scalar
    makes the tensor float64; Python floats alone give the default dtype)."""
    found = None
    for kind in {type(x) if not isinstance(x, (np.generic, np.ndarray)) else x.dtype for x in _leaves(data)}:
        d = _dtype.scalar_dtype(kind()) if isinstance(kind, type) and kind in (bool, int, float) else (
            _dtype.from_numpy_dtype(kind) if isinstance(kind, np.dtype) else _dtype.get_default_dtype())
        found = d if found is None else _dtype.promote_types(found, d)
    return found or _dtype.get_default_dtype()


def _has_int_beyond_int64(data) -> bool:
    return any(type(x) is int and not _INT64.min <= x <= _INT64.max for x in _leaves(data))


@argument_types
def tensor(data, dtype: ScalarType | None = None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new leaf holding a copy of ``data``; Python floats give the default dtype, ints int64."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning, stacklevel=past_checks(3))  # (the caller, above on_cpu and the argument check)
    return _leaf(_infer(data, _np_dtype(dtype)), requires_grad)


@argument_types
def as_tensor(data, dtype: ScalarType | None = None, device=None) -> Tensor:
    dtype = _dtype.as_dtype(dtype)
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype.np):
        return Tensor._make(data, False, None)
    return tensor(data, dtype=dtype)


_warned_read_only: list = []  # torch warns about a read-only array once per program


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    if any(s < 0 for s in array.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative strides are not "
            "currently supported. (You can probably work around this by making a copy of your array  with "
            "array.copy().) ")
    _dtype.from_numpy_dtype(array.dtype)
    if not array.flags.writeable and not _warned_read_only:
        _warned_read_only.append(True)
        warnings.warn(
            "The given NumPy array is not writable, and PyTorch does not support non-writable tensors. This means "
            "writing to this tensor will result in undefined behavior. You may want to copy the array to protect "
            "its data or make it writable before converting it to a tensor. This type of warning will be "
            "suppressed for the rest of this program.", UserWarning, stacklevel=2)
    return Tensor._make(array, False, None)


def _filled(name: str, size: tuple, value, dtype, requires_grad: bool, default) -> Tensor:
    np_dtype = _np_dtype(dtype, default)
    return _leaf(np.full(_size(size, name), value, dtype=np_dtype), requires_grad)


@argument_types
def ones(*size, dtype: ScalarType | None = None, requires_grad: bool | None = False, device=None, out=None) -> Tensor:
    return _filled("ones", size, 1, dtype, requires_grad, _dtype.get_default_dtype())


@argument_types
def zeros(*size, dtype: ScalarType | None = None, requires_grad: bool | None = False, device=None, out=None) -> Tensor:
    return _filled("zeros", size, 0, dtype, requires_grad, _dtype.get_default_dtype())


@argument_types
def empty(*size, dtype: ScalarType | None = None, requires_grad: bool | None = False, device=None, out=None) -> Tensor:
    """Uninitialised in torch; zeros here (reading it is a bug either way)."""
    return _filled("empty", size, 0, dtype, requires_grad, _dtype.get_default_dtype())


@argument_types
def full(size, fill_value: Number, dtype: ScalarType | None = None, requires_grad: bool = False, device=None,
         out=None) -> Tensor:
    """``size``: a sequence (a single int is refused, as torch's parser refuses it)."""
    if not isinstance(size, (tuple, list)):
        raise parser_error(f"full(): argument 'size' (position 1) must be tuple of ints, not {python_type_name(size)}")
    from .ops._errors import check_scalar_fits  # (here: mygrad.ops imports this module)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    default = _dtype.scalar_dtype(fill_value)
    check_scalar_fits(fill_value, np.dtype(_np_dtype(dtype, default)))   # torch's checked conversion: inf into int64
    return _filled("full", (size,), fill_value, dtype, requires_grad, default)


def _like(t: Tensor, dtype):
    return t.shape, (dtype if dtype is not None else t.dtype)


@argument_types
def ones_like(input: Tensor, dtype: ScalarType | None = None, requires_grad: bool = False, device=None) -> Tensor:
    shape, dtype = _like(input, dtype)
    return ones(shape, dtype=dtype, requires_grad=requires_grad)


@argument_types
def zeros_like(input: Tensor, dtype: ScalarType | None = None, requires_grad: bool = False, device=None) -> Tensor:
    shape, dtype = _like(input, dtype)
    return zeros(shape, dtype=dtype, requires_grad=requires_grad)


@argument_types
def empty_like(input: Tensor, dtype: ScalarType | None = None, requires_grad: bool = False, device=None) -> Tensor:
    shape, dtype = _like(input, dtype)
    return empty(shape, dtype=dtype, requires_grad=requires_grad)


@argument_types
def full_like(input: Tensor, fill_value: Number, dtype: ScalarType | None = None, requires_grad: bool = False,
              device=None) -> Tensor:
    shape, dtype = _like(input, dtype)
    return full(shape, fill_value, dtype=dtype, requires_grad=requires_grad)


@argument_types(start="end")   # (arange(x): torch's one-bound overload names it end)
def arange(start: Number, end: Number | None = None, step: Number = 1, dtype: ScalarType | None = None,
           requires_grad: bool = False, device=None) -> Tensor:
    """Integers give int64, any float bound or step gives the default dtype, as in torch.  (torch lists its
    overloads for a bad argument among several; this names the argument.)"""
    if end is None:
        start, end = 0, start
    start, end, step = (x.item() if isinstance(x, Tensor) else x for x in (start, end, step))
    is_int = all(isinstance(x, (int, np.integer)) for x in (start, end, step))
    default = _dtype.int64 if is_int else _dtype.get_default_dtype()
    np_dtype = _np_dtype(dtype, default)
    _unsupported("arange_cpu", np_dtype)
    integral = np.dtype(np_dtype).kind in "iu"
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if np.dtype(np_dtype) == np.int64 and not is_int:   # torch reads every bound as int64 first
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
        is_int = True
    n = max(0, math.ceil((end - start) / step))
    if integral and not is_int:
        values = int(start) + np.arange(n, dtype=np.int64) * int(step)
    else:
        values = start + np.arange(n, dtype=np.float64 if not is_int else np.int64) * step
    return _leaf(values.astype(np_dtype), requires_grad)


def _unsupported(kernel: str, np_dtype) -> None:
    """torch's range factories have no bool kernel."""
    if np.dtype(np_dtype) == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


@argument_types
def linspace(start: Number, end: Number, steps: int, dtype: ScalarType | None = None, requires_grad: bool = False,
             device=None) -> Tensor:
    """Filled from both ends (start + i*step, then end - j*step), as torch does, so both ends are exact."""
    np_dtype = _np_dtype(dtype, _dtype.get_default_dtype())
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps > 1:   # one step is a fill, which bool has
        _unsupported("linspace_cpu", np_dtype)
    return _leaf(_spaced(start, end, steps, np_dtype).astype(np_dtype), requires_grad)


def _spaced(start, end, steps: int, np_dtype) -> np.ndarray:
    """linspace's values: one step gives [start] (a fill, cast once); otherwise an integer dtype
    truncates the ends first, as torch's kernel does."""
    start, end = (x.item() if isinstance(x, Tensor) else x for x in (start, end))
    if steps == 1:
        return np.array([start], dtype=np.float64)
    if np.dtype(np_dtype).kind in "iu":
        start, end = int(start), int(end)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    i = np.arange(steps)
    half = steps // 2
    return np.where(i < half, start + step * i, end - step * (steps - 1 - i))


@quiet   # (a negative base to a fractional power is NaN, as in torch)
@argument_types
def logspace(start: Number, end: Number, steps: int, base: float = 10.0, dtype: ScalarType | None = None,
             requires_grad: bool = False, device=None) -> Tensor:
    np_dtype = _np_dtype(dtype, _dtype.get_default_dtype())
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps > 1:
        _unsupported("logspace_cpu", np_dtype)
    values = np.power(float(base), _spaced(start, end, steps, np_dtype))
    return _leaf(values.astype(np_dtype), requires_grad)


def _triangle_indices(name: str, row: int, col: int, offset: int, dtype, upper: bool) -> Tensor:
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    rows, cols = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
    return _leaf(np.stack([rows, cols]).astype(_np_dtype(dtype, _dtype.int64)).reshape(2, -1), False)


@argument_types
def tril_indices(row: int, col: int, offset: int = 0, *, dtype: ScalarType | None = None, device=None,
                 layout=None) -> Tensor:
    """The (row, col) indices of the lower triangle (diagonal ``offset`` included), row by row."""
    return _triangle_indices("tril_indices", row, col, offset, dtype, False)


@argument_types
def triu_indices(row: int, col: int, offset: int = 0, *, dtype: ScalarType | None = None, device=None,
                 layout=None) -> Tensor:
    return _triangle_indices("triu_indices", row, col, offset, dtype, True)


@argument_types
def eye(n: int, m: int | None = None, dtype: ScalarType | None = None, requires_grad: bool = False,
        device=None) -> Tensor:
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _leaf(np.eye(n, n if m is None else m, dtype=_np_dtype(dtype, _dtype.get_default_dtype())), requires_grad)


# ----- random --------------------------------------------------------------------------

class Generator:
    """A source of random numbers (NumPy's PCG64) with torch's seeding interface."""

    def __init__(self, device: str = "cpu"):
        self._seed = 67280421310721
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        return self.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63))).initial_seed()

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state) -> Generator:
        self._rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def _rng(generator):
    return (generator or default_generator)._rng


def _float_dtype(dtype, kernel: str):
    """A random factory's float dtype; torch's kernels have no integer or bool version."""
    np_dtype = _np_dtype(dtype, _dtype.get_default_dtype())
    if np.dtype(np_dtype).kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{scalar_type_name(_dtype.from_numpy_dtype(np_dtype))}'")
    return np_dtype


@argument_types
def rand(*size, generator=None, dtype: ScalarType | None = None, requires_grad: bool = False,
         device=None) -> Tensor:
    values = _rng(generator).random(_size(size, "rand"))
    return _leaf(values.astype(_float_dtype(dtype, "check_uniform_bounds")), requires_grad)


@argument_types
def randn(*size, generator=None, dtype: ScalarType | None = None, requires_grad: bool = False,
          device=None) -> Tensor:
    values = _rng(generator).standard_normal(_size(size, "randn"))
    return _leaf(values.astype(_float_dtype(dtype, "normal_kernel_cpu")), requires_grad)


@argument_types(low="high")   # (randint(x, size): torch's overload names it high)
def randint(low: int = 0, high=None, size=None, *, generator=None, dtype: ScalarType | None = None,
            requires_grad: bool = False, device=None) -> Tensor:
    """randint(high, size) or randint(low, high, size)."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if not isinstance(high, (int, np.integer)) or isinstance(high, bool):
        raise parser_error(f"randint(): argument 'high' must be int, not {python_type_name(high)}")
    if not isinstance(size, (tuple, list)):
        raise parser_error(f"randint(): argument 'size' must be tuple of ints, not {python_type_name(size)}")
    values = _rng(generator).integers(low, high, size=_size((size,), "randint"))
    return _leaf(values.astype(_np_dtype(dtype, _dtype.int64)), requires_grad)


@argument_types
def randperm(n: int, *, generator=None, dtype: ScalarType | None = None, requires_grad: bool = False,
             device=None) -> Tensor:
    return _leaf(_rng(generator).permutation(n).astype(_np_dtype(dtype, _dtype.int64)), requires_grad)


def rand_like(input: Tensor, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    shape, dtype = _like(input, dtype)
    return rand(shape, dtype=dtype, requires_grad=requires_grad, generator=generator)


def randn_like(input: Tensor, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    shape, dtype = _like(input, dtype)
    return randn(shape, dtype=dtype, requires_grad=requires_grad, generator=generator)


def randint_like(input: Tensor, low, high=None, dtype=None, requires_grad: bool = False) -> Tensor:
    if high is None:
        low, high = 0, low
    shape, dtype = _like(input, dtype)
    return randint(low, high, shape, dtype=dtype, requires_grad=requires_grad)


# every factory takes ``device=``: the CPU in any spelling, or torch's error for a device this build lacks
for _factory in ("tensor", "as_tensor", "ones", "zeros", "empty", "full", "ones_like", "zeros_like", "empty_like",
                 "full_like", "arange", "linspace", "logspace", "eye", "tril_indices", "triu_indices", "rand", "randn",
                 "randint", "randperm", "rand_like",
                 "randn_like", "randint_like"):
    globals()[_factory] = on_cpu(globals()[_factory])
del _factory

__all__ = ["tensor", "as_tensor", "from_numpy", "ones", "zeros", "empty", "full", "ones_like", "zeros_like",
           "empty_like", "full_like", "arange", "linspace", "logspace", "eye", "tril_indices", "triu_indices",
           "Generator", "default_generator",
           "manual_seed", "seed", "initial_seed", "rand", "randn", "randint", "randperm", "rand_like",
           "randn_like", "randint_like"]
