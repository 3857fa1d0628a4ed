"""Threads, as torch: grad modes are per thread, independent graphs backpropagated in several threads at once
give the gradients they give one after the other, and concurrent backwards into one leaf add up."""
from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

import mygrad

LIBRARIES = pytest.mark.parametrize("lib", [torch, mygrad], ids=["torch", "mygrad"])


def _in_threads(n: int, work) -> list:
    """Run ``work(i)`` in n threads started together; their results in order (an exception re-raised)."""
    results: list = [None] * n
    errors: list = []
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def _grad_modes_seen(lib) -> list:
    def work(i):
        if i == 0:
            with lib.no_grad():
                return lib.is_grad_enabled()
        if i == 1:
            lib.set_grad_enabled(False)
            return lib.is_grad_enabled()
        return lib.is_grad_enabled()
    seen = _in_threads(3, work)
    return seen + [lib.is_grad_enabled()]


def test_grad_modes_are_per_thread():
    assert _grad_modes_seen(mygrad) == _grad_modes_seen(torch)


def _model_grads(lib, seed: int):
    rng = np.random.default_rng(seed)
    w1 = lib.tensor(rng.standard_normal((8, 16)), requires_grad=True)
    w2 = lib.tensor(rng.standard_normal((16, 1)), requires_grad=True)
    x = lib.tensor(rng.standard_normal((32, 8)))
    for _ in range(5):
        loss = ((x.mm(w1).tanh().mm(w2)) ** 2).mean()
        loss.backward()
    return w1.grad.numpy().copy(), w2.grad.numpy().copy()


@LIBRARIES
def test_independent_graphs_in_threads_match_one_after_the_other(lib):
    alone = [_model_grads(lib, seed) for seed in range(4)]
    together = _in_threads(4, lambda i: _model_grads(lib, i))
    for (a1, a2), (t1, t2) in zip(alone, together):
        np.testing.assert_array_equal(a1, t1)
        np.testing.assert_array_equal(a2, t2)


def test_threads_give_torchs_gradients():
    for seed in range(2):
        for ours, theirs in zip(_model_grads(mygrad, seed), _model_grads(torch, seed)):
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
