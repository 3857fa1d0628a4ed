"""B7: one training step of a 2-layer LSTM (hidden 128, sequence 32, batch 16, float32).

``nn.LSTM`` -> ``nn.Linear`` on the last time step, squared-error loss, ``backward``, then a manual SGD
update under ``no_grad``: the same code for torch and mygrad (the library is a parameter), the same
initial weights (NumPy draws loaded through ``load_state_dict``).  torch runs its fused CPU LSTM kernel
(one oneDNN node per layer), and so does mygrad (the same node: NumPy over the batch, a loop over time).
The NumPy step is the same network with backpropagation through time written by hand: each layer's input
projection as one GEMM over all time steps, a loop over time for the recurrence, and the weight gradients
as one GEMM each.
"""
from __future__ import annotations

import importlib

import numpy as np

from .base import Case, Implementation, Target, Workload, sgd_training_step

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

    return sgd_training_step(lib, params, loss_and_backward, lr)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def numpy_step(arrays: dict, hidden: int, layers: int, lr: float) -> Implementation:
    """The same step in NumPy: gates in torch's order (input, forget, cell, output)."""
    x, y = arrays["x"], arrays["y"]
    params = {k: v.copy() for k, v in arrays.items() if k not in ("x", "y")}
    seq, batch = x.shape[:2]

    def layer_forward(inputs: np.ndarray, k: int):
        w_ih, w_hh = params[f"lstm.weight_ih_l{k}"], params[f"lstm.weight_hh_l{k}"]
        projected = inputs.reshape(seq * batch, -1) @ w_ih.T
        projected += params[f"lstm.bias_ih_l{k}"] + params[f"lstm.bias_hh_l{k}"]
        projected = projected.reshape(seq, batch, 4 * hidden)
        h = np.zeros((batch, hidden), x.dtype)
        c = np.zeros((batch, hidden), x.dtype)
        hs, cs, acts = np.empty((seq, batch, hidden), x.dtype), np.empty((seq, batch, hidden), x.dtype), []
        for t in range(seq):
            gates = projected[t] + h @ w_hh.T
            i, f = _sigmoid(gates[:, :hidden]), _sigmoid(gates[:, hidden:2 * hidden])
            g, o = np.tanh(gates[:, 2 * hidden:3 * hidden]), _sigmoid(gates[:, 3 * hidden:])
            c = f * c + i * g
            tanh_c = np.tanh(c)
            h = o * tanh_c
            hs[t], cs[t] = h, c
            acts.append((i, f, g, o, tanh_c))
        return hs, cs, acts

    def layer_backward(inputs, hs, cs, acts, g_hs, k: int):
        """Gradients of the layer's weights, and of its inputs (the layer below's outputs)."""
        w_hh = params[f"lstm.weight_hh_l{k}"]
        g_gates = np.empty((seq, batch, 4 * hidden), x.dtype)
        g_h = np.zeros((batch, hidden), x.dtype)
        g_c = np.zeros((batch, hidden), x.dtype)
        for t in reversed(range(seq)):
            i, f, g, o, tanh_c = acts[t]
            g_h = g_h + g_hs[t]
            g_c = g_c + g_h * o * (1 - tanh_c * tanh_c)
            c_prev = cs[t - 1] if t else np.zeros_like(g_c)
            g_gates[t, :, :hidden] = g_c * g * i * (1 - i)
            g_gates[t, :, hidden:2 * hidden] = g_c * c_prev * f * (1 - f)
            g_gates[t, :, 2 * hidden:3 * hidden] = g_c * i * (1 - g * g)
            g_gates[t, :, 3 * hidden:] = g_h * tanh_c * o * (1 - o)
            g_c = g_c * f
            g_h = g_gates[t] @ w_hh
        flat = g_gates.reshape(seq * batch, 4 * hidden)
        h_prev = np.concatenate([np.zeros((1, batch, hidden), x.dtype), hs[:-1]]).reshape(seq * batch, hidden)
        grads = {f"lstm.weight_ih_l{k}": flat.T @ inputs.reshape(seq * batch, -1),
                 f"lstm.weight_hh_l{k}": flat.T @ h_prev,
                 f"lstm.bias_ih_l{k}": flat.sum(axis=0)}
        grads[f"lstm.bias_hh_l{k}"] = grads[f"lstm.bias_ih_l{k}"].copy()
        g_inputs = (flat @ params[f"lstm.weight_ih_l{k}"]).reshape(seq, batch, -1) if k else None
        return grads, g_inputs

    def loss_and_grads():
        inputs, saved = [x], []
        for k in range(layers):
            hs, cs, acts = layer_forward(inputs[-1], k)
            saved.append((hs, cs, acts))
            inputs.append(hs)
        last = inputs[-1][-1]
        diff = last @ params["head.weight"].T + params["head.bias"] - y
        loss = np.vdot(diff, diff)
        g_out = 2 * diff
        grads = {"head.weight": g_out.T @ last, "head.bias": g_out.sum(axis=0)}
        g_hs = np.zeros((seq, batch, hidden), x.dtype)
        g_hs[-1] = g_out @ params["head.weight"]
        for k in reversed(range(layers)):
            layer_grads, g_hs = layer_backward(inputs[k], *saved[k], g_hs, k)
            grads.update(layer_grads)
        return loss, grads

    def run():
        loss, grads = loss_and_grads()
        for name, g in grads.items():
            params[name] -= lr * g
        return loss

    def check():
        loss, grads = loss_and_grads()
        return {"loss": np.asarray(loss), **grads}

    return Implementation(run, check)


def lstm_cases(size: str) -> list:
    seq, batch, hidden, layers = (32, 16, 128, 2) if size == "full" else (4, 2, 8, 2)

    def factory(name):
        def build():
            return library_step(importlib.import_module(name), make_arrays(seq, batch, hidden, layers), hidden,
                                layers, 1e-3)
        return build

    return [Case("B7", f"2-layer LSTM step: hidden {hidden}, sequence {seq}, batch {batch}, float32", "ms/step",
                 2, {"numpy": lambda: numpy_step(make_arrays(seq, batch, hidden, layers), hidden, layers, 1e-3),
                     "torch": factory("torch"), "mygrad": factory("mygrad")}, tolerance=2e-4,
                 targets=[Target("<= 3x torch", "vs_torch", 3.0)])]


B7 = Workload("B7", "2-layer LSTM training step", lstm_cases)
