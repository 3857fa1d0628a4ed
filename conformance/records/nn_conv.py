"""Records for the convolutions, ``unfold``/``fold`` and ``pad``.

Shapes are drawn small but realistic: a batch of 0-2 (or no batch dim), 1-2 groups of 1-2
channels, kernels of 1-3 per dim, stride and dilation 1-2, padding 0-2 (or ``'same'``/``'valid'``),
spatial sizes 1-6 (1-4 in 3-D) so windows sometimes do not fit and torch's error is compared; now
and then the input has the wrong number of channels.  A convolution sums C/G * prod(kernel) <= 54
terms, far below the largest tensor's size that the float32 tolerance is scaled by.
"""
from __future__ import annotations

import dataclasses
import math

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import HOSTILE, arrays, grad_flags, real

F = "nn.functional"
VALUES = real()

# Hostile values.  A sum of products past the largest float is inf, -inf or NaN by the order the kernel adds in:
# MKL's GEMM after im2col for float64, oneDNN's for float32 (as BLAS_OVERFLOW in linalg.py): no extremes.
CONV_OVERFLOW = (("hostile: overflow", "a sum of products that overflows is inf or NaN by the order of torch's "
                                       "kernel (MKL's GEMM, oneDNN's blocking)"),)
# float32 further: torch's float32 convolutions run in oneDNN (by _conv._uses_mkldnn's heuristic), whose kernels
# decide, kernel by kernel, whether a padding tap, or an out-of-range tap of a strided transposed convolution,
# is multiplied (0 * inf = NaN) or skipped.  Measured (float32, batch 2, one thread): conv1d of [1, 2, 3, 4, 5]
# by weight [inf, 1] starts with 1.0 padded by 1 (the padding tap skipped) but with NaN, NaN padded by 2 (windows
# of padding only, multiplied); conv_transpose1d of [1, 2, 3] by [inf, 1, 2] ends with NaN at stride 2 (an
# out-of-range tap multiplied), not at stride 1 or 3; with dilation 2 the skipping differs again.  float64 (im2col
# and GEMM: every tap multiplied, NaN first padded by 1) is reproduced exactly, and draws NaN and inf.  So
# float32 examples draw only -0.0 and the tiny values.
ONEDNN_NON_FINITE = "hostile: non-finite"


def hostile_for(dtype: str, domain=VALUES):
    """``domain`` for a convolution's operand of ``dtype``: float32 draws no NaN or inf (ONEDNN_NON_FINITE),
    where the record draws hostile values at all (read while drawing)."""
    if dtype == "float32" and HOSTILE.get() and domain.hostile is None:
        return dataclasses.replace(domain, hostile=ONEDNN_NON_FINITE)
    return domain


def _tensor(dtype: str, shape: tuple, flag: bool) -> st.SearchStrategy:
    return arrays(dtype, shape, hostile_for(dtype)).map(lambda a: TensorArg(a, flag))


def convolutions(nd: int, transposed: bool = False):
    """``(input, weight, bias)`` and stride/padding/dilation/groups (output_padding when transposed)."""
    side = 4 if nd == 3 else 6

    @st.composite
    def example(draw, dtype: str):
        groups = draw(st.sampled_from([1, 1, 2]))
        cin, cout = draw(st.integers(1, 2)), draw(st.integers(1, 2))
        batch = draw(st.sampled_from([None, 0, 1, 2, 2]))
        kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
        spatial = tuple(draw(st.integers(1, side)) for _ in range(nd))
        channels = cin * groups + (1 if draw(st.integers(0, 19)) == 0 else 0)  # now and then wrong
        if transposed:
            wshape = (cin * groups, cout) + kernel
        else:
            wshape = (cout * groups, cin) + kernel
        shape = ((batch,) if batch is not None else ()) + (channels,) + spatial
        flags = draw(grad_flags(3))
        bias = draw(st.booleans())
        x = draw(_tensor(dtype, shape, flags[0]))
        w = draw(_tensor(dtype, wshape, flags[1]))
        b = draw(_tensor(dtype, ((cout * groups) if transposed else wshape[0],), flags[2])) if bias else None
        per_dim = st.one_of(st.integers(1, 2), st.tuples(*[st.integers(1, 2)] * nd))
        kwargs = {"stride": draw(per_dim), "dilation": draw(per_dim), "groups": groups}
        if transposed:
            stride = kwargs["stride"] if isinstance(kwargs["stride"], tuple) else (kwargs["stride"],) * nd
            dilation = kwargs["dilation"] if isinstance(kwargs["dilation"], tuple) else (kwargs["dilation"],) * nd
            # padding that leaves an output of at least 1 per dim (where torch's size check for empty outputs
            # is inconsistent across 1-D/2-D/3-D and output_padding, it is not compared)
            kwargs["padding"] = draw(st.integers(0, min(2, min(d * (k - 1) for d, k in zip(dilation, kernel)) // 2)))
            kwargs["output_padding"] = tuple(draw(st.integers(0, max(s, d) - 1))
                                             for s, d in zip(stride, dilation))
        else:
            kwargs["padding"] = draw(st.one_of(st.integers(0, 2), st.tuples(*[st.integers(0, 2)] * nd),
                                                    st.sampled_from(["same", "valid"])))
            if kwargs["padding"] == "same":
                kwargs["stride"] = 1
        return Example((x, w, b), kwargs)

    return lambda dtype: example(dtype)


def unfold_args():
    @st.composite
    def example(draw, dtype: str):
        batch = draw(st.sampled_from([None, 1, 2]))
        shape = ((batch,) if batch is not None else ()) + (draw(st.integers(1, 3)),) + tuple(
            draw(st.integers(1, 6)) for _ in range(2))
        x = draw(_tensor(dtype, shape, True))
        pair = st.one_of(st.integers(1, 2), st.tuples(st.integers(1, 2), st.integers(1, 2)))
        kwargs = {"kernel_size": draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3),
                                                                                 st.integers(1, 3)))),
                  "dilation": draw(pair), "padding": draw(st.integers(0, 1)), "stride": draw(pair)}
        return Example((x,), kwargs)
    return lambda dtype: example(dtype)


