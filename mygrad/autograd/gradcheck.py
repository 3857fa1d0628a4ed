"""torch.autograd.gradcheck: analytical gradients against central finite differences.

The slow mode of torch's gradcheck, with its tolerances, checks and message layout (a failure
raises ``GradcheckError`` naming the output and input, then the numerical and the analytical
Jacobian, each laid out (input element, output element)).  ``fast_mode=True`` is accepted and
runs the same full check (torch's fast mode projects onto random vectors: cheaper, same verdict
up to tolerance).  ``check_forward_ad`` compares forward-mode AD's Jacobian too (``forward_ad``, a
custom Function's ``jvp``); ``check_batched_grad`` needs vmap, which mygrad does not have: asking for
it raises ``NotImplementedError``.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .anomaly_mode import _caller_level
from .backends import TENSOR as _TENSOR  # (mygrad.Tensor, bound once mygrad has loaded)

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck when a check fails."""


def _as_tuple(x: Any) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, _TENSOR["Tensor"])


def _check_inputs(inputs: tuple) -> None:
    any_grad = False
    for idx, inp in enumerate(inputs):
        if _is_tensor(inp) and inp.requires_grad:
            if inp._data.dtype != np.float64:
                warnings.warn(f"Input #{idx} requires gradient and is not a double precision floating point or "
                              f"complex. This check will likely fail if all the inputs are not of double precision "
                              f"floating point or complex. ", stacklevel=_caller_level())
            if not all(st > 0 or sz <= 1 for st, sz in zip(inp.stride(), inp.size())):
                raise RuntimeError(f"The {idx}th input has a dimension with stride 0. gradcheck only supports inputs "
                                   f"that are non-overlapping to be able to compute the numerical gradients "
                                   f"correctly. You should call .contiguous on the input before passing it to "
                                   f"gradcheck.")
            any_grad = True
    if not any_grad:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")


def _numerical_jacobian(func: Any, inputs: tuple, n_outputs_like: tuple, eps: float) -> list:
    """Per input that requires grad, per output: the (input numel, output numel) central-difference
    Jacobian, perturbing the input's memory in place as torch does."""
    from .. import tensor
    result = []
    for inp in inputs:
        if not (_is_tensor(inp) and inp.requires_grad):
            continue
        data = inp._data
        columns = [np.zeros((data.size, o._data.size), dtype=o._data.dtype if o._data.dtype.kind == "f"
                            else data.dtype) for o in n_outputs_like]
        for k, idx in enumerate(np.ndindex(*data.shape)):
            orig = data[idx].copy()
            data[idx] = orig - eps
            before = [o._data.copy() for o in _outputs_of(func, inputs)]
            data[idx] = orig + eps
            after = [o._data.copy() for o in _outputs_of(func, inputs)]
            data[idx] = orig
            for col, b, a in zip(columns, before, after):
                col[k] = ((a - b) / (2 * eps)).reshape(-1)
        result.append([tensor(c) for c in columns])
    return result


def _outputs_of(func: Any, inputs: tuple) -> tuple:
    return tuple(o for o in _as_tuple(func(*inputs)) if _is_tensor(o))


