"""What a workload is: cases (table rows), each with one implementation per library.

An implementation is built fresh by a factory, so the runner can build it again under
tracemalloc for the memory figure, and exposes ``run`` (one timed iteration) and
``check`` (the values every implementation must agree on before anything is timed).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass
class Implementation:
    run: Callable[[], object]
    check: Callable[[], dict]  # name -> ndarray: loss, gradients, outputs


@dataclass
class Target:
    """A goal stated in the issue, checked against one figure of a result row."""
    label: str
    metric: str        # a key of the row's figures: "vs_numpy", "vs_torch", "memory_vs_numpy", ...
    limit: float
    strict: bool = False  # True: figure < limit, else figure <= limit

    def met(self, figures: dict, cpu: bool = False):
        """Whether the figure meets the limit (None: no such figure); ``cpu``: judged on CPU time."""
        value = figures.get(self.metric + "_cpu" if cpu else self.metric)
        if value is None:
            return None
        return value < self.limit if self.strict else value <= self.limit


@dataclass
class Case:
    key: str                 # "B2 float32"
    description: str
    unit: str                # "us/step", "ms/step", "us/op"
    threads: int             # torch intra-op threads and BLAS threads for every implementation
    factories: dict          # library name -> () -> Implementation
    ops: int = 1             # the timed time is divided by this (per-op workloads)
    targets: list = field(default_factory=list)
    memory: bool = False     # also measure peak traced memory (NumPy-backed implementations)
    tolerance: float = 1e-9  # relative, against the largest magnitude of each checked value
    growth_over: str | None = None  # key of the same workload at a shorter length: report per-op growth


@dataclass
class Workload:
    key: str
    title: str
    cases: Callable[[str], list]  # size ("tiny" | "full") -> [Case]
    note: str = ""
    report: Callable[[str, int], dict] | None = None  # a workload that measures itself (B5): size, repeat -> row


def as_numpy(value) -> np.ndarray:
    """A torch or mygrad tensor (or array, or number) as a NumPy array copy, for checks."""
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.array(value, copy=True)


def sgd_training_step(lib, params: list, loss_and_backward: Callable, lr: float) -> Implementation:
    """A library's training step: ``loss_and_backward()``, then a plain SGD update of the named ``params``
    under ``no_grad`` with their grads reset to None; ``check`` reports the loss and every gradient."""
    def run():
        loss = loss_and_backward()
        with lib.no_grad():
            for _, w in params:
                w.sub_(lr * w.grad)
                w.grad = None
        return loss

    def check():
        loss = loss_and_backward()
        values = {"loss": as_numpy(loss)}
        values.update((name, as_numpy(w.grad)) for name, w in params)
        for _, w in params:
            w.grad = None
        return values

    return Implementation(run, check)