def fold_args():
    """Columns whose count matches the blocks of ``output_size`` (and now and then not)."""
    @st.composite
    def example(draw, dtype: str):
        def both(lo, hi):
            return tuple(draw(st.integers(lo, hi)) for _ in range(2))
        kernel, stride, dilation, size = both(1, 3), both(1, 2), both(1, 2), both(1, 6)
        padding = draw(st.integers(0, 1))
        blocks = [(n + 2 * padding - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(size, kernel, stride, dilation)]
        count = max(math.prod(blocks), 1) if all(b > 0 for b in blocks) else 1
        count += draw(st.sampled_from([0, 0, 0, 0, 1]))
        batch = draw(st.sampled_from([None, 1, 2]))
        shape = ((batch,) if batch is not None else ()) + (draw(st.integers(1, 2)) * math.prod(kernel), count)
        x = draw(_tensor(dtype, shape, True))
        return Example((x,), {"output_size": size, "kernel_size": kernel, "dilation": dilation,
                              "padding": padding, "stride": stride})
    return lambda dtype: example(dtype)


def pad_args(mode: str):
    """An input of 1-5 dims and (before, after) pairs for its last 1-3 dims; negative pads (crops)
    for constant mode; pads as large as the dim (torch refuses those for reflect)."""
    @st.composite
    def example(draw, dtype: str):
        ndim = draw(st.integers(1, 5) if mode == "constant" else st.integers(2, 5))
        shape = tuple(draw(st.integers(1 if mode == "constant" else 2, 4)) for _ in range(ndim))
        x = draw(_tensor(dtype, shape, True))
        pairs = draw(st.integers(1, min(3, ndim)))
        low = -2 if mode == "constant" else 0
        high = 3 if mode != "reflect" or draw(st.integers(0, 4)) == 0 else 1  # (reflect: pads below the size)
        pads = tuple(draw(st.integers(low, high)) for _ in range(2 * pairs))
        kwargs = {"mode": mode}
        if mode == "constant":
            kwargs["value"] = draw(st.sampled_from([0.0, 1.5]))
        return Example((x, pads), kwargs)
    return lambda dtype: example(dtype)


RECORDS = [
    Record("conv1d", convolutions(1), namespace=F, forms=("function",), label="F.conv1d",
           unchecked=CONV_OVERFLOW),
    Record("conv2d", convolutions(2), namespace=F, forms=("function",), label="F.conv2d",
           unchecked=CONV_OVERFLOW),
    Record("conv3d", convolutions(3), namespace=F, forms=("function",), label="F.conv3d",
           unchecked=CONV_OVERFLOW),
    Record("conv_transpose1d", convolutions(1, transposed=True), namespace=F, forms=("function",),
           label="F.conv_transpose1d", unchecked=CONV_OVERFLOW),
    Record("conv_transpose2d", convolutions(2, transposed=True), namespace=F, forms=("function",),
           label="F.conv_transpose2d", unchecked=CONV_OVERFLOW),
    Record("conv_transpose3d", convolutions(3, transposed=True), namespace=F, forms=("function",),
           label="F.conv_transpose3d", unchecked=CONV_OVERFLOW),
    Record("unfold", unfold_args(), namespace=F, forms=("function",), label="F.unfold"),
    Record("fold", fold_args(), namespace=F, forms=("function",), label="F.fold"),
    Record("pad", pad_args("constant"), namespace=F, forms=("function",), label="F.pad (constant)"),
    Record("pad", pad_args("reflect"), namespace=F, forms=("function",), label="F.pad (reflect)"),
    Record("pad", pad_args("replicate"), namespace=F, forms=("function",), label="F.pad (replicate)"),
]
