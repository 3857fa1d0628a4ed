"""The two namespaces a backward formula is compiled against.

``ARRAY`` holds NumPy implementations with torch's signatures; formulas run over it on
the fast path, with raw ndarrays and no graph.  ``TENSOR`` holds the same names as
differentiable mygrad operations; formulas run over it when ``create_graph=True``.
A name a formula may call must exist in both (``tests/`` checks the two agree).  Op
families add the helpers they need here, with ``array_fn`` and ``tensor_fn``.
"""
from __future__ import annotations

import builtins

import numpy as np

ARRAY: dict = {"__builtins__": builtins, "np": np}
TENSOR: dict = {"__builtins__": builtins, "np": np}
# Builtins a formula may call; any other builtin name (min, max, ...) is free to be a saved value.
NAMES: set = {"np", "float", "int", "bool", "len", "range", "tuple", "list", "zip", "enumerate", "isinstance"}


def array_fn(func=None, *, name: str | None = None):
    """Register a NumPy implementation of a formula function (usable as a decorator)."""
    def register(f):
        key = name or f.__name__
        ARRAY[key] = f
        NAMES.add(key)
        return f
    return register(func) if func is not None else register


def tensor_fn(func=None, *, name: str | None = None):
    """Register the differentiable mygrad implementation of a formula function."""
    def register(f):
        TENSOR[name or f.__name__] = f
        NAMES.add(name or f.__name__)
        return f
    return register(func) if func is not None else register


def tensor_namespace() -> dict:
    return TENSOR


def saved_as_tensor(value, node):
    """A saved value as a tensor in the graph: inputs are themselves; a saved output is
    re-attached to the node that made it, as torch's SavedVariable does."""
    from .._tensor import Tensor
    if isinstance(value, Tensor):
        return value
    if hasattr(value, "as_tensor"):  # packed by a saved_tensors_hooks pack hook (autograd/graph.py)
        return value.as_tensor(node)
    return Tensor._make(value._data, True, node, value.output_nr, value._vc)


# --- NumPy side: the helpers every family uses ------------------------------------------------

_SUM_PLANS: dict = {}  # (from shape, to shape) -> (axes to sum, whether leading axes go after the sum)


@array_fn
def sum_to(x, shape):
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
    out = np.add.reduce(x, axis=axes, keepdims=True) if axes else x
    return out.reshape(shape) if reshape or out.shape != shape else out


@array_fn(name="_conform")
def _array_conform(g, meta):
    shape, dtype = meta
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    if g.shape != shape:
        g = sum_to(g, shape)
    if g.dtype != dtype:
        g = g.astype(dtype)
    return g


@array_fn
def expand(x, shape):
    """np.broadcast_to (read-only, as NumPy's); a 0-d gradient (sum's, mean's) is broadcast by giving the
    new array zero strides over it, which skips broadcast_to's Python layers."""
    if type(x) is np.ndarray and not x.ndim:
        out = np.ndarray(shape, x.dtype, x, 0, (0,) * len(shape))
        out.flags.writeable = False
        return out
    return np.broadcast_to(x, shape)


@array_fn
def where(cond, a, b):
    return np.where(cond, a, b)


@array_fn
def zeros_of(meta):
    """Zeros of an output's (shape, dtype): the gradient of an output no gradient reached."""
    return np.zeros(*meta)


@array_fn
def zeros_like(x):
    return np.zeros_like(x)


@array_fn
def ones_like(x):
    return np.ones_like(x)


def reduced_dims(ndim: int, dim) -> tuple:
    """torch's dim argument as a sorted tuple of non-negative axes; None and () mean all."""
    if dim is None or dim == () or dim == []:
        return tuple(range(ndim))
    if isinstance(dim, int):
        dim = (dim,)
    return tuple(sorted(d % ndim if ndim else 0 for d in dim))


@array_fn
def unreduce(grad, shape, dims, keepdim):
    """Broadcast the gradient of a reduction over ``dims`` back to the input's ``shape``."""
    grad = np.asarray(grad)
    if not keepdim and shape:
        grad = np.expand_dims(grad, dims)
    return np.broadcast_to(grad, shape)


for _name in ("exp", "log"):
    ARRAY[_name] = getattr(np, _name)
    NAMES.add(_name)


@array_fn
def mT(x):
    return np.swapaxes(x, -1, -2)


@array_fn
def t(x):
    return x.T if x.ndim == 2 else x


@array_fn
def mm(a, b):
    return a @ b


_SAME_WIDTH_INT = {np.dtype(np.float16): np.int16, np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}


@array_fn
def keep_where(mask, grad):
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


@tensor_fn(name="keep_where")
def _keep_where_tensor(mask, grad):
    from .. import where
    return where(mask, grad, 0)


@array_fn
@tensor_fn
def clamp_mask(x, min, max):
    """Where clamp passes the gradient: inside [min, max], bounds included (torch's convention)."""
    if min is None:
        return x <= max
    if max is None:
        return x >= min
    return (x >= min) & (x <= max)


@array_fn
def reshape(x, shape):
    return np.reshape(x, shape)


@array_fn
def squeeze(x, dim):
    return np.squeeze(x, axis=dim)


@array_fn
def transpose(x, dim0, dim1):
    return np.swapaxes(x, dim0, dim1)


@array_fn
def permute(x, dims):
    return np.transpose(x, dims)


# --- mygrad side ---------------------------------------------------------------------------------

def install_tensor_namespace(mygrad_module) -> None:
    """Fill TENSOR: every formula name is the mygrad function of that name, unless a helper of the
    same name was registered with ``tensor_fn`` (those that are not torch functions)."""
    from . import tensor_helpers  # noqa: F401  (registers sum_to, unreduce, _conform, ...)
    missing = []
    for name in sorted(NAMES):
        if name in TENSOR or name in ("float", "int", "bool", "len", "range", "tuple", "list", "zip",
                                      "enumerate", "isinstance"):
            continue
        fn = getattr(mygrad_module, name, None)
        if fn is None:
            missing.append(name)
        else:
            TENSOR[name] = fn
    if missing:
        raise ImportError(f"formula functions with no mygrad implementation: {missing}")
