"""Floating sums in torch's order (mygrad/_summation.py) against the installed torch, bit for bit: random
shapes, reduced dims and memory layouts, with terms whose magnitudes differ so that any other order shows."""
import numpy as np
import pytest
import torch

import mygrad
from mygrad._summation import add_reduce, ordered_prod, torch_prod, torch_sum


def _bits(a) -> bytes:
    return np.ascontiguousarray(np.atleast_1d(a)).tobytes()


def _terms(rng, shape, dtype):
    top = 16 if dtype == np.float64 else 7
    return (rng.choice([-1, 1], size=shape) * 10.0 ** rng.integers(-3, top, size=shape)
            * rng.random(size=shape)).astype(dtype)


@pytest.fixture(autouse=True)
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)   # torch splits sums of 32768+ elements between threads
    yield
    torch.set_num_threads(previous)


@pytest.mark.parametrize("seed", range(4))
def test_torch_sum_adds_in_torchs_order(seed):
    rng = np.random.default_rng(seed)
    differ_from_numpy = 0
    for _ in range(250):
        dtype = rng.choice([np.float32, np.float64])
        ndim = int(rng.integers(1, 5))
        shape = tuple(int(rng.integers(1, 300 if ndim == 1 else 40 if ndim == 2 else 7)) for _ in range(ndim))
        x = _terms(rng, shape, dtype)
        t = torch.from_numpy(x)
        if ndim >= 2 and rng.random() < 0.4:   # a permuted layout: the order of the loops follows the strides
            perm = [int(p) for p in rng.permutation(ndim)]
            t = torch.from_numpy(np.ascontiguousarray(x.transpose(perm))).permute(*np.argsort(perm).tolist())
            x = t.numpy()
        axes = tuple(sorted(int(a) for a in rng.choice(ndim, size=int(rng.integers(1, ndim + 1)), replace=False)))
        keepdim = bool(rng.random() < 0.5)
        expected = t.sum(dim=axes, keepdim=keepdim).numpy()
        got = torch_sum(x, axes, keepdim)
        assert got.shape == expected.shape and _bits(got) == _bits(expected), (shape, x.strides, axes, keepdim)
        differ_from_numpy += _bits(np.add.reduce(x, axis=axes, keepdims=keepdim)) != _bits(expected)
    assert differ_from_numpy > 50   # (the terms are such that NumPy's pairwise order often shows)


@pytest.mark.parametrize("n", [70000, 4099])   # the cascade's higher levels
def test_long_sums(n):
    x = _terms(np.random.default_rng(n), (n,), np.float32)
    assert _bits(torch_sum(x, (0,))) == _bits(torch.from_numpy(x).sum().numpy())


@pytest.mark.parametrize("values", [[3e38, 3e38, -3e38, -3e38] * 3, [np.inf, -np.inf, 1.0], [np.nan, 1.0, 2.0],
                                    [-0.0, -0.0, -0.0], [1e30, 1.0, -1e30, 1.0, 1.0, 1.0, 1.0, 1.0]])
def test_where_the_order_shows_mygrad_sums_as_torch(values):
    """Overflow (inf against NaN) and cancellation: the library's sum, mean and a broadcast gradient."""
    for dtype in ("float32", "float64"):
        results = []
        for lib in (torch, mygrad):
            x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
            w = lib.tensor(1.0, dtype=getattr(lib, dtype), requires_grad=True)
            (x * w).sum().backward()            # w's gradient sums the broadcast terms
            results.append([x.sum().detach().numpy(), x.mean().detach().numpy(), w.grad.numpy()])
        for mine, theirs in zip(results[1], results[0]):
            assert _bits(mine) == _bits(theirs), (values, dtype, mine, theirs)


def test_a_short_double_sum_is_torchs_to_the_last_bit():
    """A single result of up to 64 contiguous doubles is torch's sum bit for bit, whether or not it cancels
    (a backward adds such sums together later, where their last bits can be all that is left)."""
    rng = np.random.default_rng(7)
    for n in range(3, 65):
        x = _terms(rng, (n,), np.float64)
        assert _bits(add_reduce(x, (0,))) == _bits(torch.from_numpy(x).sum().numpy())
        y = x.reshape(1, n)
        assert _bits(add_reduce(y, (0, 1), keepdims=True)) == _bits(torch.from_numpy(y).sum((0, 1), True).numpy())


def test_a_well_conditioned_sum_stays_numpys():
    """Training-sized sums stay with NumPy's pairwise sum (many times faster), where orders differ in the
    last bits only."""
    x = np.random.default_rng(0).random((100, 32))
    assert _bits(add_reduce(x, (0,))) == _bits(np.add.reduce(x, axis=(0,)))


@pytest.mark.parametrize("seed", range(2))
def test_torch_prod_multiplies_in_torchs_order(seed):
    """Factors near the ends of the range (max, tiny, inf, 0): a product that over- or underflows part way
    is inf, 0 or NaN as torch's loop order has it; ``ordered_prod`` (prod's forward) agrees too."""
    rng = np.random.default_rng(seed)
    differ_from_numpy = 0
    for _ in range(400):
        dtype = rng.choice([np.float32, np.float64])
        ndim = int(rng.integers(1, 4))
        shape = tuple(int(rng.integers(1, 80 if ndim == 1 else 30)) for _ in range(ndim))
        info = np.finfo(dtype)
        values = np.array([0.5, 2.0, -1.5, 3.0, 1e-30, 1e30, info.max, info.tiny, 1.7, -0.9, 0.0, np.inf], dtype)
        x = rng.choice(values, size=shape, p=[0.15, 0.15, 0.15, 0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.1, 0.03, 0.02])
        if ndim >= 2 and rng.random() < 0.4:
            x = np.transpose(x, [int(p) for p in rng.permutation(ndim)])
        t = torch.from_numpy(x)
        if rng.random() < 0.5:
            dim = int(rng.integers(0, ndim))
            want, axes = t.prod(dim).numpy(), (dim,)
        else:
            want, axes = t.prod().numpy(), tuple(range(ndim))
        with np.errstate(all="ignore"):
            differ_from_numpy += _bits(want) != _bits(np.multiply.reduce(x, axis=axes))
        assert _bits(torch_prod(x, axes)) == _bits(want), (shape, x.strides, axes, dtype)
        assert _bits(ordered_prod(x, axes)) == _bits(want), (shape, x.strides, axes, dtype)
    assert differ_from_numpy   # (the test can fail: NumPy's order differs on these factors)
