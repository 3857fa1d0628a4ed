"""Records for pooling: max (values and ``return_indices``), average, adaptive, Lp, max_unpool.

Inputs are drawn with ties on purpose (values from a pool of 1-3 numbers) for the max family, so
torch's choice of the first maximum in a window (and where its gradient goes) is compared; spatial
sizes 1-6 with kernels 1-3, strides 1-3, padding up to 2 and dilation up to 2, ceil_mode, so windows
sometimes do not fit or padding exceeds half the kernel and torch's errors are compared too.
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, positive, real

F = "nn.functional"
VALUES = real()


def _input(draw, dtype: str, nd: int, ties: bool, domain=VALUES, side: int = 6):
    batch = draw(st.sampled_from([None, 1, 2]))
    shape = ((batch,) if batch is not None else ()) + (draw(st.integers(1, 3)),) + tuple(
        draw(st.integers(1, side)) for _ in range(nd))
    return TensorArg(draw(arrays(dtype, shape, domain, ties=ties)), True)


def pooling(nd: int, kind: str):
    """``kind``: "max" (kernel, stride, padding, dilation, ceil_mode) or "avg" (count_include_pad and,
    for 2-D/3-D, divisor_override)."""
    side = 4 if nd == 3 else 6

    @st.composite
    def example(draw, dtype: str):
        x = _input(draw, dtype, nd, ties=kind == "max", side=side)
        per_dim = (lambda lo, hi: st.one_of(st.integers(lo, hi), st.tuples(*[st.integers(lo, hi)] * nd)))
        kwargs = {"kernel_size": draw(per_dim(1, 3)), "stride": draw(st.one_of(st.none(), per_dim(1, 3))),
                  "padding": draw(st.integers(0, 2 if kind == "max" else 1)),
                  "ceil_mode": draw(st.booleans())}
        if kind == "max":
            # (with dilation 2 and padding a window can fall entirely in the padding: torch's double backward
            # then corrupts memory and aborts, so that combination is not drawn)
            kwargs["dilation"] = 1 if kwargs["padding"] else draw(st.integers(1, 2))
        else:
            kwargs["count_include_pad"] = draw(st.booleans())
            if nd > 1:
                kwargs["divisor_override"] = draw(st.sampled_from([None, None, 3]))
        return Example((x,), kwargs)
    return example


def _indices_call(name: str):
    def call(lib, *args, **kwargs):
        return getattr(lib.nn.functional, name)(*args, return_indices=True, **kwargs)
    call.__name__ = f"{name}_with_indices"
    return call


def adaptive(nd: int, ties: bool):
    @st.composite
    def example(draw, dtype: str):
        x = _input(draw, dtype, nd, ties=ties)
        size = draw(st.integers(1, 7)) if nd == 1 else draw(st.one_of(
            st.integers(1, 7), st.tuples(st.integers(1, 7), st.one_of(st.none(), st.integers(1, 7)))))
        return Example((x, size))
    return example


@st.composite
def lp_args(draw, dtype: str):
    x = _input(draw, dtype, 2, ties=False, domain=positive(0.1, 3.0))
    return Example((x, draw(st.sampled_from([1, 2, 3.0])), draw(st.integers(1, 3))),
                   {"stride": draw(st.one_of(st.none(), st.integers(1, 2))), "ceil_mode": draw(st.booleans())})


@st.composite
def lp1d_args(draw, dtype: str):
    x = _input(draw, dtype, 1, ties=False, domain=positive(0.1, 3.0))
    return Example((x, draw(st.sampled_from([1, 2, 3.0])), draw(st.integers(1, 3))),
                   {"stride": draw(st.one_of(st.none(), st.integers(1, 2))), "ceil_mode": draw(st.booleans())})


def _unpool_call(lib, input, kernel_size, stride, padding, output_size):
    """max_unpool2d of what max_pool2d returns (so the gradient flows through both to the input)."""
    values, indices = lib.nn.functional.max_pool2d(input, kernel_size, stride, padding, return_indices=True)
    return lib.nn.functional.max_unpool2d(values, indices, kernel_size, stride, padding, output_size)


@st.composite
def unpool_args(draw, dtype: str):
    x = _input(draw, dtype, 2, ties=False)
    kernel = draw(st.integers(1, 3))
    size = x.array.shape[-2:]
    stride = draw(st.one_of(st.none(), st.integers(1, 2)))
    padding = 0  # (with padding, torch's default output size can be smaller than the input: it then writes
    # out of range without raising)
    out = draw(st.one_of(st.none(), st.just(size)))
    return Example((x, kernel, stride, padding, out))


RECORDS = [
    Record("max_pool1d", pooling(1, "max"), namespace=F, forms=("function",), label="F.max_pool1d"),
    Record("max_pool2d", pooling(2, "max"), namespace=F, forms=("function",), label="F.max_pool2d"),
    Record("max_pool3d", pooling(3, "max"), namespace=F, forms=("function",), label="F.max_pool3d"),
    Record("max_pool2d", pooling(2, "max"), namespace=F, forms=("call",), call=_indices_call("max_pool2d"),
           output="tuple", label="F.max_pool2d (return_indices)"),
    Record("max_pool1d", pooling(1, "max"), namespace=F, forms=("call",), call=_indices_call("max_pool1d"),
           output="tuple", label="F.max_pool1d (return_indices)"),
    Record("avg_pool1d", pooling(1, "avg"), namespace=F, forms=("function",), label="F.avg_pool1d"),
    Record("avg_pool2d", pooling(2, "avg"), namespace=F, forms=("function",), label="F.avg_pool2d"),
    Record("avg_pool3d", pooling(3, "avg"), namespace=F, forms=("function",), label="F.avg_pool3d"),
    Record("adaptive_avg_pool1d", adaptive(1, False), namespace=F, forms=("function",),
           label="F.adaptive_avg_pool1d"),
    Record("adaptive_avg_pool2d", adaptive(2, False), namespace=F, forms=("function",),
           label="F.adaptive_avg_pool2d"),
    Record("adaptive_max_pool1d", adaptive(1, True), namespace=F, forms=("function",),
           label="F.adaptive_max_pool1d"),
    Record("adaptive_max_pool2d", adaptive(2, True), namespace=F, forms=("function",),
           label="F.adaptive_max_pool2d"),
    Record("adaptive_max_pool2d", adaptive(2, True), namespace=F, forms=("call",),
           call=_indices_call("adaptive_max_pool2d"), output="tuple", label="F.adaptive_max_pool2d (return_indices)"),
    Record("lp_pool2d", lp_args, namespace=F, forms=("function",), label="F.lp_pool2d"),
    Record("lp_pool1d", lp1d_args, namespace=F, forms=("function",), label="F.lp_pool1d"),
    Record("max_unpool2d", unpool_args, namespace=F, forms=("call",), call=_unpool_call, label="F.max_unpool2d"),
]
