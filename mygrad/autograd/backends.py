"""The two namespaces a backward formula is compiled against.

``ARRAY`` holds NumPy implementations with torch's signatures; formulas run over it on
the fast path, with raw ndarrays and no graph.  ``TENSOR`` holds the same names as
differentiable mygrad operations; formulas run over it when ``create_graph=True``.
A name a formula may call must exist in both (``tests/`` checks the two agree).  Op
families declare the helpers they need with ``formula_helper``; the tensor side is bound once
mygrad has loaded (``install_tensor_namespace``: the one place the engine reaches up to mygrad's ops).
"""
from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _dtype, _gemm
from .._summation import add_reduce

ARRAY: dict = {"__builtins__": builtins, "np": np}
TENSOR: dict = {"__builtins__": builtins, "np": np}
# Builtins a formula may call; any other builtin name (min, max, ...) is free to be a saved value.
BUILTINS = frozenset({"float", "int", "bool", "len", "range", "tuple", "list", "zip", "enumerate", "isinstance"})
NAMES: set = {"np", *BUILTINS}


def formula_helper(array: Callable | None = None, *, tensor: Callable | str | None = None,
                   name: str | None = None) -> Any:
    """Declare a function that derivative formulas may call by name (usable as a decorator).

    ``array`` runs over NumPy arrays (the fast path); the tensor side, which must be differentiable
    (``create_graph=True``), is ``tensor``: a function over mygrad tensors; ``"same"`` when ``array``
    itself works on both (it uses only operators and methods both have); or, left out, the mygrad
    function of the same name (``exp``, ``cat``...), looked up when mygrad has loaded
    (``install_tensor_namespace``).  Declare a helper before the ``derivative`` lines that read it.
    """
    def declare(fn: Callable) -> Callable:
        key = name or fn.__name__
        ARRAY[key] = fn
        NAMES.add(key)
        if tensor == "same":
            TENSOR[key] = fn
        elif tensor is not None:
            TENSOR[key] = tensor
        return fn
    return declare(array) if array is not None else declare


_RETIRED = {  # the old ways of declaring a helper, gone with issue 9: importing one says what replaced it
    "array_fn": "formula_helper(fn) (over tensors: the mygrad op of the same name)",
    "tensor_fn": "formula_helper(array_fn, tensor=tensor_fn), declared once with both sides",
    "tensor_namespace": "backends.TENSOR",
}


def __getattr__(name: str) -> Any:
    if name in _RETIRED:
        raise ImportError(f"mygrad.autograd.backends.{name} was replaced by {_RETIRED[name]} "
                          f"(CONTRIBUTING.md: a formula helper)")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def saved_as_tensor(value: Any, node: Any) -> Any:
    """A saved value as a tensor in the graph: inputs are themselves; a saved output (an OutputRef)
    is re-attached to the node that made it, as torch's SavedVariable does."""
    tensor = TENSOR["Tensor"]
    if isinstance(value, tensor):
        return value
    if hasattr(value, "as_tensor"):  # packed by a saved_tensors_hooks pack hook (autograd/graph.py)
        return value.as_tensor(node)
    return tensor._make(value._data, True, node, value.output_nr, value._vc)


# --- NumPy side: the helpers every family uses ------------------------------------------------

_SUM_PLANS: dict = {}  # (from shape, to shape) -> (axes to sum, whether leading axes go after the sum)


def _sum_to_tensor(x: Any, shape: Any) -> Any:
    """As torch's sum_to: a 0-d target is ``x.sum()``; otherwise one keepdim sum, then a view."""
    shape = tuple(shape)
    if tuple(x.shape) == shape:
        return x
    if not shape:
        return x.sum()
    lead = x.ndim - len(shape)
    if lead < 0:
        return x.expand(shape)
    dims = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and x.shape[i + lead] != 1)
    out = x.sum(dims, keepdim=True) if dims else x
    return out.view(shape) if lead else out


@formula_helper(tensor=_sum_to_tensor)
def sum_to(x: Any, shape: Any) -> Any:
    """Sum ``x`` down to ``shape``: the inverse of broadcasting ``shape`` up to x.shape.

    The axes are worked out once per pair of shapes (the same few pairs recur every step of a
    training loop), and the sum is ``np.add.reduce`` itself, without ndarray.sum's Python layers."""
    if type(x) is not np.ndarray:
        x = np.asarray(x)
    shape = tuple(shape)
    if x.shape == shape:
        return x
    plan = _SUM_PLANS.get((x.shape, shape))
    if plan is None:
        lead = x.ndim - len(shape)
        if lead < 0:
            return np.broadcast_to(x, shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and x.shape[i + lead] != 1)
        plan = axes, lead > 0
        if len(_SUM_PLANS) > 4096:
            _SUM_PLANS.clear()
        _SUM_PLANS[(x.shape, shape)] = plan
    axes, reshape = plan
    out = add_reduce(x, axes, keepdims=True) if axes else x
    return out.reshape(shape) if reshape or out.shape != shape else out


def _tensor_conform(g: Any, meta: Any) -> Any:
    tensor = TENSOR["Tensor"]
    shape, np_dtype = meta
    if not isinstance(g, tensor):
        g = tensor._make(np.array(g, dtype=np_dtype), False, None)
    if tuple(g.shape) != shape:
        g = _sum_to_tensor(g, shape)
    if g._data.dtype != np_dtype:
        g = g.to(_dtype.from_numpy_dtype(np_dtype))
    return g


@formula_helper(tensor=_tensor_conform, name="_conform")
def _array_conform(g: Any, meta: Any) -> Any:
    shape, dtype = meta
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    if g.shape != shape:
        g = sum_to(g, shape)
    if g.dtype != dtype:
        g = g.astype(dtype)
    return g


