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


SIGNED_ZEROS = [[[-0.0]], [[-0.0, -0.0], [-0.0, -0.0]], [[-0.0, 0.0], [0.0, 1.0]], [[1.0, -0.0], [-0.0, -0.0]],
                [[-0.0, -0.0, -0.0]], [[-0.0], [-0.0]]]


@pytest.mark.parametrize("call", ["lib.linalg.svd(a)", "lib.linalg.qr(a)", "lib.linalg.qr(a, mode='complete')"])
@pytest.mark.parametrize("rows", SIGNED_ZEROS)
def test_signed_zeros_are_read_as_torch_reads_them(call, rows):
    """torch's MKL reads -0.0 as +0.0 (NumPy's LAPACK takes its sign: U = [[-1]] for [[-0.0]])."""
    outs = {lib: eval(call, {"lib": lib, "a": lib.tensor(rows, dtype=lib.float64)}) for lib in (torch, mygrad)}
    for mine, theirs in zip(outs[mygrad], outs[torch]):
        assert mine.numpy().tolist() == theirs.numpy().tolist()


NAN, INF = float("nan"), float("inf")
REFLECTORS = [([[1.0, 0.0], [INF, 1.0], [0.5, 0.25]], [0.0, 1.0]), ([[1.0, 0.0], [0.5, 1.0], [0.5, INF]], [1.0, 0.0]),
              ([[1.0, 0.0, 0.0], [NAN, 1.0, 0.0], [0.0, 0.5, 1.0], [0.0, 0.25, 0.5]], [NAN, 0.8, 0.5]),
              ([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]], [NAN, NAN]), ([[1.0], [NAN], [0.5]], [0.0]),
              ([[1.0, 0.0], [0.5, 1.0], [0.5, 3e38]], [1.0, 0.0])]


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("a, tau", REFLECTORS)
def test_householder_product_spreads_nan_and_inf_as_torch(a, tau, create_graph):
    """The product as LAPACK's dorg2r forms it, and torch's backward (in place, or out of place under
    create_graph): the same NaN/inf positions and values."""
    results = {}
    for lib in (torch, mygrad):
        A, T = (lib.tensor(x, dtype=lib.float64, requires_grad=True) for x in (a, tau))
        q = lib.linalg.householder_product(A, T)
        grads = lib.autograd.grad(q, [A, T], lib.ones_like(q) * 0.5, create_graph=create_graph)
        results[lib] = [x.detach().numpy() for x in (q, *grads)]
    for mine, theirs in zip(results[mygrad], results[torch]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)
