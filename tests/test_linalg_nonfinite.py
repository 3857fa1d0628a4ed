"""The SVD family on matrices holding NaN or ±inf, against torch: NumPy's LAPACK can loop forever there, so
mygrad answers first, as torch (MKL) does: a NaN raises torch's LinAlgError naming the batch element, an
infinity gives NaN singular values (and pinv zeros, matrix_rank 0)."""
import numpy as np
import pytest
import torch

import mygrad

CALLS = ["lib.linalg.svd(a)", "lib.linalg.svdvals(a)", "lib.linalg.pinv(a)", "lib.linalg.matrix_rank(a)",
         "lib.linalg.matrix_norm(a, 2)", "lib.linalg.cond(a)", "lib.svd(a)"]


def _outcome(lib, call: str, value: float, batched: bool):
    a = lib.ones(2, 3, 3, dtype=lib.float64) if batched else lib.ones(3, 3, dtype=lib.float64)
    if batched:
        a[1, 0, 0] = value
    else:
        a[0, 0] = value
    try:
        out = eval(call, {"lib": lib, "a": a})
    except Exception as exc:   # noqa: BLE001  (the class and message are what is compared)
        return type(exc).__name__, str(exc)
    parts = out if isinstance(out, tuple) else (out,)
    return [np.isnan(p.detach().numpy()).tolist() for p in parts]


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
@pytest.mark.parametrize("call", CALLS)
def test_the_svd_family_on_non_finite_matrices(call, value, batched):
    mine, theirs = _outcome(mygrad, call, value, batched), _outcome(torch, call, value, batched)
    if isinstance(theirs, tuple):
        assert mine == theirs
    elif call.endswith("svd(a)") and value == float("inf"):   # U and Vh there are LAPACK's own
        assert mine[1] == theirs[1]
    else:
        assert mine == theirs
