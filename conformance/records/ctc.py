"""Records for ``F.ctc_loss`` and ``nn.CTCLoss``: torch's CPU kernel (CtcLossBackward0) and the composite
around it (unbatched unsqueeze/squeeze, ``zero_infinity``'s where, ``mean``'s division by target lengths).

Sequences are short (T of 1-6, 1-3 of them, 2-5 classes) so that every branch shows: empty targets, inputs
too short for their target (an infinite loss, NaN gradients unless ``zero_infinity``), zero input lengths,
repeated labels (no skip between them) and labels equal to the blank (torch's last-step overwrite).  Targets
padded 2-D or concatenated 1-D, int64 or int32 (converted as torch converts them); lengths as int64 or
int32 tensors, tuples or lists.  Now and then a length, target size or blank out of range, for torch's errors.
Not drawn: target labels outside [0, C) (torch reads memory outside log_probs).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, real
from .modules import _module_example, _record

F = "nn.functional"
LOG_PROBS = real(-4.0, 1.0)


def _lengths(draw, values: list, unbatched: bool):
    """Lengths as torch takes them: an integral tensor (0-d for an unbatched input now and then), a tuple or a
    list of ints."""
    kind = draw(st.sampled_from(["int64", "int64", "int32", "tuple", "list"]))
    if kind in ("tuple", "list"):
        return tuple(values) if kind == "tuple" else list(values)
    array = np.array(values, np.dtype(kind))
    if unbatched and draw(st.booleans()):
        array = array.reshape(())
    return TensorArg(array, False)


def _rarely(draw, one_in: int) -> bool:
    """True about once in ``one_in`` draws (Hypothesis favours small integers: the top value is the rare one)."""
    return draw(st.integers(1, one_in)) == one_in


def ctc_args():
    @st.composite
    def example(draw, dtype: str):
        t, n, c = draw(st.integers(1, 7)), draw(st.integers(1, 3)), draw(st.integers(2, 5))
        unbatched = n == 1 and draw(st.booleans())
        blank = draw(st.sampled_from([c, -1])) if _rarely(draw, 15) else draw(st.integers(0, c - 1))
        target_lengths = [draw(st.integers(0, min(3, t))) for _ in range(n)]
        input_lengths = [draw(st.integers(0, t)) if _rarely(draw, 4) else t for _ in range(n)]
        if _rarely(draw, 20):
            input_lengths[0] = draw(st.sampled_from([t + 1, -1]))
        if _rarely(draw, 20):
            target_lengths[-1] = -1
        if unbatched or draw(st.booleans()):   # concatenated targets (an unbatched input's are 1-D)
            shape: tuple = (sum(max(v, 0) for v in target_lengths) + _rarely(draw, 20),)
        else:
            width = max(max(target_lengths), 0) + draw(st.integers(0, 2))
            shape = (n, max(width - _rarely(draw, 20), 0))
        values = draw(st.lists(st.integers(0, c - 1), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
        integer = draw(st.sampled_from([np.int64, np.int64, np.int32]))
        # torch's kernel reads concatenated (1-D) targets' batch offsets as if contiguous (a strided view gives
        # another loss than its contiguous copy): those stay contiguous
        targets = TensorArg(np.array(values, integer).reshape(shape), False, contiguous=len(shape) == 1)
        lp_shape = (t, c) if unbatched else (t, n + _rarely(draw, 20), c)
        log_probs = TensorArg(draw(arrays(dtype, lp_shape, LOG_PROBS)), True)
        lengths = (_lengths(draw, input_lengths, unbatched), _lengths(draw, target_lengths, unbatched))
        if isinstance(lengths[0], TensorArg) != isinstance(lengths[1], TensorArg) and not _rarely(draw, 5):
            lengths = (lengths[0], _same_kind(lengths[0], target_lengths))   # (mixed kinds: torch's TypeError)
        kwargs = draw(st.fixed_dictionaries({}, optional={"reduction": st.sampled_from(["mean", "sum", "none"]),
                                                          "zero_infinity": st.booleans()}))
        if blank != 0 or draw(st.booleans()):
            kwargs["blank"] = blank
        return Example((log_probs, targets, *lengths), kwargs)
    return lambda dtype: example(dtype)


def _same_kind(like, values: list):
    """``values`` in the kind of ``like`` (torch takes both lengths as tensors or both as int sequences)."""
    if isinstance(like, TensorArg):
        return TensorArg(np.array(values, like.array.dtype).reshape(like.array.shape), False)
    return type(like)(values)


def ctc_module():
    """The functional examples as ``CTCLoss(blank, reduction, zero_infinity)``'s: all four arguments the
    forward's."""
    def build(dtype: str):
        def make(e) -> object:
            return _module_example("CTCLoss", e.args, (), dict(e.kwargs), inputs=4)
        return ctc_args()(dtype).map(make)
    return build


RECORDS = [
    Record("ctc_loss", ctc_args(), namespace=F, forms=("function",), label="F.ctc_loss"),
    _record("CTCLoss", ctc_module()),
]
