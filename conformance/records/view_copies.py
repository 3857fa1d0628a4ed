"""Records for the ``*_copy`` and ``*_scatter`` ops (mygrad/ops/view_copies.py): each drawn tensor with
arguments its view accepts (and now and then not, for torch's errors)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, shapes

SHAPE = shapes(min_dims=1, max_dims=3, min_side=1)


def _with(args_for):
    """A tensor of a drawn shape and the arguments ``args_for(shape, draw)`` gives for it."""
    def build(dtype: str, form=None):
        @st.composite
        def draw(draw):
            shape = draw(SHAPE)
            x = draw(arrays(dtype, shape))
            args, kwargs = args_for(shape, draw)
            return Example((TensorArg(x),) + tuple(args), kwargs)
        return draw()
    return build


def _dim(shape, draw):
    return draw(st.integers(-len(shape), len(shape) - 1))


def _permute(shape, draw):
    return (draw(st.permutations(range(len(shape)))),), {}


def _expand(shape, draw):
    size = [draw(st.sampled_from([n, -1] if n != 1 else [1, 3, -1])) for n in shape]
    return (([2] if draw(st.booleans()) else []) + size,), {}


def _diagonal(shape, draw):
    if len(shape) < 2:
        return (), {}
    d1, d2 = draw(st.permutations(range(len(shape))))[:2]
    return (draw(st.integers(-2, 2)), d1, d2), {}


def _select(shape, draw):
    dim = _dim(shape, draw)
    return (dim, draw(st.integers(-shape[dim], shape[dim] - 1))), {}


def _slice(shape, draw):
    return (_dim(shape, draw), draw(st.sampled_from([None, 0, 1, -1])), draw(st.sampled_from([None, 2, -1, 10])),
            draw(st.integers(1, 2))), {}


def _squeeze(shape, draw):
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return (), {}
    if kind == 1:
        return (_dim(shape, draw),), {}
    return (tuple(sorted({_dim(shape, draw), _dim(shape, draw)})),), {}


def _unfold(shape, draw):
    dim = _dim(shape, draw)
    return (dim, draw(st.integers(1, shape[dim])), draw(st.integers(1, 2))), {}


def _unsqueeze(shape, draw):
    return (draw(st.integers(-len(shape) - 1, len(shape))),), {}


def _view(shape, draw):
    n = 1
    for s in shape:
        n *= s
    return (draw(st.sampled_from([[n], [-1], [1, n], [n, -1]])),), {}


def _as_strided(shape, draw):
    n = 1
    for s in shape:
        n *= s
    rows = draw(st.integers(1, 2))
    cols = draw(st.integers(1, max(1, n // rows)))
    stride = draw(st.sampled_from([(cols, 1), (1, rows), (1, 1)]))
    extent = (rows - 1) * stride[0] + (cols - 1) * stride[1] + 1
    # an explicit storage_offset counts from the storage, not from where a view input starts (the harness's
    # leaf views with an offset): both libraries read the same storage
    if extent <= n and draw(st.booleans()):
        return ((rows, cols), stride, draw(st.integers(0, n - extent))), {}
    return ((rows, cols), stride), {}


def _transpose(shape, draw):
    return (_dim(shape, draw), _dim(shape, draw)), {}


def scatter(view_args, view, min_dims: int = 1):
    """The input, a src of the view's shape (now and then of another: torch's error), the view's args."""
    def build(dtype: str, form=None):
        @st.composite
        def draw(draw):
            shape = draw(shapes(min_dims=min_dims, max_dims=3, min_side=1))
            x = draw(arrays(dtype, shape))
            args, _ = view_args(shape, draw)
            view_shape = view(np.empty(shape), *args).shape
            if draw(st.integers(0, 7)) == 0:
                view_shape = tuple(view_shape) + (2,)
            src = draw(arrays(dtype, view_shape))
            return Example((TensorArg(x, draw(st.booleans())), TensorArg(src)) + tuple(args))
        return draw()
    return build


def _np_select(a, dim, index):
    return np.take(a, index, axis=dim)


def _np_slice(a, dim, start, end, step):
    return a[(slice(None),) * (dim % a.ndim) + (slice(start, end, step),)]


def _np_diagonal(a, offset=0, dim1=0, dim2=1):
    return np.diagonal(a, offset, dim1, dim2)


F = dict(forms=("function",))

RECORDS = [
    Record("alias_copy", _with(lambda s, d: ((), {})), **F),
    Record("t_copy", _with(lambda s, d: ((), {})), **F),
    Record("transpose_copy", _with(_transpose), **F),
    Record("permute_copy", _with(_permute), **F),
    Record("expand_copy", _with(_expand), **F),
    Record("detach_copy", _with(lambda s, d: ((), {})), **F),
    Record("diagonal_copy", _with(_diagonal), **F),
    Record("select_copy", _with(_select), **F),
    Record("slice_copy", _with(_slice), **F),
    Record("squeeze_copy", _with(_squeeze), **F),
    Record("unfold_copy", _with(_unfold), **F),
    Record("unsqueeze_copy", _with(_unsqueeze), **F),
    Record("view_copy", _with(_view), **F),
    Record("as_strided_copy", _with(_as_strided), **F),
    Record("select_scatter", scatter(_select, _np_select), forms=("function", "method")),
    Record("slice_scatter", scatter(_slice, _np_slice), forms=("function", "method")),
    Record("diagonal_scatter", scatter(_diagonal, _np_diagonal, min_dims=2), forms=("function", "method")),
]
