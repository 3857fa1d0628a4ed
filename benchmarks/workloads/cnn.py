"""B8: forward and backward of a CNN's layers and attention: conv2d, max_pool2d and
scaled_dot_product_attention.

Each case is one forward and one backward with a fixed upstream gradient, in mygrad, in torch
eager, and written by hand in NumPy the way one would without a framework: conv2d as im2col
(one copy of the padded input's 3x3 windows), a GEMM per sample, and for the backward the weight
gradient from the same columns and the input gradient as a GEMM followed by col2im (one strided
add per kernel offset); max_pool2d as a reshape of the 2x2 windows, an argmax, and the gradient put
back at the argmax; attention as softmax(q k^T / sqrt(E)) v with the probabilities kept for the
backward (the softmax gradient as p * (dp - rowsum(dp * p))).
"""
from __future__ import annotations

import importlib

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .base import Case, Implementation, Target, Workload, as_numpy


def _conv_arrays(size: str, seed: int = 0) -> dict:
    n, cin, cout, side = (32, 32, 64, 32) if size == "full" else (2, 4, 8, 8)
    rng = np.random.default_rng(seed)
    arrays = {"x": rng.standard_normal((n, cin, side, side)),
              "w": rng.standard_normal((cout, cin, 3, 3)) / np.sqrt(cin * 9),
              "b": rng.standard_normal(cout) * 0.1,
              "g": rng.standard_normal((n, cout, side, side))}
    return {k: v.astype(np.float32) for k, v in arrays.items()}


def _library_conv(lib_name: str, arrays: dict) -> Implementation:
    lib = importlib.import_module(lib_name)
    x, w, b = (lib.tensor(arrays[k], requires_grad=True) for k in ("x", "w", "b"))
    g = lib.tensor(arrays["g"])

    def step():
        y = lib.nn.functional.conv2d(x, w, b, padding=1)
        y.backward(g)
        return y

    def run():
        y = step()
        x.grad = w.grad = b.grad = None
        return y

    def check():
        y = step()
        values = {"y": as_numpy(y), "x.grad": as_numpy(x.grad), "w.grad": as_numpy(w.grad),
                  "b.grad": as_numpy(b.grad)}
        x.grad = w.grad = b.grad = None
        return values

    return Implementation(run, check)


