"""Records for ``interpolate`` (every mode), ``pixel_shuffle``/``pixel_unshuffle`` and ``one_hot``.

interpolate draws either an output ``size`` or a ``scale_factor`` (integer, fractional, per dim,
with and without ``recompute_scale_factor``), ``align_corners`` for the interpolating modes, and
now and then an input of the wrong rank for the mode, so torch's errors are compared.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays

F = "nn.functional"
RANK = {"nearest": (1, 2, 3), "nearest-exact": (1, 2, 3), "linear": (1,), "bilinear": (2,), "bicubic": (2,),
        "trilinear": (3,)}


def interpolation(mode: str):
    @st.composite
    def example(draw, dtype: str):
        nd = draw(st.sampled_from(RANK[mode])) if draw(st.integers(0, 9)) else draw(st.integers(1, 3))
        side = 4 if nd == 3 else 5
        shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + tuple(
            draw(st.integers(1, side)) for _ in range(nd))
        x = TensorArg(draw(arrays(dtype, shape)), True)
        kwargs = {"mode": mode}
        if draw(st.booleans()):
            kwargs["size"] = draw(st.one_of(st.integers(1, 6), st.tuples(*[st.integers(1, 6)] * nd)))
        else:
            factor = st.sampled_from([2, 3, 0.5, 1.5, 1.7, 2.25])
            kwargs["scale_factor"] = draw(st.one_of(factor, st.tuples(*[factor] * nd)))
            kwargs["recompute_scale_factor"] = draw(st.sampled_from([None, True, False]))
        if mode not in ("nearest", "nearest-exact"):
            kwargs["align_corners"] = draw(st.sampled_from([None, False, True]))
        return Example((x,), kwargs)
    return example


@st.composite
def shuffle_args(draw, dtype: str):
    r = draw(st.integers(1, 3))
    lead = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2))))
    channels = draw(st.integers(1, 2)) * r * r + (1 if draw(st.integers(0, 9)) == 0 else 0)
    shape = lead + (channels, draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    return Example((TensorArg(draw(arrays(dtype, shape)), True), r))


@st.composite
def unshuffle_args(draw, dtype: str):
    r = draw(st.integers(1, 3))
    lead = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2))))
    extra = 1 if draw(st.integers(0, 9)) == 0 else 0
    shape = lead + (draw(st.integers(1, 2)), draw(st.integers(1, 2)) * r + extra, draw(st.integers(1, 2)) * r)
    return Example((TensorArg(draw(arrays(dtype, shape)), True), r))


@st.composite
def one_hot_args(draw, dtype: str):
    """Class indices (now and then a negative one, or one past ``num_classes``), ``num_classes`` or -1."""
    shape = tuple(draw(st.integers(0, 3)) for _ in range(draw(st.integers(0, 2))))
    classes = draw(st.sampled_from([-1, 3, 5]))
    low = -1 if draw(st.integers(0, 9)) == 0 else 0
    high = 4 if classes == -1 else classes - 1 + (draw(st.integers(0, 9)) == 0)
    count = int(np.prod(shape))
    values = draw(st.lists(st.integers(low, high), min_size=count, max_size=count))
    return Example((TensorArg(np.asarray(values, np.int64).reshape(shape), False), classes))


# bilinear and bicubic weigh the corners in torch's vectorized kernel, compiled per CPU capability: at ±max its
# sums overflow where that build's fused multiply-adds and lane order say (measured: the same input gives -inf at
# other positions under ATEN_CPU_CAPABILITY=default than under avx2), so no one answer there is torch's
VECTOR_OVERFLOW = {mode: (("hostile: overflow", "torch's own inf positions at ±max change with its CPU capability "
                                                "(measured: ATEN_CPU_CAPABILITY=default against avx2)"),)
                   for mode in ("bilinear", "bicubic")}

RECORDS = [
    *[Record("interpolate", interpolation(mode), namespace=F, forms=("function",), label=f"F.interpolate ({mode})",
             unchecked=VECTOR_OVERFLOW.get(mode, ())) for mode in RANK],
    Record("pixel_shuffle", shuffle_args, namespace=F, forms=("function",), label="F.pixel_shuffle"),
    Record("pixel_unshuffle", unshuffle_args, namespace=F, forms=("function",), label="F.pixel_unshuffle"),
    Record("one_hot", one_hot_args, namespace=F, forms=("function",), dtypes=("int64",), grad=False,
           label="F.one_hot"),
]
