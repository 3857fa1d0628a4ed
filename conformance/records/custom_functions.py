"""Records for user-defined operations: ``autograd.Function`` subclasses written once against ``lib``.

Each class body below is the same code for torch and for mygrad (``functions(lib)`` builds it with
that library's ``autograd.Function``), so every check of the harness (values, grads, node names such
as ``MulAddBackward``, the graph, double backward, no_grad, mutation, aliasing, errors) runs on the
custom Function machinery itself: saved inputs and outputs, several outputs, a non-differentiable
output, ``mark_dirty``, a differentiable backward and one marked ``once_differentiable``.
"""
from __future__ import annotations

import functools

import numpy as np

from ..registry import Record
from ..strategies import binary, positive, real, unary


@functools.cache
def functions(lib):
    """The custom Functions of ``lib`` (torch or mygrad), built once per library."""
    Function = lib.autograd.Function

    class Exp(Function):  # saves its output: the backward re-attaches it (double backward through Exp)
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    class Cube(Function):  # the setup_context style; a backward made of differentiable ops
        @staticmethod
        def forward(x):
            return x ** 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * g

    class MulAdd(Function):  # two inputs, several outputs; broadcast gradients are summed back by apply
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b, a + b

        @staticmethod
        def backward(ctx, g_prod, g_sum):
            a, b = ctx.saved_tensors
            ga = g_prod * b + g_sum if ctx.needs_input_grad[0] else None
            gb = g_prod * a + g_sum if ctx.needs_input_grad[1] else None
            return ga, gb

    class ReluMask(Function):  # a non-differentiable output (the mask) beside the differentiable one
        @staticmethod
        def forward(ctx, x):
            mask = x > 0
            ctx.mark_non_differentiable(mask)
            ctx.save_for_backward(mask)
            return x * mask, mask

        @staticmethod
        def backward(ctx, g, g_mask):
            mask, = ctx.saved_tensors
            return g * mask

    class Halve_(Function):  # in place: marks its input dirty and returns it
        @staticmethod
        def forward(ctx, x):
            x.mul_(0.5)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 0.5

    class Square(Function):  # once_differentiable: a second derivative is refused
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    return dict(Exp=Exp, Cube=Cube, MulAdd=MulAdd, ReluMask=ReluMask, Halve_=Halve_, Square=Square)


def _apply(name):
    return lambda lib, *args: _as_user(lib, functions(lib)[name].apply, args)


def _as_user(lib, apply, args):
    """``apply(*args)``; given no tensor or an ndarray (a bad call), the forward's arithmetic is NumPy's (the
    user's code, or an ndarray's reflected operator), not the library's, so it runs under one NumPy error
    state in both libraries (the harness's strict state is for the library's kernels)."""
    if any(isinstance(a, lib.Tensor) for a in args) and not any(isinstance(a, np.ndarray) for a in args):
        return apply(*args)
    with np.errstate(all="ignore"):
        return apply(*args)


def _halve(lib, x):
    """mark_dirty needs an input it may modify: a non-leaf copy of the drawn leaf."""
    return functions(lib)["Halve_"].apply(x * 1)


RECORDS = [
    Record("Function (Exp)", unary(real(-3.0, 3.0)), forms=("call",), call=_apply("Exp"), label="Function (Exp)"),
    Record("Function (Cube, setup_context)", unary(real()), forms=("call",), call=_apply("Cube"),
           label="Function (Cube, setup_context)"),
    Record("Function (MulAdd, two outputs)", binary(real(), scalars=False), forms=("call",), call=_apply("MulAdd"),
           label="Function (MulAdd, two outputs)", output="tuple"),
    Record("Function (ReluMask, non-differentiable output)", unary(real(special=(0.0,))), forms=("call",),
           call=_apply("ReluMask"), label="Function (ReluMask, non-differentiable output)", output="tuple"),
    Record("Function (Halve_, mark_dirty)", unary(real()), forms=("call",), call=_halve,
           label="Function (Halve_, mark_dirty)"),
    Record("Function (Square, once_differentiable)", unary(positive()), forms=("call",), call=_apply("Square"),
           label="Function (Square, once_differentiable)"),
]
