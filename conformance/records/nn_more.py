"""Records for the remaining ``nn.functional`` functions: circular ``pad``, ``local_response_norm``,
``pdist``, the multi-class margin losses, ``embedding_bag``, ``affine_grid``/``grid_sample``.

Shapes are small and realistic; pads and sizes reach past what torch accepts now and then, so its
errors are compared too.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, finite, real

F = "nn.functional"
VALUES = real()


def _tensor(dtype: str, shape: tuple, flag: bool = True, values=VALUES) -> st.SearchStrategy:
    return arrays(dtype, shape, values).map(lambda a: TensorArg(a, flag))


def circular_pad_args():
    """An input of 2-5 dims and (before, after) pairs for its last 1-3 dims, from crops to pads up to
    one past the dim's size (torch refuses wrapping around more than once, and empty results from crops).
    A margin wider than the cropped input is left out: torch then copies from memory it never wrote
    (the left margin) or through an overlapping self-copy (the right one), so its values are undefined."""
    @st.composite
    def example(draw, dtype: str):
        ndim = draw(st.integers(2, 5))
        shape = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
        pairs = draw(st.integers(1, min(3, ndim)))
        pads = [draw(st.integers(-2, 3 if draw(st.integers(0, 4)) == 0 else 2)) for _ in range(2 * pairs)]
        for i in range(pairs):
            size, lo, hi = shape[ndim - 1 - i], pads[2 * i], pads[2 * i + 1]
            kept = size - max(-lo, 0) - max(-hi, 0)
            if lo <= size and hi <= size and kept >= 0:  # (no error: clamp the margins to the kept input)
                pads[2 * i], pads[2 * i + 1] = min(lo, kept), min(hi, kept)
        pads = tuple(pads)
        return Example((draw(_tensor(dtype, shape)), pads), {"mode": "circular"})
    return lambda dtype: example(dtype)


def lrn_args():
    """An input of 2-5 dims (2: torch's ValueError; now and then a zero-size batch), a window of 1-4
    channels (wider than the channel count too), and alpha/beta/k from the defaults to large values."""
    @st.composite
    def example(draw, dtype: str):
        ndim = draw(st.sampled_from([2, 3, 3, 4, 4, 5]))
        shape = (draw(st.sampled_from([1, 2, 2, 0])),) + tuple(draw(st.integers(1, 4)) for _ in range(ndim - 1))
        kwargs = draw(st.fixed_dictionaries({}, optional={"alpha": st.sampled_from([1e-4, 0.5, 2.0]),
                                                          "beta": st.sampled_from([0.75, 0.5, 1.5]),
                                                          "k": st.sampled_from([1.0, 2.0])}))
        return Example((draw(_tensor(dtype, shape)), draw(st.integers(1, 4))), kwargs)
    return lambda dtype: example(dtype)


def pdist_args():
    """(n, m) rows with n of 1-5 (no rows at all crashes torch's backward: a segfault; one row gives no
    pairs), a 1-D or 3-D input now and then, for torch's error), rows sometimes
    repeated (zero distances, where the p < 2 gradients are skipped) and ties (the inf norm's maxima),
    p from 0 through fractions to inf (and a negative one, refused)."""
    @st.composite
    def example(draw, dtype: str):
        shape = draw(st.sampled_from([None] * 8 + [(3,), (2, 2, 2)]))
        n, m = draw(st.integers(1, 5)), draw(st.integers(1, 4))
        x = draw(arrays(dtype, shape or (n, m), VALUES, ties=True)).copy()
        if shape is None and n > 2 and draw(st.booleans()):
            x[1] = x[0]
        p = draw(st.sampled_from([2, 2.0, 0, 1, 0.5, 1.5, 3, float("inf"), -1.0]))
        return Example((TensorArg(x, True),), {"p": p})
    return lambda dtype: example(dtype)


REDUCTION = st.sampled_from(["mean", "sum", "none"])
GRID = real(-2.0, 2.0)


def _ints(shape: tuple, low: int, high: int) -> st.SearchStrategy:
    return st.lists(st.integers(low, high), min_size=math.prod(shape), max_size=math.prod(shape)).map(
        lambda v: TensorArg(np.array(v, np.int64).reshape(shape), False))


def multi_margin_args():
    """Scores (C,), (N, C) with N of 0-4 (0 only unreduced: torch reduces no rows to uninitialised memory),
    or one 0-d score, drawn with ties (hinges exactly at 0); int64
    classes (now and then one out of range, or a target of the wrong size); p 1 or 2 (3: refused), margins,
    an optional class weight, each reduction; rarely a 3-D or class-less input (refused)."""
    @st.composite
    def example(draw, dtype: str):
        kind = draw(st.sampled_from(["batch"] * 6 + ["single"] * 2 + ["scalar", "bad"]))
        n, c = draw(st.integers(0, 4)), draw(st.integers(1, 4))
        shape = {"batch": (n, c), "single": (c,), "scalar": (), "bad": draw(st.sampled_from([(2, c, 2), (2, 0)]))}[kind]
        c = 1 if kind == "scalar" else shape[-1]
        tshape = (n,) if kind == "batch" else draw(st.sampled_from([(), (1,)])) if kind != "bad" else (2,)
        if draw(st.integers(0, 9)) == 0:
            tshape = (len(tshape) and tshape[0] + 1,)
        out_of_range = draw(st.integers(0, 9)) == 0
        target = draw(_ints(tshape, -1 if out_of_range else 0, c if out_of_range else max(c - 1, 0)))
        kwargs = draw(st.fixed_dictionaries({"reduction": REDUCTION}, optional={
            "p": st.sampled_from([1, 2, 2, 3]), "margin": st.sampled_from([1.0, 0.5, 0.0, 2])}))
        if kind == "batch" and n == 0:
            kwargs["reduction"] = "none"
        if draw(st.booleans()):
            kwargs["weight"] = TensorArg(draw(arrays(dtype, (max(c, 1),), real(0.0, 2.0))), False)
        x = TensorArg(draw(arrays(dtype, shape, GRID, ties=True)), True)
        return Example((x, target), kwargs)
    return lambda dtype: example(dtype)


def multilabel_margin_args():
    """Scores (C,) or (N, C) (N of 1-4: with no rows torch reduces uninitialised memory) with ties, and
    targets of the same shape listing classes up to the first -1 (anything after it is ignored, and may
    repeat); now and then a target out of range or of the wrong shape; each reduction."""
    @st.composite
    def example(draw, dtype: str):
        c = draw(st.integers(1, 4))
        shape = draw(st.sampled_from([(c,), (draw(st.integers(1, 4)), c), (draw(st.integers(1, 4)), c)]))
        tshape = shape if draw(st.integers(0, 9)) else shape[:-1] + (c + 1,)
        high = c if draw(st.integers(0, 9)) == 0 else c - 1
        kwargs = draw(st.fixed_dictionaries({"reduction": REDUCTION}))
        if len(shape) == 2 and draw(st.integers(0, 9)) == 0 and kwargs["reduction"] == "none":
            shape, tshape = (0, c), (0, c)
        x = TensorArg(draw(arrays(dtype, shape, GRID, ties=True)), True)
        return Example((x, draw(_ints(tshape, -1, high))), kwargs)
    return lambda dtype: example(dtype)


def embedding_bag_kept_off(offsets: int) -> tuple:
    """The bad offsets (argument ``offsets``) torch's embedding_bag kernel cannot take: it reads out of bounds."""
    return ((f"error_inputs: argument {offsets} as an empty tensor",
             "empty offsets for a non-empty 1-D input: torch 2.13's kernel segfaults (measured: "
             "F.embedding_bag(tensor([2,0,4,0,0]), zeros(5,3,dtype=float64), tensor([],dtype=int64)), exit 139)"),
            (f"error_inputs: argument {offsets} as a tensor whose last dim does not match",
             "tiled, so decreasing, offsets: torch's kernel reads past its bags (an internal assert "
             "'Expected i < index_size' or values that vary with max_norm and the dtype)"))


def embedding_bag_args():
    """A (num, dim) weight, drawn with ties (max mode's first-maximum rule), and bags: a 1-D input with
    non-decreasing offsets from 0 (empty bags included; with ``include_last_offset`` the last offset is the
    input's length, as torch's kernel assumes: it writes out of bounds otherwise) or a 2-D input of fixed
    bags; each mode, ``per_sample_weights`` (refused outside sum), ``padding_idx`` in range or negative,
    ``max_norm`` now and then (it renormalises the weight in place).  Now and then an index or padding_idx
    out of range; ``scale_grad_by_freq`` (refused in max mode).  Not drawn: no bags at all (torch's kernel
    segfaults)."""
    @st.composite
    def example(draw, dtype: str):
        num, dim = draw(st.integers(1, 5)), draw(st.integers(1, 3))
        weight = TensorArg(draw(arrays(dtype, (num, dim), GRID, ties=True)), draw(st.integers(0, 4)) > 0)
        high = num if draw(st.integers(0, 14)) == 0 else num - 1
        mode = draw(st.sampled_from(["sum", "mean", "max"]))
        kwargs = {"mode": mode} if mode != "mean" or draw(st.booleans()) else {}
        if draw(st.integers(0, 3)) == 0:
            rows, width = draw(st.integers(1, 3)), draw(st.integers(1, 3))
            x = draw(_ints((rows, width), 0, high))
            shape = (rows, width)
            args = (x, weight)
        else:
            length = draw(st.integers(1, 6))
            x = draw(_ints((length,), 0, high))
            last = draw(st.booleans())
            n = draw(st.integers(2 if last else 1, 4))
            cuts = sorted(draw(st.lists(st.integers(0, length), min_size=n - 1, max_size=n - 1)))
            if last:  # the last offset closes the last bag at the input's end (torch's kernel assumes so)
                cuts[-1] = length
                kwargs["include_last_offset"] = True
            offsets = TensorArg(np.array([0] + cuts, np.int64), False)
            shape = (length,)
            args = (x, weight, offsets)
        if draw(st.integers(0, 2)) == 0 and (mode == "sum" or draw(st.integers(0, 4)) == 0):
            kwargs["per_sample_weights"] = TensorArg(draw(arrays(dtype, shape, GRID)), True)
        if draw(st.booleans()):
            kwargs["padding_idx"] = draw(st.integers(-num - (draw(st.integers(0, 9)) == 0), num - 1))
        if draw(st.integers(0, 5)) == 0:
            kwargs["max_norm"] = 1.0
        if draw(st.integers(0, 3)) == 0:
            kwargs["scale_grad_by_freq"] = True
        return Example(args, kwargs)
    return lambda dtype: example(dtype)


def affine_grid_args():
    """A batch of 0-2 2-D (N, 2, 3) or 3-D (N, 3, 4) affine maps and an output size of 1-4 per spatial dim
    (align_corners both ways); now and then a map of the wrong shape or batch, or an empty size."""
    @st.composite
    def example(draw, dtype: str):
        nd = draw(st.sampled_from([2, 2, 3]))
        n = draw(st.integers(1, 2))
        tshape = (n, nd, nd + 1) if draw(st.integers(0, 9)) else (n, 5 - nd, 6 - nd)
        size = (n if draw(st.integers(0, 9)) else n + 1, draw(st.integers(1, 3)),
                *(draw(st.integers(0 if draw(st.integers(0, 9)) == 0 else 1, 4)) for _ in range(nd)))
        return Example((draw(_tensor(dtype, tshape)), size), {"align_corners": draw(st.booleans())})
    return lambda dtype: example(dtype)


def grid_sample_args():
    """A 4-D or 5-D input (batch 0-2, 1-2 channels, spatial sizes 1-4) and a grid of 1-3 points per output
    dim with coordinates in [-1.5, 1.5] (ties: points exactly on pixels, borders and beyond them), each mode
    and padding mode, align_corners both ways; now and then a grid of the wrong batch or width, or an
    empty spatial dim (refused)."""
    @st.composite
    def example(draw, dtype: str):
        nd = draw(st.sampled_from([2, 2, 3]))
        n = draw(st.integers(0, 2))
        spatial = tuple(draw(st.integers(1, 4 if nd == 2 else 3)) for _ in range(nd))
        if draw(st.integers(0, 19)) == 0:
            spatial = (0,) + spatial[1:]
        out = tuple(draw(st.integers(1, 3)) for _ in range(nd))
        gshape = (n if draw(st.integers(0, 14)) else n + 1, *out, nd if draw(st.integers(0, 14)) else nd + 1)
        x = draw(_tensor(dtype, (n, draw(st.integers(1, 2)), *spatial)))
        # the grid stays finite: at NaN/inf/huge coordinates torch's grid_sampler backward crashes the process
        # (SIGSEGV inside torch's backward, measured with CONFORMANCE_HOSTILE=1 at the ci profile: the
        # coordinate turned into an index out of bounds); the input draws hostile values
        g = draw(_tensor(dtype, gshape, values=finite(real(-1.5, 1.5))))
        kwargs = {"mode": draw(st.sampled_from(["bilinear", "nearest"])),
                  "padding_mode": draw(st.sampled_from(["zeros", "border", "reflection"])),
                  "align_corners": draw(st.booleans())}
        return Example((x, g), kwargs)
    return lambda dtype: example(dtype)


# torch's own answers at the largest floats, which its kernels' libraries decide:
PDIST_POW = (("hostile: overflow", "pdist's kernel raises to p and 1/p with its vectorised pow, about an ulp off "
                                   "libm's (measured, float32: torch.pdist([[max], [0]], 0.5) is inf where "
                                   "pow(pow(max, 0.5), 2) is 3.4028233e38; pdist([[1e30], [0]], 0.5) is "
                                   "9.9999994e29): a distance within an ulp of the largest float overflows or not "
                                   "by it"),)
AFFINE_GRID_BMM = (("hostile: overflow", "affine_grid is a batched matrix product of the base grid and theta: "
                                         "products of the largest floats overflow or cancel as the BLAS kernel's "
                                         "order and fused multiply-adds have it (measured, float64: a grid point "
                                         "of theta's row of -max is -1.9958e292 in torch's MKL, the rounding "
                                         "residue an FMA keeps, and 0.0 in NumPy's OpenBLAS)"),)

RECORDS = [
    Record("pad", circular_pad_args(), namespace=F, forms=("function",), label="F.pad (circular)"),
    Record("local_response_norm", lrn_args(), namespace=F, forms=("function",), label="F.local_response_norm"),
    Record("pdist", pdist_args(), namespace=F, forms=("function",), label="F.pdist", unchecked=PDIST_POW),
    Record("multi_margin_loss", multi_margin_args(), namespace=F, forms=("function",), label="F.multi_margin_loss"),
    Record("multilabel_margin_loss", multilabel_margin_args(), namespace=F, forms=("function",),
           label="F.multilabel_margin_loss"),
    Record("embedding_bag", embedding_bag_args(), namespace=F, forms=("function",), label="F.embedding_bag",
           unchecked=embedding_bag_kept_off(2)),
    Record("affine_grid", affine_grid_args(), namespace=F, forms=("function",), label="F.affine_grid",
           unchecked=AFFINE_GRID_BMM),
    Record("grid_sample", grid_sample_args(), namespace=F, forms=("function",), label="F.grid_sample"),
]
