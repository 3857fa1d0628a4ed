"""B6: one training step of a small CNN classifier (batch 64, 1x28x28, float32).

``Conv2d(1, 8, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Conv2d(8, 16, 3, padding=1) -> ReLU ->
MaxPool2d(2) -> flatten -> Linear(784, 10)``, ``cross_entropy``, ``backward``, then a manual SGD update
under ``no_grad``.  torch and mygrad run the same code (the library is a parameter) from the same
initial weights (NumPy draws loaded through ``load_state_dict``); the NumPy step is the same network
with its backward written by hand: im2col convolutions (one copy of the padded input's windows, a
GEMM, col2im as one strided add per kernel offset), 2x2 pooling as a reshape and an argmax, and the
softmax cross-entropy gradient in closed form.
"""
from __future__ import annotations

import importlib

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .base import Case, Implementation, Target, Workload, sgd_training_step

CLASSES = 10
CHANNELS = (1, 8, 16)


def make_arrays(batch: int, side: int, seed: int = 0) -> dict:
    """Images, labels and every parameter, drawn once so all three implementations start equal."""
    rng = np.random.default_rng(seed)
    arrays = {"x": rng.standard_normal((batch, 1, side, side)),
              "y": rng.integers(0, CLASSES, batch)}
    for k, (cin, cout) in enumerate(zip(CHANNELS, CHANNELS[1:])):
        bound = 1 / np.sqrt(cin * 9)
        arrays[f"conv{k}.weight"] = rng.uniform(-bound, bound, (cout, cin, 3, 3))
        arrays[f"conv{k}.bias"] = rng.uniform(-bound, bound, cout)
    features = CHANNELS[-1] * (side // 4) ** 2
    bound = 1 / np.sqrt(features)
    arrays["head.weight"] = rng.uniform(-bound, bound, (CLASSES, features))
    arrays["head.bias"] = rng.uniform(-bound, bound, CLASSES)
    return {k: (v if k == "y" else v.astype(np.float32)) for k, v in arrays.items()}


def library_step(lib, arrays: dict, lr: float) -> Implementation:
    nn = lib.nn
    model = nn.ModuleDict({"conv0": nn.Conv2d(1, 8, 3, padding=1), "conv1": nn.Conv2d(8, 16, 3, padding=1),
                           "head": nn.Linear(CHANNELS[-1] * (arrays["x"].shape[-1] // 4) ** 2, CLASSES)})
    model.load_state_dict({k: lib.tensor(v) for k, v in arrays.items() if k not in ("x", "y")})
    x, y = lib.tensor(arrays["x"]), lib.tensor(arrays["y"])
    params = list(model.named_parameters())
    F = nn.functional

    def loss_and_backward():
        h = F.max_pool2d(F.relu(model["conv0"](x)), 2)
        h = F.max_pool2d(F.relu(model["conv1"](h)), 2)
        loss = F.cross_entropy(model["head"](h.flatten(1)), y)
        loss.backward()
        return loss

    return sgd_training_step(lib, params, loss_and_backward, lr)


def _conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray):
    """3x3 convolution, padding 1, as im2col + GEMM; returns the output and the columns backward needs."""
    n, cin, side, _ = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = sliding_window_view(xp, (3, 3), axis=(2, 3)).transpose(0, 1, 4, 5, 2, 3).reshape(n, cin * 9, side * side)
    y = np.matmul(w.reshape(w.shape[0], -1), cols)
    y += b[:, None]
    return y.reshape(n, w.shape[0], side, side), cols


def _conv_backward(g: np.ndarray, cols: np.ndarray, w: np.ndarray, need_input: bool):
    n, cout, side, _ = g.shape
    cin = w.shape[1]
    gy = g.reshape(n, cout, side * side)
    gw = np.matmul(gy, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    gb = gy.sum(axis=(0, 2))
    if not need_input:
        return None, gw, gb
    gcols = np.matmul(w.reshape(cout, -1).T, gy).reshape(n, cin, 3, 3, side, side)
    gxp = np.zeros((n, cin, side + 2, side + 2), g.dtype)
    for i in range(3):
        for j in range(3):
            gxp[:, :, i:i + side, j:j + side] += gcols[:, :, i, j]
    return gxp[:, :, 1:-1, 1:-1], gw, gb


def _relu_pool_forward(h: np.ndarray):
    """ReLU then 2x2 max pooling; returns the output and what backward needs (mask, argmax)."""
    n, c, s, _ = h.shape
    a = np.maximum(h, 0)
    windows = a.reshape(n, c, s // 2, 2, s // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, s // 2, s // 2, 4)
    arg = windows.argmax(axis=-1)[..., None]
    return np.take_along_axis(windows, arg, axis=-1)[..., 0], (h > 0, arg)


def _relu_pool_backward(g: np.ndarray, saved) -> np.ndarray:
    mask, arg = saved
    n, c, half, _ = g.shape
    gw = np.zeros((n, c, half, half, 4), g.dtype)
    np.put_along_axis(gw, arg, g[..., None], axis=-1)
    gh = gw.reshape(n, c, half, half, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, 2 * half, 2 * half)
    gh *= mask
    return gh


def numpy_step(arrays: dict, lr: float) -> Implementation:
    x, y = arrays["x"], arrays["y"]
    params = {k: v.copy() for k, v in arrays.items() if k not in ("x", "y")}

    def loss_and_grads():
        h0, cols0 = _conv_forward(x, params["conv0.weight"], params["conv0.bias"])
        p0, saved0 = _relu_pool_forward(h0)
        h1, cols1 = _conv_forward(p0, params["conv1.weight"], params["conv1.bias"])
        p1, saved1 = _relu_pool_forward(h1)
        flat = p1.reshape(len(x), -1)
        logits = flat @ params["head.weight"].T
        logits += params["head.bias"]
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_z = np.log(np.exp(shifted).sum(axis=1))
        loss = (log_z - shifted[np.arange(len(y)), y]).mean()
        g_logits = np.exp(shifted - log_z[:, None])
        g_logits[np.arange(len(y)), y] -= 1
        g_logits /= len(y)
        grads = {"head.weight": g_logits.T @ flat, "head.bias": g_logits.sum(axis=0)}
        g_p1 = (g_logits @ params["head.weight"]).reshape(p1.shape)
        g_p0, grads["conv1.weight"], grads["conv1.bias"] = _conv_backward(
            _relu_pool_backward(g_p1, saved1), cols1, params["conv1.weight"], True)
        _, grads["conv0.weight"], grads["conv0.bias"] = _conv_backward(
            _relu_pool_backward(g_p0, saved0), cols0, params["conv0.weight"], False)
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


def cnn_training_cases(size: str) -> list:
    batch, side = (64, 28) if size == "full" else (4, 8)

    def factory(name):
        return lambda: library_step(importlib.import_module(name), make_arrays(batch, side), 0.05)

    return [Case("B6", f"small CNN training step: batch {batch}, 1x{side}x{side}, two 3x3 convs + 2x2 pools + "
                 "linear, float32", "ms/step", 1,
                 {"numpy": lambda: numpy_step(make_arrays(batch, side), 0.05), "torch": factory("torch"),
                  "mygrad": factory("mygrad")},
                 targets=[Target("<= 1.25x NumPy", "vs_numpy", 1.25)], memory=True, tolerance=2e-4)]


B6 = Workload("B6", "small CNN training step", cnn_training_cases)
