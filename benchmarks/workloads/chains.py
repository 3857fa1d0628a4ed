"""B3 and B4: the per-op overhead of recording and back-propagating through long chains.

B3 is a 1,000-op chain of small elementwise ops on a (4,) tensor (the array work is
negligible, so the time is the engine's own); B4 is 100,000 chained additions, which also
shows whether the cost stays linear in the length and the engine avoids recursion.
Times are per forward op, the backward included.
"""
from __future__ import annotations

import importlib

import numpy as np

from .base import Case, Implementation, Target, Workload, as_numpy

CYCLE = 5  # ops per round of the B3 chain: mul by a scalar, add a tensor, exp, log, sub a scalar


def _mixed_chain(y, c, rounds: int):
    for _ in range(rounds):
        y = y * 1.0001
        y = y + c
        y = y.exp()
        y = y.log()
        y = y - 0.001
    return y


def _addition_chain(y, n: int):
    for _ in range(n):
        y = y + 1
    return y


def _library_chain(lib_name: str, forward, length: int) -> Implementation:
    """``forward`` over a (4,) leaf that requires grad, then ``.sum().backward()``."""
    lib = importlib.import_module(lib_name)
    start = np.linspace(0.1, 0.4, 4)
    x = lib.tensor(start, dtype=lib.float64, requires_grad=True)
    c = lib.tensor(np.full(4, 0.001), dtype=lib.float64)

    def run():
        y = forward(x, c, length)
        y.sum().backward()
        x.grad = None
        return y

    def check():
        y = forward(x, c, length)
        y.sum().backward()
        values = {"y": as_numpy(y), "x.grad": as_numpy(x.grad)}
        x.grad = None
        return values

    return Implementation(run, check)


def _numpy_mixed_chain(rounds: int) -> Implementation:
    """B3 by hand: the forward keeps what the backward needs (exp's output), the backward
    applies each op's derivative in reverse order."""
    x = np.linspace(0.1, 0.4, 4)
    c = np.full(4, 0.001)

    def forward_backward():
        saved = []
        y = x
        for _ in range(rounds):
            y = y * 1.0001
            y = y + c
            y = np.exp(y)
            saved.append(y)
            y = np.log(y)
            y = y - 0.001
        g = np.ones_like(y)
        for e in reversed(saved):
            g = g / e      # log
            g = g * e      # exp
            g = g * 1.0001  # mul; add and sub pass g through
        return y, g

    def check():
        y, g = forward_backward()
        return {"y": y, "x.grad": g}

    return Implementation(forward_backward, check)


def mixed_chain_cases(size: str) -> list:
    ops = 1000 if size == "full" else 50
    rounds = ops // CYCLE

    def library(name):
        return lambda: _library_chain(name, lambda x, c, n: _mixed_chain(x, c, n), rounds)

    factories = {"numpy": lambda: _numpy_mixed_chain(rounds), "torch": library("torch"),
                 "mygrad": library("mygrad")}
    return [Case("B3", f"{ops}-op elementwise chain (mul, add, exp, log, sub) on a (4,) float64 tensor",
                 "us/op", 1, factories, ops=ops, targets=[Target("< torch per op", "vs_torch", 1.0, strict=True)])]


def addition_chain_cases(size: str) -> list:
    long = 100_000 if size == "full" else 1_000
    cases = []
    short = long // 10
    for n in (short, long):
        def library(name, n=n):
            return lambda: _library_chain(name, lambda x, c, k: _addition_chain(x, k), n)

        targets = [Target("<= torch per op", "vs_torch", 1.0)]
        if n == long:
            targets.append(Target("linear: per op <= 1.3x that at n/10", "growth", 1.3))
        cases.append(Case(f"B4 n={n:,}", f"{n:,} chained additions y = y + 1 on a (4,) float64 tensor", "us/op",
                          1, {"torch": library("torch"), "mygrad": library("mygrad")}, ops=n, targets=targets,
                          growth_over=f"B4 n={short:,}" if n == long else None))
    return cases


B3 = Workload("B3", "per-op cost in an elementwise chain", mixed_chain_cases)
B4 = Workload("B4", "chained additions", addition_chain_cases,
              note="growth = mygrad's per-op time at n over its per-op time at n/10 (1.0 = linear)")
