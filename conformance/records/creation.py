"""Records for the factories and conversions: linspace (one step gives [start]), logspace, arange
(torch's refusals: bool, a step of the wrong sign, a float step that truncates to 0 for an integer
dtype), eye, tril_indices/triu_indices, the *_like factories with a dtype, as_tensor, and
Tensor.tolist/item/numpy (which refuse a tensor that requires grad).

The factories take no tensor: their arguments are drawn as the example's plain arguments, so the
harness compares the tensors they return (values exactly for integer dtypes, dtypes, flags).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, LibAttr, Record, TensorArg
from ..strategies import arrays, real, shapes

REAL = real()
DTYPES = st.sampled_from([None, "float32", "float64", "int64", "int32", "bool"]).map(
    lambda d: {} if d is None else {"dtype": LibAttr(d)})
ENDS = st.one_of(st.integers(-5, 5), st.sampled_from([-2.5, 0.0, 0.5, 3.25]))


def _plain(draw_args):
    def build(dtype: str):
        return draw_args()
    return build


@st.composite
def _spaces(draw, base: bool = False):
    args = (draw(ENDS), draw(ENDS), draw(st.integers(-1, 5)))
    kwargs = draw(DTYPES)
    if base and draw(st.booleans()):
        kwargs["base"] = draw(st.sampled_from([2, 10.0, 0.5]))
    return Example(args, kwargs)


@st.composite
def _ranges(draw):
    form = draw(st.integers(0, 2))
    end = draw(ENDS)
    if form == 0:
        args = (end,)
    elif form == 1:
        args = (draw(ENDS), end)
    else:
        args = (draw(ENDS), end, draw(st.sampled_from([1, 2, -1, 0.5, -1.5, 0])))
    return Example(args, draw(DTYPES))


@st.composite
def _eyes(draw):
    args = (draw(st.integers(-1, 4)),) + ((draw(st.integers(-1, 4)),) if draw(st.booleans()) else ())
    return Example(args, draw(DTYPES))


@st.composite
def _triangles(draw):
    args = (draw(st.integers(-1, 4)), draw(st.integers(-1, 4)), draw(st.integers(-3, 3)))
    kwargs = draw(st.sampled_from([{}, {"dtype": LibAttr("int32")}]))
    return Example(args, kwargs)


def likes(fill: bool):
    def build(dtype: str):
        @st.composite
        def draw_example(draw):
            x = TensorArg(draw(arrays(dtype, draw(shapes(max_dims=3)), REAL)))
            args = (x, draw(st.sampled_from([2, -1.5, True]))) if fill else (x,)
            kwargs = draw(DTYPES)
            if draw(st.integers(0, 3)) == 0:
                kwargs["requires_grad"] = True
            return Example(args, kwargs)
        return draw_example()
    return build


def _to_python(method: str):
    def call(lib, x):
        return getattr(x, method)()
    call.__name__ = method
    return call


def _numpy_values(lib, x):
    """x.numpy() as a tensor again (the harness compares tensors), so sharing and refusal both show."""
    return lib.from_numpy(x.numpy())


def _as_tensor_of_array(lib, x):
    return lib.as_tensor(np.asarray(x.detach().numpy()), dtype=lib.float64)


def conversions(dtype: str):
    return arrays(dtype, shapes(max_dims=2, max_side=3), REAL).flatmap(
        lambda x: st.booleans().map(lambda rg: Example((TensorArg(x, rg),))))


def scalars(dtype: str):
    return arrays(dtype, st.sampled_from([(), (1,), (2,)]), REAL).flatmap(
        lambda x: st.booleans().map(lambda rg: Example((TensorArg(x, rg),))))


FACTORY = dict(forms=("function",), grad=False, dtypes=("float32",))

RECORDS = [
    Record("linspace", _plain(_spaces), **FACTORY),
    Record("logspace", _plain(lambda: _spaces(base=True)), **FACTORY),
    Record("arange", _plain(_ranges), **FACTORY),
    Record("eye", _plain(_eyes), **FACTORY),
    Record("tril_indices", _plain(_triangles), **FACTORY),
    Record("triu_indices", _plain(_triangles), **FACTORY),
    Record("zeros_like", likes(fill=False), forms=("function",), grad=False),
    Record("ones_like", likes(fill=False), forms=("function",), grad=False),
    Record("empty_like", likes(fill=False), forms=("call",), grad=False,
           call=lambda lib, x, **kw: lib.empty_like(x, **kw).shape, output="scalar"),
    Record("full_like", likes(fill=True), forms=("function",), grad=False),
    Record("tolist", conversions, forms=("call",), call=_to_python("tolist"), grad=False, output="scalar",
           dtypes=("float32", "int64", "bool")),
    Record("item", scalars, forms=("call",), call=_to_python("item"), grad=False, output="scalar",
           dtypes=("float32", "float64", "int64", "bool")),
    Record("numpy", conversions, forms=("call",), call=_numpy_values, grad=False, dtypes=("float32", "int64")),
    Record("as_tensor", conversions, forms=("call",), call=_as_tensor_of_array, grad=False),
]