def _analytical_jacobian(inputs: tuple, output: Any, nondet_tol: float) -> list:
    """Per input that requires grad: the (input numel, output numel) Jacobian from backward, one
    one-hot upstream gradient per output element, computed twice to check it is reentrant."""
    from .. import tensor
    from . import grad as autograd_grad
    diff = [inp for inp in inputs if _is_tensor(inp) and inp.requires_grad]
    jacobians = [np.zeros((inp._data.size, output._data.size), dtype=inp._data.dtype) for inp in diff]
    reentrant = True
    for j in range(output._data.size):
        onehot = np.zeros(output._data.size, dtype=output._data.dtype)
        onehot[j] = 1
        upstream = tensor(onehot.reshape(output._data.shape))
        first = autograd_grad(output, diff, upstream, retain_graph=True, allow_unused=True)
        second = autograd_grad(output, diff, upstream, retain_graph=True, allow_unused=True)
        for jac, g1, g2, inp in zip(jacobians, first, second, diff):
            if g1 is None:
                continue
            if g1._data.shape != inp._data.shape:
                raise GradcheckError("Gradient has shape mismatch")
            if g1._data.dtype != inp._data.dtype:
                raise GradcheckError("Gradient has dtype mismatch")
            jac[:, j] = g1._data.reshape(-1)
            if g2 is None or np.abs(g1._data - g2._data).max(initial=0) > nondet_tol:
                reentrant = False
    if not reentrant:
        raise GradcheckError(f"Backward is not reentrant, i.e., running backward with same input and grad_output "
                             f"multiple times gives different values, although analytical gradient matches numerical "
                             f"gradient.The tolerance for nondeterminism was {nondet_tol}.\n\nNOTE: If your op relies "
                             f"on non-deterministic operations i.e., it is listed here:\nhttps://pytorch.org/docs/"
                             f"stable/generated/torch.use_deterministic_algorithms.html\nthis failure might be "
                             f"expected.\n\nIf you are adding a new operator, please file an issue and then use one "
                             f"of the workarounds. The workaround depends on how your test invokes gradcheck/"
                             f"gradgradcheck.\nIf the test\n- manually invokes gradcheck/gradgradcheck, then call "
                             f"gradcheck/gradgradcheck with `nondet_tol=<tol>` as a keyword argument.\n- is "
                             f"OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test "
                             f"to have `gradcheck_nondet_tol=<tol>`.\n- is a Module test (e.g., in "
                             f"common_nn.py), then modify the corresponding module_test entry to have "
                             f"`gradcheck_nondet_tol=<tol>`\n")
    return [tensor(j) for j in jacobians]


def _forward_jacobian(func: Any, inputs: tuple) -> list:
    """Per input that requires grad, per tensor output: the (input numel, output numel) Jacobian from
    forward-mode AD, one one-hot tangent per input element."""
    from .. import tensor
    from . import forward_ad
    diff = [k for k, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]
    result = []
    for k in diff:
        shape = inputs[k]._data.shape
        columns = None
        for e, idx in enumerate(np.ndindex(*shape)):
            with forward_ad.dual_level():
                duals: list[Any] = []
                for pos, x in enumerate(inputs):
                    if pos in diff:
                        t = np.zeros(x._data.shape, dtype=x._data.dtype)
                        if pos == k:
                            t[idx] = 1
                        duals.append(forward_ad.make_dual(x.detach(), tensor(t)))
                    else:
                        duals.append(x)
                outs = [o for o in _as_tuple(func(*duals)) if _is_tensor(o)]
                if columns is None:
                    columns = [np.zeros((int(np.prod(shape, dtype=np.int64)), o._data.size),
                                        dtype=o._data.dtype)
                               for o in outs]
                for col, o in zip(columns, outs):
                    tangent: Any = forward_ad.unpack_dual(o).tangent
                    if tangent is not None:
                        col[e] = tangent._data.reshape(-1)
        result.append([tensor(c) for c in columns or []])
    return result


def _notallclose_message(analytical: Any, numerical: Any, output_idx: int, input_idx: int, mode: str = "") -> str:
    return (f"Jacobian {mode}mismatch for output {output_idx:d} with respect to input {input_idx:d},\n"
            f"numerical:{numerical}\nanalytical:{analytical}\n")


def _allclose(a: Any, b: Any, rtol: float, atol: float) -> bool:
    x, y = a._data, b._data.astype(a._data.dtype)
    return bool(np.all(np.abs(x - y) <= atol + rtol * np.abs(y)))


def _gradcheck(func: Any, inputs: Any, eps: Any, atol: Any, rtol: Any, nondet_tol: Any, check_undefined_grad: Any,
               check_forward_ad: Any = False,
               check_backward_ad: Any = True) -> bool:
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    func_out = _as_tuple(func(*inputs))
    tensors_out = tuple(o for o in func_out if _is_tensor(o))
    outputs = tuple(o for o in tensors_out if o.requires_grad)
    numerical = _numerical_jacobian(func, inputs, tensors_out, eps)
    if not outputs:
        for per_input in numerical:
            for jac in per_input:
                if np.count_nonzero(jac._data):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    # numerical[j][i]: input j, output i; keep the outputs that require grad
    keep = [i for i, o in enumerate(tensors_out) if o.requires_grad]
    if check_backward_ad:
        for i, o in enumerate(outputs):
            analytical = _analytical_jacobian(inputs, o, nondet_tol)
            for j, a in enumerate(analytical):
                n = numerical[j][keep[i]]
                if not _allclose(a, n, rtol, atol):
                    raise GradcheckError(_notallclose_message(a, n, i, j))
    if check_forward_ad:
        forward = _forward_jacobian(func, inputs)
        for i, out_index in enumerate(keep):
            for j, n in enumerate(numerical[k][out_index] for k in range(len(numerical))):
                a = forward[j][out_index]
                if not _allclose(a, n, rtol, atol):
                    raise GradcheckError(_notallclose_message(a, n, i, j, "computed with forward mode "))
    if not check_backward_ad:
        return True
    _test_backward_mul_by_grad_output(outputs, inputs)
    if check_undefined_grad:
        _test_undefined_backward_mode(outputs, inputs)
    return True


