"""Checking custom ops against torch from an ordinary test module: ``pytest examples/custom_op_conformance``."""
from __future__ import annotations

import pytest
from hypothesis import strategies as st

import conformance
from conformance import Record, real, unary
from my_ops import softplus, softplus_reference, swish

# what to draw: one tensor (0-d to 4-d, empty ones too) over [-4, 4] with 0 drawn often, and a beta
SWISH = Record("swish", unary(real(-4, 4), beta=st.sampled_from([0.5, 1.0, 2.0])), forms=("call",), call=swish)
SOFTPLUS = Record.custom("softplus", unary(real(-4, 4), beta=st.sampled_from([0.5, 1.0, 2.0])),
                         reference=softplus_reference, implementation=softplus)


def test_swish_matches_torch():
    """Every check, every dtype of the record (float32 and float64), 5 examples each."""
    conformance.check(SWISH)


def test_softplus_matches_torch_except_its_nodes():
    conformance.check(SOFTPLUS, checks=["errors", "shape", "dtype", "value", "flags", "grad", "double", "no_grad",
                                        "mutation", "aliasing"])


def test_a_wrong_gradient_is_reported_with_a_repro():
    """What a mismatch looks like: the failure names the check and carries a standalone program."""
    def leaky(x, beta=1.0):     # forgets the 1/beta: right for beta == 1 only
        return (x * beta).exp().log1p()

    wrong = Record.custom("softplus", SOFTPLUS.example, reference=softplus_reference, implementation=leaky)
    with pytest.raises(conformance.ConformanceFailure) as failure:
        conformance.check(wrong, checks=["value", "grad"], dtypes=["float64"], profile="ci")
    assert "value" in str(failure.value) and "import torch" in str(failure.value)
