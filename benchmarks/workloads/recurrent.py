"""B7: one training step of a 2-layer LSTM (hidden 128, sequence 32, batch 16, float32).

``nn.LSTM`` -> ``nn.Linear`` on the last time step, squared-error loss, ``backward``, then a manual SGD
update under ``no_grad``: the same code for torch and mygrad (the library is a parameter), the same
initial weights (NumPy draws loaded through ``load_state_dict``).  torch runs its fused CPU LSTM kernel;
mygrad composes each time step from linear/sigmoid/tanh nodes.  No hand-written NumPy step (yet).
"""
from __future__ import annotations

import importlib

import numpy as np

from .base import Case, Implementation, Target, Workload, as_numpy

INPUT = 32


def make_arrays(seq: int, batch: int, hidden: int, layers: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(hidden)
    arrays = {"x": rng.standard_normal((seq, batch, INPUT)), "y": rng.standard_normal((batch, 1))}
    for k in range(layers):
        fan_in = INPUT if k == 0 else hidden
        arrays[f"lstm.weight_ih_l{k}"] = rng.uniform(-bound, bound, (4 * hidden, fan_in))
        arrays[f"lstm.weight_hh_l{k}"] = rng.uniform(-bound, bound, (4 * hidden, hidden))
        arrays[f"lstm.bias_ih_l{k}"] = rng.uniform(-bound, bound, (4 * hidden,))
        arrays[f"lstm.bias_hh_l{k}"] = rng.uniform(-bound, bound, (4 * hidden,))
    arrays["head.weight"] = rng.uniform(-bound, bound, (1, hidden))
    arrays["head.bias"] = np.zeros(1)
    return {k: v.astype("float32") for k, v in arrays.items()}


def library_step(lib, arrays: dict, hidden: int, layers: int, lr: float) -> Implementation:
    nn = lib.nn
    model = nn.ModuleDict({"lstm": nn.LSTM(INPUT, hidden, num_layers=layers), "head": nn.Linear(hidden, 1)})
    model.load_state_dict({k: lib.tensor(v) for k, v in arrays.items() if k not in ("x", "y")})
    x, y = lib.tensor(arrays["x"]), lib.tensor(arrays["y"])
    params = list(model.named_parameters())

    def loss_and_backward():
        out, _ = model["lstm"](x)
        loss = (model["head"](out[-1]) - y).pow(2).sum()
        loss.backward()
        return loss

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


def lstm_cases(size: str) -> list:
    seq, batch, hidden, layers = (32, 16, 128, 2) if size == "full" else (4, 2, 8, 2)

    def factory(name):
        def build():
            return library_step(importlib.import_module(name), make_arrays(seq, batch, hidden, layers), hidden,
                                layers, 1e-3)
        return build

    return [Case("B7", f"2-layer LSTM step: hidden {hidden}, sequence {seq}, batch {batch}, float32", "ms/step",
                 2, {"torch": factory("torch"), "mygrad": factory("mygrad")}, tolerance=2e-4,
                 targets=[Target("<= 3x torch", "vs_torch", 3.0)])]


B7 = Workload("B7", "2-layer LSTM training step", lstm_cases)
