"""B1 and B2: one training step of the tutorial's two-layer network.

``y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)``, squared-error loss summed,
``loss.backward()``, then under ``no_grad`` an SGD update and ``grad.zero_()`` for each
parameter.  The torch and mygrad steps are the same code (the library is a parameter, as
``import mygrad as torch`` would make it); the NumPy step is the same computation with its
backward written by hand.
"""
from __future__ import annotations

import numpy as np

from .base import Case, Implementation, Target, Workload, as_numpy

PARAMS = ("w1", "b1", "w2", "b2")


def make_arrays(n: int, d_in: int, hidden: int, d_out: int, dtype: str, seed: int = 0) -> dict:
    """Inputs, targets (a noisy linear function of x, as in the tutorial) and initial parameters."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d_in))
    coef = np.array([[0.2], [-1.3], [-0.5]]) if (d_in, d_out) == (3, 1) else rng.standard_normal((d_in, d_out))
    y = x @ coef + 0.1 * rng.standard_normal((n, d_out))
    arrays = dict(x=x, y=y,
                  w1=rng.standard_normal((d_in, hidden)) / np.sqrt(d_in), b1=np.zeros((1, hidden)),
                  w2=rng.standard_normal((hidden, d_out)) / np.sqrt(hidden), b2=np.zeros((1, d_out)))
    return {k: v.astype(dtype) for k, v in arrays.items()}


def library_step(lib, arrays: dict, lr: float) -> Implementation:
    """The tutorial step written against ``lib`` (torch or mygrad)."""
    dtype = getattr(lib, str(arrays["x"].dtype))
    x, y = (lib.tensor(arrays[k], dtype=dtype) for k in ("x", "y"))
    params = [lib.tensor(arrays[k], dtype=dtype, requires_grad=True) for k in PARAMS]
    w1, b1, w2, b2 = params

    def loss_and_backward():
        y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        return loss

    def run():
        loss = loss_and_backward()
        with lib.no_grad():
            for w in params:
                w.sub_(lr * w.grad)
                w.grad.zero_()
        return loss

    def check():
        loss = loss_and_backward()
        values = {"loss": as_numpy(loss)}
        values.update((name, as_numpy(w.grad)) for name, w in zip(PARAMS, params))
        for w in params:
            w.grad.zero_()
        return values

    return Implementation(run, check)


def numpy_step(arrays: dict, lr: float) -> Implementation:
    """The same step in NumPy, backward derived by hand."""
    x, y = arrays["x"], arrays["y"]
    params = [arrays[k].copy() for k in PARAMS]
    w1, b1, w2, b2 = params

    def loss_and_grads():
        h = x @ w1
        h += b1
        a = np.maximum(h, 0)
        diff = a @ w2
        diff += b2
        diff -= y
        loss = np.vdot(diff, diff)
        g_out = diff
        g_out *= 2
        ga = g_out @ w2.T
        ga[h < 0] = 0  # clamp(min=0) passes the gradient where h >= 0, as torch's does
        grads = (x.T @ ga, ga.sum(0, keepdims=True), a.T @ g_out, g_out.sum(0, keepdims=True))
        return loss, grads

    def run():
        loss, grads = loss_and_grads()
        for w, g in zip(params, grads):
            g *= lr
            w -= g
        return loss

    def check():
        loss, grads = loss_and_grads()
        values = {"loss": np.asarray(loss)}
        values.update(zip(PARAMS, grads))
        return values

    return Implementation(run, check)


def _network_case(key, description, unit, threads, dims, dtype, lr, *, targets, memory, tolerance):
    def arrays():
        return make_arrays(*dims, dtype=dtype)

    def lib_factory(name):
        def build():
            import importlib
            return library_step(importlib.import_module(name), arrays(), lr)
        return build

    factories = {"numpy": lambda: numpy_step(arrays(), lr), "torch": lib_factory("torch"),
                 "mygrad": lib_factory("mygrad")}
    return Case(key, description, unit, threads, factories, targets=targets, memory=memory, tolerance=tolerance)


def tutorial_cases(size: str) -> list:
    return [_network_case("B1", "tutorial network step: x 100x3, hidden 32, float64", "us/step", 1,
                          (100, 3, 32, 1), "float64", 1e-4, memory=False, tolerance=1e-9,
                          targets=[Target("<= 2.5x NumPy", "vs_numpy", 2.5)])]


def wide_mlp_cases(size: str) -> list:
    dims = (4096, 256, 1024, 10) if size == "full" else (64, 16, 32, 4)
    shape = "x".join(map(str, dims[:2])) + f" -> {dims[2]} -> {dims[3]}"
    cases = []
    for dtype, tolerance in (("float32", 2e-4), ("float64", 1e-9)):
        cases.append(_network_case(
            f"B2 {dtype}", f"wide MLP step: {shape}, {dtype}", "ms/step", 2, dims, dtype, 1e-6,
            memory=True, tolerance=tolerance,
            targets=[Target("<= 1.10x NumPy", "vs_numpy", 1.10),
                     Target("peak memory <= 1.25x NumPy", "memory_vs_numpy", 1.25)]))
    return cases


B1 = Workload("B1", "tutorial network step", tutorial_cases)
B2 = Workload("B2", "wide MLP step", wide_mlp_cases,
              note="peak memory: tracemalloc's peak over one step (after a warm-up step), counting inputs, "
                   "parameters, gradients and temporaries; NumPy reports its allocations to tracemalloc, "
                   "torch's allocator does not, so torch has no memory figure")