def _test_backward_mul_by_grad_output(outputs: Any, inputs: Any) -> None:
    """A backward must scale with its upstream gradient: zeros in, zeros (or None) out."""
    from .. import zeros_like
    from . import grad as autograd_grad
    diff = [inp for inp in inputs if _is_tensor(inp) and inp.requires_grad]
    grads = autograd_grad(outputs, diff, [zeros_like(o) for o in outputs], allow_unused=True)
    for g in grads:
        if g is not None and np.count_nonzero(g._data):
            raise GradcheckError("backward not multiplied by grad_output")


def _test_undefined_backward_mode(outputs: Any, inputs: Any) -> None:
    """With no gradient flowing into an output (torch's UndefinedGrad), every input's gradient must be
    undefined or zero, and the backward must not fail."""
    from . import grad as autograd_grad
    from .function import Function

    class UndefinedGrad(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x.clone()

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return None

    diff = [inp for inp in inputs if _is_tensor(inp) and inp.requires_grad]
    for o in outputs:
        from .. import ones_like
        undefined = UndefinedGrad.apply(o)
        try:
            grads = autograd_grad(undefined, diff, ones_like(undefined), allow_unused=True)
        except RuntimeError as e:
            raise GradcheckError('Expected backward function to handle undefined output grads. Please look at '
                                 '"Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"') from e
        for g in grads:
            if g is not None and np.count_nonzero(g._data):
                raise GradcheckError('Expected all input grads to be undefined or zero when all output grads are '
                                     'undefined or zero. Please look at "Notes about undefined output gradients" in '
                                     '"tools/autograd/derivatives.yaml"')


def gradcheck(func: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False, masked: bool | None = None) -> bool:
    """True if backward's Jacobian matches finite differences of ``func`` at ``inputs``; else raises
    GradcheckError (or returns False with ``raise_exception=False``)."""
    if check_batched_grad or check_batched_forward_grad:
        raise NotImplementedError("mygrad's gradcheck has no vmap: check_batched_grad and "
                                  "check_batched_forward_grad are not supported")
    try:
        return _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad, check_forward_ad,
                          check_backward_ad)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(func: Callable, inputs: Any, grad_outputs: Any = None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False, masked: bool = False) -> bool:
    """gradcheck of the function (inputs, grad_outputs) -> the gradients of ``func``: second derivatives."""
    from .. import rand
    from . import grad as autograd_grad
    if check_fwd_over_rev:
        raise NotImplementedError("mygrad's gradgradcheck has no forward-mode AD: check_fwd_over_rev is not supported")
    if not check_rev_over_rev:
        return True
    tupled_inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outputs = tuple(o for o in _as_tuple(func(*tupled_inputs)) if _is_tensor(o) and o.requires_grad)
        grad_outputs = tuple((rand(*o.shape, dtype=o.dtype) * 2 - 1).requires_grad_() for o in outputs)
    tupled_grad_outputs = _as_tuple(grad_outputs)
    n_inputs = len(tupled_inputs)
    diff_positions = [i for i, x in enumerate(tupled_inputs) if _is_tensor(x) and x.requires_grad]

    def new_func(*args: Any) -> Any:
        inp, grad_out = args[:n_inputs], args[n_inputs:]
        outputs = tuple(o for o in _as_tuple(func(*inp)) if _is_tensor(o) and o.requires_grad)
        diff = [inp[i] for i in diff_positions]
        grads = autograd_grad(outputs, diff, grad_out, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(new_func, tupled_inputs + tupled_grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol, check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, fast_mode=fast_mode, masked=masked)