@formula_helper(tensor=lambda x, shape: x.expand(shape))
def expand(x: Any, shape: Any) -> Any:
    """np.broadcast_to (read-only, as NumPy's); a 0-d gradient (sum's, mean's) is broadcast by giving the
    new array zero strides over it, which skips broadcast_to's Python layers."""
    if type(x) is np.ndarray and not x.ndim:
        out = np.ndarray(shape, x.dtype, x, 0, (0,) * len(shape))
        out.flags.writeable = False
        return out
    return np.broadcast_to(x, shape)


@formula_helper
def where(cond: Any, a: Any, b: Any) -> Any:
    return np.where(cond, a, b)


@formula_helper(tensor=lambda meta: TENSOR["Tensor"]._make(np.zeros(*meta), False, None))
def zeros_of(meta: Any) -> Any:
    """Zeros of an output's (shape, dtype): the gradient of an output no gradient reached."""
    return np.zeros(*meta)


@formula_helper(tensor="same")
def sum_defined(*terms: Any) -> Any:
    """The sum of the terms of the outputs a gradient reached (a multi-output formula given one term per
    output): torch leaves an undefined output gradient's term out, so 0 * inf there is no NaN."""
    total = None
    for term in terms:
        if term is not None:
            total = term if total is None else total + term
    return total


@formula_helper
def zeros_like(x: Any) -> Any:
    return np.zeros_like(x)


@formula_helper
def ones_like(x: Any) -> Any:
    return np.ones_like(x)


def _unreduce_tensor(grad: Any, shape: Any, dims: Any, keepdim: Any) -> Any:
    if not keepdim and len(shape):
        for d in dims:
            grad = grad.unsqueeze(d)
    return grad.expand(shape)


@formula_helper(tensor=_unreduce_tensor)
def unreduce(grad: Any, shape: Any, dims: Any, keepdim: Any) -> Any:
    """Broadcast the gradient of a reduction over ``dims`` back to the input's ``shape``."""
    grad = np.asarray(grad)
    if not keepdim and shape:
        grad = np.expand_dims(grad, dims)
    return np.broadcast_to(grad, shape)


formula_helper(np.exp, name="exp")
formula_helper(np.log, name="log")


@formula_helper(tensor=lambda x: x.mT)
def mT(x: Any) -> Any:
    return np.swapaxes(x, -1, -2)


@formula_helper
def t(x: Any) -> Any:
    # (an array of fewer dims: a view of it all the same, as torch's t() of the gradient is)
    return x.T if x.ndim == 2 or type(x) is np.ndarray else x


@formula_helper
def mm(a: Any, b: Any) -> Any:
    return _gemm.matmul(a, b)   # (torch's inf/NaN)


_SAME_WIDTH_INT = {np.dtype(np.float16): np.int16, np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}


@formula_helper(tensor=lambda mask, grad: TENSOR["where"](mask, grad, 0))
def keep_where(mask: Any, grad: Any) -> Any:
    """``where(mask, grad, 0)``, the gradient of a mask (relu, clamp), exact for inf and nan too.

    For a large float array of the mask's shape, the bits are ANDed with all-ones or all-zeros: about 6x
    faster than np.where's select (the MLP's relu backward), whose cost on a random mask is branch
    mispredictions; below ~16k elements np.where is faster than the extra passes."""
    grad = np.asarray(grad)
    bits = _SAME_WIDTH_INT.get(grad.dtype)
    if bits is None or grad.size <= 16384 or np.shape(mask) != grad.shape:
        return np.where(mask, grad, 0)
    out = np.negative(np.asarray(mask).view(np.int8), dtype=bits)  # -1: all bits set; 0: none
    np.bitwise_and(np.ascontiguousarray(grad).view(bits), out, out=out)
    return out.view(grad.dtype)


@formula_helper(tensor="same")
def clamp_mask(x: Any, min: Any, max: Any) -> Any:
    """Where clamp passes the gradient: inside [min, max], bounds included (torch's convention)."""
    if min is None:
        return x <= max
    if max is None:
        return x >= min
    return (x >= min) & (x <= max)


@formula_helper(tensor=lambda x, shape: x.reshape(shape))
def reshape(x: Any, shape: Any) -> Any:
    return np.reshape(x, shape)


@formula_helper
def squeeze(x: Any, dim: Any) -> Any:
    return np.squeeze(x, axis=dim)


@formula_helper
def transpose(x: Any, dim0: Any, dim1: Any) -> Any:
    return np.swapaxes(x, dim0, dim1)


@formula_helper(tensor=lambda x, dims: x.permute(dims))
def permute(x: Any, dims: Any) -> Any:
    return np.transpose(x, dims)


# --- the tensor side ---------------------------------------------------------------------------

def install_tensor_namespace(mygrad_namespace: dict) -> None:
    """The one late binding: fill TENSOR with mygrad's own ops, by name, once mygrad has loaded.

    Formulas under ``create_graph`` call mygrad's ops (and the engine makes tensors through
    ``TENSOR["Tensor"]``), but the ops are built on this engine, so the engine cannot import them:
    ``mygrad/__init__.py`` calls this at its end.  Every formula name without a tensor side of its
    own (``formula_helper(tensor=...)``) is the mygrad function of that name."""
    TENSOR["Tensor"] = mygrad_namespace["Tensor"]
    missing = []
    for name in sorted(NAMES):
        if name in TENSOR or name in BUILTINS:
            continue
        fn = mygrad_namespace.get(name)
        if fn is None:
            missing.append(name)
        else:   # (an op itself, not its public argument check: a formula passes arrays where a user may not)
            TENSOR[name] = fn.__wrapped__ if getattr(fn, "__tensor_arguments__", False) else fn
    if missing:
        raise ImportError(f"formula functions with no mygrad implementation: {missing}")
