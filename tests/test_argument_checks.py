"""The argument check's wrapper (mygrad/ops/_errors.py) around functions that warn: their warnings name the
caller's line as torch's do (``past_checks`` counts past the wrapper's frame), so that wrapping them for
torch's argument errors does not move a warning into mygrad's own code."""
from __future__ import annotations

import warnings

import pytest
import torch

import mygrad


def warned(lib, call):
    """(file, message) of each warning ``call(lib)`` gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(lib)
    return [(w.filename, str(w.message).split(" (Triggered")[0]) for w in caught]


CALLS = {
    "mse_loss target size": lambda t: t.nn.functional.mse_loss(t.ones(3), t.ones(1)),
    "kl_div mean": lambda t: t.nn.functional.kl_div(t.ones(3), t.ones(3)),
    "softmax implicit dim": lambda t: t.nn.functional.softmax(t.ones(2, 3)),
    "std no degrees of freedom": lambda t: t.std(t.ones(1), dim=0),
    "conv1d same padding, even kernel": lambda t: t.nn.functional.conv1d(t.ones(1, 1, 5), t.ones(1, 1, 2),
                                                                         padding="same"),
    "grid_sample align_corners": lambda t: t.nn.functional.grid_sample(t.ones(1, 1, 2, 2), t.zeros(1, 1, 1, 2)),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_a_checked_function_warns_from_the_callers_line(name):
    theirs, mine = warned(torch, CALLS[name]), warned(mygrad, CALLS[name])
    assert theirs, f"torch gave no warning for {name}"
    assert [m for _, m in mine] == [m for _, m in theirs]
    assert [file == __file__ for file, _ in mine] == [file == __file__ for file, _ in theirs], (mine, theirs)


@pytest.mark.filterwarnings("ignore::UserWarning")  # (kl_div's reduction notice)
@pytest.mark.parametrize("bad", ["abc", None, 1.5, [1.0, 2.0, 3.0]])
def test_a_function_that_warns_is_checked_too(bad):
    """mse_loss reads ``target.size()`` first in torch (an AttributeError), kl_div is torch's C++ parser."""
    for name in ("mse_loss", "kl_div"):
        with pytest.raises(Exception) as theirs:
            getattr(torch.nn.functional, name)(torch.ones(3), bad)
        with pytest.raises(Exception) as mine:
            getattr(mygrad.nn.functional, name)(mygrad.ones(3), bad)
        assert type(mine.value) is type(theirs.value), (name, bad, mine.value, theirs.value)