def _numpy_conv(arrays: dict) -> Implementation:
    x, w, b, g = arrays["x"], arrays["w"], arrays["b"], arrays["g"]
    n, cin, side, _ = x.shape
    cout = w.shape[0]

    def step():
        xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        windows = sliding_window_view(xp, (3, 3), axis=(2, 3))          # (N, C, H, W, 3, 3), a view
        cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, cin * 9, side * side)  # im2col: the one copy
        wm = w.reshape(cout, cin * 9)
        y = np.matmul(wm, cols)
        y += b[:, None]
        gy = g.reshape(n, cout, side * side)
        gb = gy.sum(axis=(0, 2))
        gw = np.matmul(gy, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
        gcols = np.matmul(wm.T, gy).reshape(n, cin, 3, 3, side, side)
        gxp = np.zeros(xp.shape, x.dtype)
        for i in range(3):
            for j in range(3):
                gxp[:, :, i:i + side, j:j + side] += gcols[:, :, i, j]
        return y.reshape(n, cout, side, side), gxp[:, :, 1:-1, 1:-1], gw, gb

    def check():
        y, gx, gw, gb = step()
        return {"y": y, "x.grad": gx, "w.grad": gw, "b.grad": gb}

    return Implementation(step, check)


def _pool_arrays(size: str, seed: int = 1) -> dict:
    shape = (32, 64, 32, 32) if size == "full" else (2, 4, 8, 8)
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal(shape).astype(np.float32),
            "g": rng.standard_normal(shape[:2] + (shape[2] // 2, shape[3] // 2)).astype(np.float32)}


def _library_pool(lib_name: str, arrays: dict) -> Implementation:
    lib = importlib.import_module(lib_name)
    x = lib.tensor(arrays["x"], requires_grad=True)
    g = lib.tensor(arrays["g"])

    def step():
        y = lib.nn.functional.max_pool2d(x, 2)
        y.backward(g)
        return y

    def run():
        y = step()
        x.grad = None
        return y

    def check():
        y = step()
        values = {"y": as_numpy(y), "x.grad": as_numpy(x.grad)}
        x.grad = None
        return values

    return Implementation(run, check)


def _numpy_pool(arrays: dict) -> Implementation:
    x, g = arrays["x"], arrays["g"]
    n, c, h, w = x.shape

    def step():
        windows = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
        arg = windows.argmax(axis=-1)[..., None]
        y = np.take_along_axis(windows, arg, axis=-1)[..., 0]
        gw = np.zeros(windows.shape, x.dtype)
        np.put_along_axis(gw, arg, g[..., None], axis=-1)
        gx = gw.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h, w)
        return y, gx

    def check():
        y, gx = step()
        return {"y": y, "x.grad": gx}

    return Implementation(step, check)


def _attention_arrays(size: str, seed: int = 2) -> dict:
    shape = (8, 8, 128, 64) if size == "full" else (2, 2, 8, 4)
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(shape).astype(np.float32) for k in ("q", "k", "v", "g")}


def _library_attention(lib_name: str, arrays: dict) -> Implementation:
    lib = importlib.import_module(lib_name)
    q, k, v = (lib.tensor(arrays[name], requires_grad=True) for name in ("q", "k", "v"))
    g = lib.tensor(arrays["g"])

    def step():
        y = lib.nn.functional.scaled_dot_product_attention(q, k, v)
        y.backward(g)
        return y

    def run():
        y = step()
        q.grad = k.grad = v.grad = None
        return y

    def check():
        y = step()
        values = {"y": as_numpy(y), "q.grad": as_numpy(q.grad), "k.grad": as_numpy(k.grad),
                  "v.grad": as_numpy(v.grad)}
        q.grad = k.grad = v.grad = None
        return values

    return Implementation(run, check)


def _numpy_attention(arrays: dict) -> Implementation:
    q, k, v, g = arrays["q"], arrays["k"], arrays["v"], arrays["g"]
    scale = np.float32(1 / np.sqrt(q.shape[-1]))

    def step():
        s = np.matmul(q * scale, k.swapaxes(-1, -2))
        s -= s.max(axis=-1, keepdims=True)
        p = np.exp(s, out=s)
        p /= p.sum(axis=-1, keepdims=True)
        y = np.matmul(p, v)
        gv = np.matmul(p.swapaxes(-1, -2), g)
        dp = np.matmul(g, v.swapaxes(-1, -2))
        dp -= (dp * p).sum(axis=-1, keepdims=True)
        dp *= p
        gq = np.matmul(dp, k) * scale
        gk = np.matmul(dp.swapaxes(-1, -2), q) * scale
        return y, gq, gk, gv

    def check():
        y, gq, gk, gv = step()
        return {"y": y, "q.grad": gq, "k.grad": gk, "v.grad": gv}

    return Implementation(step, check)


def cnn_cases(size: str) -> list:
    targets = [Target("<= 1.25x NumPy", "vs_numpy", 1.25), Target("peak memory <= 1.5x NumPy", "memory_vs_numpy", 1.5)]
    conv_shape = "x 32x32x32x32, w 64x32x3x3, padding 1" if size == "full" else "tiny"
    pool_shape = "x 32x64x32x32, kernel 2" if size == "full" else "tiny"
    attention_shape = "q, k, v 8x8x128x64 (batch, heads, length, head dim)" if size == "full" else "tiny"

    def conv(name):
        return lambda: _library_conv(name, _conv_arrays(size))

    def pool(name):
        return lambda: _library_pool(name, _pool_arrays(size))

    def attention(name):
        return lambda: _library_attention(name, _attention_arrays(size))

    cases = [Case("B8 conv2d", f"conv2d forward+backward: {conv_shape}, float32", "ms/step", 1,
                  {"numpy": lambda: _numpy_conv(_conv_arrays(size)), "torch": conv("torch"), "mygrad": conv("mygrad")},
                  targets=targets, memory=True, tolerance=2e-4),
             Case("B8 max_pool2d", f"max_pool2d forward+backward: {pool_shape}, float32", "ms/step", 1,
                  {"numpy": lambda: _numpy_pool(_pool_arrays(size)), "torch": pool("torch"), "mygrad": pool("mygrad")},
                  targets=targets, memory=True, tolerance=1e-6),
             Case("B8 scaled_dot_product_attention",
                  f"scaled_dot_product_attention forward+backward: {attention_shape}, float32", "ms/step", 1,
                  {"numpy": lambda: _numpy_attention(_attention_arrays(size)), "torch": attention("torch"),
                   "mygrad": attention("mygrad")},
                  targets=targets, memory=True, tolerance=1e-4)]
    return cases


B8 = Workload("B8", "CNN layers and attention: conv2d, max_pool2d, scaled_dot_product_attention", cnn_cases)
