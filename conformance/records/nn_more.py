"""Records for the remaining ``nn.functional`` functions: circular ``pad``, ``local_response_norm``,
``pdist``, the multi-class margin losses, ``embedding_bag``, ``affine_grid``/``grid_sample``.

Shapes are small and realistic; pads and sizes reach past what torch accepts now and then, so its
errors are compared too.
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, real

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


RECORDS = [
    Record("pad", circular_pad_args(), namespace=F, forms=("function",), label="F.pad (circular)"),
    Record("local_response_norm", lrn_args(), namespace=F, forms=("function",), label="F.local_response_norm"),
    Record("pdist", pdist_args(), namespace=F, forms=("function",), label="F.pdist"),
]
