"""Convolutions (``conv1d/2d/3d``, ``conv_transpose1d/2d/3d``) and ``unfold``/``fold``.

One node, torch's ``ConvolutionBackward0`` with edges (input, weight, bias), for every
convolution; its formulas are the two adjoints of the convolution (``_windows.py``), and each
adjoint is itself a recorded op whose derivatives are the convolution and the other adjoint, so
``create_graph=True`` differentiates them to any order.  (torch's second-order node is one
``ConvolutionBackwardBackward0`` with three outputs; here each first-order gradient has its own
node of that name, the same values and the same edges to input and weight.)

An unbatched input is unsqueezed to a batch of one and the result squeezed, as torch does
(UnsqueezeBackward0 below, SqueezeBackward1 above the node); ``padding='same'`` with an odd
total padding pads the input's far side first (ConstantPadNdBackward0), as torch does.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype
from .._argument_types import IntList, argument_types
from .._quiet import quiet
from .._tensor import Tensor, _c_name
from .._tensor_str import scalar_type_name, type_name
from ..autograd import forward_ad
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record
from ..ops._errors import invalid_arguments, not_implemented, past_checks
from . import _windows as win
from ._windows import Spec


# ----- formula functions (NumPy kernels; the differentiable versions record the nodes below) -----
def _conv_forward_tensor(x: Tensor, w: Tensor, spec: Spec, out=None) -> Tensor:
    if 0 in x._data.shape[2:] and 0 not in x._data.shape[:2]:
        raise RuntimeError(f"Only zero batch or zero channel inputs are supported, but got input shape: "
                           f"{list(x._data.shape)}")
    value = win.conv_forward(x._data, w._data, spec, out)
    empty = _constant_if_empty(value, x, w)
    if empty is not None:
        return empty
    return record(ConvolutionBackward0, value, (x, w, None),
                  input=x, weight=w, spec=spec, input_size=x._data.shape[2:], kernel=w._data.shape[2:])


formula_helper(win.conv_forward, tensor=_conv_forward_tensor, name="conv_forward")


def _conv_input_grad_tensor(grad: Tensor, w: Tensor, spec: Spec, size: tuple) -> Tensor:
    value = win.conv_input_grad(grad._data, w._data, spec, size)
    empty = _constant_if_empty(value, grad, w)
    if empty is not None:
        return empty
    return record(ConvInputGradBackward, value, (grad, w),
                  grad_output=grad, weight=w, spec=spec, out=grad._data.shape[2:], kernel=w._data.shape[2:])


formula_helper(win.conv_input_grad, tensor=_conv_input_grad_tensor, name="conv_input_grad")


def _conv_weight_grad_tensor(grad: Tensor, x: Tensor, spec: Spec, kernel: tuple) -> Tensor:
    value = win.conv_weight_grad(grad._data, x._data, spec, kernel)
    empty = _constant_if_empty(value, grad, x)
    if empty is not None:
        return empty
    return record(ConvWeightGradBackward, value, (grad, x),
                  grad_output=grad, input=x, spec=spec, out=grad._data.shape[2:], input_size=x._data.shape[2:])


formula_helper(win.conv_weight_grad, tensor=_conv_weight_grad_tensor, name="conv_weight_grad")


def _channel_sum_tensor(grad: Tensor) -> Tensor:
    return grad.sum([0] + list(range(2, grad.ndim)))


@formula_helper(tensor=_channel_sum_tensor)
def channel_sum(grad: np.ndarray) -> np.ndarray:
    """A bias's gradient: the output gradient summed over the batch and spatial dims."""
    return grad.sum(axis=(0,) + tuple(range(2, grad.ndim)))


# ``linked``: torch's first-order gradients of a convolution hang off one node with edges to input and
# weight, so they require grad whenever either does, even where the value does not depend on it
# (the second-order gradient through such an edge is None, not zeros)
LinkedBackward = derivative("LinkedBackward", value="grad", input=None)


def _linked_tensor(value: Tensor, input) -> Tensor:
    return record(LinkedBackward, value._data, (value, input))


@formula_helper(tensor=_linked_tensor)
def linked(value, input):
    return value


def _bias_tangent_tensor(tangent, like: Tensor):
    return tangent.reshape((-1,) + (1,) * (like.ndim - 2)) if isinstance(tangent, Tensor) else tangent


@formula_helper(tensor=_bias_tangent_tensor)
def bias_tangent(tangent, like):
    """A bias's tangent laid along the channels of the output ``like`` (0 without a bias)."""
    return tangent.reshape((-1,) + (1,) * (like.ndim - 2)) if isinstance(tangent, np.ndarray) else tangent


ConvolutionBackward0 = derivative(
    "ConvolutionBackward0", attrs="spec input_size kernel",
    input="linked(conv_input_grad(grad, weight, spec, input_size), input)",
    weight="linked(conv_weight_grad(grad, input, spec, kernel), weight)",
    bias="linked(linked(channel_sum(grad), input), weight)")
# a transposed convolution is conv_input_grad as a forward: its adjoints are the convolution and the weight's
TransposedConvolutionBackward0 = derivative(
    "ConvolutionBackward0", attrs="spec input_size kernel",
    input="linked(conv_forward(grad, weight, spec, input_size), input)",
    weight="linked(conv_weight_grad(input, grad, spec, kernel), weight)",
    bias="linked(linked(channel_sum(grad), input), weight)")
# torch's convolution_jvp: convolution(input_t, weight) + convolution(input, weight_t, bias_t), a missing input or
# weight tangent being zeros (measured: an inf input with only the weight dual gives NaN, 0 * inf, where it meets
# the zero tangent), a missing bias tangent no term
forward_ad.TANGENTS["ConvolutionBackward0"] = (
    "(conv_input_grad(input_t, weight, spec, result.shape[2:]) + conv_input_grad(input, weight_t, spec, "
    "result.shape[2:]) if spec.transposed else conv_forward(input_t, weight, spec, result.shape[2:]) + "
    "conv_forward(input, weight_t, spec, result.shape[2:])) + bias_tangent(bias_t, result)")
ConvInputGradBackward = derivative(
    "ConvolutionBackwardBackward0", attrs="spec out kernel",
    grad_output="conv_forward(grad, weight, spec, out)",
    weight="conv_weight_grad(grad_output, grad, spec, kernel)")
ConvWeightGradBackward = derivative(
    "ConvolutionBackwardBackward0", attrs="spec out input_size",
    grad_output="conv_forward(input, grad, spec, out)",
    input="conv_input_grad(grad_output, grad, spec, input_size)")


def _constant_if_empty(value: np.ndarray, *operands: Tensor):
    """torch's double backward of a convolution over an empty batch gives undefined (None) gradients:
    such a result is a constant here."""
    if any(t._data.size == 0 for t in operands):
        return Tensor._make(value, False, None)
    return None


# ----- arguments -----------------------------------------------------------------------------------

def _per_dim(name: str, value, nd: int) -> tuple:
    values = (value,) * nd if isinstance(value, int) else tuple(value)
    if len(values) == 1 and nd != 1:
        values = values * nd
    if len(values) != nd:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {nd} values to match the "
                           f"convolution dimensions, but got {name}={list(values)}")
    return values


def _batched(input: Tensor, nd: int, fn: str) -> bool:
    """Whether ``input`` has a batch dim; torch's error for a rank that is neither."""
    rank = input._data.ndim
    if rank not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fn}, but got input "
                           f"of size: {list(input._data.shape)}")
    return rank == nd + 2


def _conv_kernel(nd: int, transposed: bool) -> str:
    """The CPU kernel torch's message names for a convolution of ``nd`` spatial dims."""
    if transposed:
        return f"slow_conv_transpose{max(nd, 2)}d_out_cpu"
    return "compute_columns3d" if nd == 3 else "slow_conv2d_cpu"


def _check(input: Tensor, weight: Tensor, bias, stride, padding, dilation, groups: int, nd: int,
           transposed: bool = False, output_padding: tuple = ()) -> None:
    """torch's shape checks, in its order (the dtypes are its backend's, checked after: ``_check_dtypes``)."""
    x, w = input._data, weight._data
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if w.ndim != nd + 2:
        raise RuntimeError(f"Expected {nd + 2}-dimensional input for {nd + 2}-dimensional weight "
                           f"{list(w.shape)}, but got {x.ndim}-dimensional input of size {list(x.shape)} instead")
    if any(k <= 0 for k in w.shape[2:]):
        raise RuntimeError(f"kernel size should be greater than zero, but got {list(w.shape[2:])}")
    if w.shape[0] < 1 and not transposed:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but "
                           f"got weight of size {list(w.shape)} instead")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{list(w.shape)}] instead")
    channels = w.shape[0] if transposed else w.shape[1] * groups
    if x.shape[1] != channels:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected input{list(x.shape)} "
                           f"to have {channels} channels, but got {x.shape[1]} channels instead")
    out_channels = w.shape[1] * groups if transposed else w.shape[0]
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != out_channels):
        raise RuntimeError(f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {list(bias._data.shape)} instead")


def _mkldnn_type(data: np.ndarray) -> str:
    return "CPUBoolType" if data.dtype == np.bool_ else type_name(data.dtype)


def _uses_mkldnn(x: np.ndarray, w: np.ndarray, groups: int, spec: tuple, transposed: bool,
                 output_padding: tuple) -> bool:
    """Whether torch's CPU convolution takes its mkldnn backend (float32 only; ConvParams::use_mkldnn's
    heuristic, the input and weight seen as 4-d as torch views a 1-d convolution)."""
    if x.dtype != np.float32 or not x.size or w.dtype.kind not in "fiub":
        return False
    stride, dilation = spec
    if transposed and any(e >= s for e, s in zip(output_padding, stride)):
        return False
    n = x.shape[0]
    kh, kw = (w.shape[-2] if w.ndim > 3 else 1), w.shape[-1]
    from .._runtime import get_num_threads
    fast_native = not (any(s > 1 for s in stride) or any(d > 1 for d in dilation) or n >= 16 or kw != 1 or kh != 1
                       or get_num_threads() > 1)
    spatial = math.prod(x.shape[2:4]) if x.ndim > 3 else x.shape[2]
    return not fast_native and (groups > 1 or (kw > 3 and kh > 3) or n > 1 or n * x.shape[1] * spatial > 20480)


def _check_dtypes(input: Tensor, weight: Tensor, bias, nd: int, groups: int, transposed: bool = False,
                  padding_mode: bool = False, spec: tuple = ((), ()), output_padding: tuple = ()) -> None:
    """torch's backend's dtype checks; ``padding_mode``: a string padding, which takes torch's other entry
    point (its bias is added afterwards, in place, so any dtype that casts to the output's will do)."""
    x, w = input._data, weight._data
    added_bias = transposed or padding_mode
    if not added_bias and bias is not None and bias._data.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_c_name(input.dtype)}) and bias type ({_c_name(bias.dtype)}) should be "
                           f"the same")
    if _uses_mkldnn(x, w, groups, spec, transposed, output_padding):  # torch's mkldnn backend checks first
        for role, other in (("weight", weight), ("bias", bias)):
            if other is not None and other._data.dtype != x.dtype:
                raise RuntimeError(f"Input type ({_mkldnn_type(x)}) and {role} type ({_mkldnn_type(other._data)}) "
                                   f"should be the same or input should be a MKLDNN tensor and {role} is a dense "
                                   f"tensor")
    # an empty input takes torch's "empty" backend (a product of the operands, any dtypes), not a kernel
    if x.dtype.kind not in "fiu" and x.size:   # (before the weight's dtype: torch's kernel is the input's)
        raise NotImplementedError(f"\"{_conv_kernel(nd, transposed)}\" not implemented for "
                                  f"'{scalar_type_name(input.dtype)}'")
    if w.dtype != x.dtype and x.size:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input.dtype)} but found "
                           f"{scalar_type_name(weight.dtype)}")
    if transposed and bias is not None and nd == 3 and x.size and bias._data.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input.dtype)} but found "
                           f"{scalar_type_name(bias.dtype)}")
    if added_bias and bias is not None:  # torch adds the bias in place: it must cast to the output's dtype
        result = _output_dtype(input, weight)
        if _dtype.promote_types(result, bias.dtype)._category > result._category:
            raise RuntimeError(f"result type {scalar_type_name(bias.dtype)} can't be cast to the desired output "
                               f"type {scalar_type_name(result)}")


def _output_dtype(input: Tensor, weight: Tensor) -> _dtype.dtype:
    """The result's dtype: the input's, except for an empty input, where torch's "empty" backend multiplies
    it by a 0-d element of the weight (the weight's dtype wins only from a higher category)."""
    if input._data.size:
        return input.dtype
    return _dtype.result_type(input, weight.detach().reshape(-1)[0]) if weight._data.size else input.dtype


def _same_padding(input: Tensor, kernel: tuple, dilation: tuple, nd: int):
    """torch's ``padding='same'``: half the total on each side; an odd total's extra element goes on the
    far side through a constant pad of the input first."""
    from ._padding import pad
    total = [d * (k - 1) for d, k in zip(dilation, kernel)]
    extra = [0] * (2 * nd)
    for i, t in enumerate(total):
        if t % 2:
            extra[2 * (nd - 1 - i) + 1] = 1
    if any(extra):
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a zero-padded "
                      "copy of the input be created", UserWarning, stacklevel=past_checks(4))
        input = pad(input, extra)
    return input, tuple(t // 2 for t in total)


# ----- convolutions ----------------------------------------------------------------------------------

def _int_list(value) -> bool:
    def is_int(v) -> bool:
        return not isinstance(v, (bool, float)) and hasattr(type(v), "__index__")
    return all(is_int(v) for v in value) if isinstance(value, (list, tuple)) else is_int(value)


def _convolution(input: Tensor, weight: Tensor, bias, stride, padding, dilation, groups: int, nd: int,
                 fn: str, aten: bool = False) -> Tensor:
    """``aten``: torch.convolution's entry point, which adds the bias afterwards as a string padding does."""
    if not isinstance(padding, str) and not _int_list(padding):  # fits neither of torch's two overloads
        raise invalid_arguments(fn, (input, weight, bias, stride, padding, dilation, groups), (
            "Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, tuple of ints padding = 0, "
            "tuple of ints dilation = 1, int groups = 1",
            "Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, str padding = \"valid\", "
            "tuple of ints dilation = 1, int groups = 1"))
    batched = _batched(input, nd, fn)
    if not batched:
        input = input.unsqueeze(0)
    stride, dilation = _per_dim("stride", stride, nd), _per_dim("dilation", dilation, nd)
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if padding == "same" and any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = (0,) * nd
    else:
        pads = _per_dim("padding", padding, nd)
    _check(input, weight, bias, stride, pads, dilation, groups, nd)
    if padding == "same":
        input, pads = _same_padding(input, weight._data.shape[2:], dilation, nd)
    x, w = input._data, weight._data
    spec = Spec(stride, pads, pads, dilation, groups)
    kernel = w.shape[2:]
    padded = tuple(n + 2 * p for n, p in zip(x.shape[2:], pads))
    if any(d * (k - 1) + 1 > n for n, k, d in zip(padded, kernel, dilation)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                           f"size: ({' x '.join(str(d * (k - 1) + 1) for k, d in zip(kernel, dilation))}). Kernel "
                           "size can't be greater than actual input size")
    _check_dtypes(input, weight, bias, nd, groups, padding_mode=aten or isinstance(padding, str),
                  spec=(stride, dilation))
    y = win.conv_forward(x, w, spec)
    if not x.size:
        y = y.astype(_output_dtype(input, weight).np)
    if bias is not None:
        _add_bias(y, bias._data, nd)
    out = record(ConvolutionBackward0, y, (input, weight, bias), input=input, weight=weight, spec=spec,
                 input_size=x.shape[2:], kernel=kernel)
    return out if batched else out.squeeze(0)


@quiet
def _add_bias(y: np.ndarray, bias: np.ndarray, nd: int) -> None:
    """Adds the per-channel ``bias`` to ``y`` in place (a sum past the largest float is inf, as torch's)."""
    y += bias.reshape((-1,) + (1,) * nd)


@argument_types
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntList = 1, padding=0,
           dilation: IntList = 1, groups: int = 1) -> Tensor:
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


@argument_types
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntList = 1, padding=0,
           dilation: IntList = 1, groups: int = 1) -> Tensor:
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


@argument_types
def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntList = 1, padding=0,
           dilation: IntList = 1, groups: int = 1) -> Tensor:
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _transposed(input: Tensor, weight: Tensor, bias, stride, padding, output_padding, groups: int, dilation,
                nd: int, fn: str) -> Tensor:
    batched = _batched(input, nd, fn)
    if not batched:
        input = input.unsqueeze(0)
    stride, dilation = _per_dim("stride", stride, nd), _per_dim("dilation", dilation, nd)
    pads, extra = _per_dim("padding", padding, nd), _per_dim("output_padding", output_padding, nd)
    _check(input, weight, bias, stride, pads, dilation, groups, nd, transposed=True, output_padding=extra)
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got "
                           f"output_padding={list(extra)} stride={list(stride)} dilation={list(dilation)}")
    x, w = input._data, weight._data
    kernel = w.shape[2:]
    size = tuple((n - 1) * s - 2 * p + d * (k - 1) + e + 1
                 for n, s, p, d, k, e in zip(x.shape[2:], stride, pads, dilation, kernel, extra))
    if any(n < 0 or (n == 0 and nd < 3) for n in size):  # (torch's 3-D kernel lets an empty output through)
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). Calculated "
                           f"output size per channel: ({' x '.join(map(str, size))}). Output size is too small")
    _check_dtypes(input, weight, bias, nd, groups, transposed=True, spec=(stride, dilation), output_padding=extra)
    spec = Spec(stride, pads, pads, dilation, groups, transposed=True)
    y = win.conv_input_grad(x, w, spec, size)
    if not x.size:
        y = y.astype(_output_dtype(input, weight).np)
    if not y.flags.c_contiguous:
        y = np.ascontiguousarray(y)
    if bias is not None:
        _add_bias(y, bias._data, nd)
    out = record(TransposedConvolutionBackward0, y, (input, weight, bias), input=input, weight=weight,
                 spec=spec, input_size=x.shape[2:], kernel=kernel)
    return out if batched else out.squeeze(0)


@argument_types
def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntList = 1,
                     padding: IntList = 0, output_padding: IntList = 0, groups: int = 1,
                     dilation: IntList = 1) -> Tensor:
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                       "conv_transpose1d")


@argument_types
def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntList = 1,
                     padding: IntList = 0, output_padding: IntList = 0, groups: int = 1,
                     dilation: IntList = 1) -> Tensor:
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                       "conv_transpose2d")


@argument_types
def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntList = 1,
                     padding: IntList = 0, output_padding: IntList = 0, groups: int = 1,
                     dilation: IntList = 1) -> Tensor:
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                       "conv_transpose3d")


# ----- unfold (im2col) and fold (col2im) --------------------------------------------------------------

def _unfold_array(x: np.ndarray, kernel: tuple, spec: Spec) -> np.ndarray:
    if x.ndim == 3:  # unbatched: torch records the one node on the 3-D input
        return _unfold_array(x[None], kernel, spec)[0]
    cols = win.im2col(x, kernel, spec)
    out = cols.reshape(x.shape[0], x.shape[1] * math.prod(kernel), cols.shape[-1])
    return out.copy() if np.shares_memory(out, x) else out   # a new tensor, as torch's (a 1x1 kernel is a view)


def _fold_array(cols: np.ndarray, size: tuple, kernel: tuple, spec: Spec) -> np.ndarray:
    if cols.ndim == 2:
        return _fold_array(cols[None], size, kernel, spec)[0]
    out = win.out_sizes(size, kernel, spec)
    n = cols.shape[0]
    return np.ascontiguousarray(
        win.col2im(cols.reshape((n, cols.shape[1] // math.prod(kernel)) + tuple(kernel) + tuple(out)), size,
                   kernel, spec))


def _unfold_tensor(x: Tensor, kernel: tuple, spec: Spec) -> Tensor:
    return record(Im2ColBackward0, _unfold_array(x._data, kernel, spec), (x,), input_size=x._data.shape[-2:],
                  kernel=kernel, spec=spec)


formula_helper(_unfold_array, tensor=_unfold_tensor, name="unfold_columns")


def _fold_tensor(cols: Tensor, size: tuple, kernel: tuple, spec: Spec) -> Tensor:
    return record(Col2ImBackward0, _fold_array(cols._data, size, kernel, spec), (cols,), kernel=kernel, spec=spec)


formula_helper(_fold_array, tensor=_fold_tensor, name="fold_columns")
Im2ColBackward0 = derivative("Im2ColBackward0", attrs="input_size kernel spec",
                             self="fold_columns(grad, input_size, kernel, spec)")
Col2ImBackward0 = derivative("Col2ImBackward0", attrs="kernel spec", self="unfold_columns(grad, kernel, spec)")


def _pair(name: str, value) -> tuple:
    values = (value, value) if isinstance(value, int) else tuple(value)
    if len(values) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(values)}")
    return values


def _fold_spec(kernel_size, dilation, padding, stride) -> tuple:
    kernel, dilation = _pair("kernel_size", kernel_size), _pair("dilation", dilation)
    padding, stride = _pair("padding", padding), _pair("stride", stride)
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {kernel[0]} "
                           f"kernel_width: {kernel[1]}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {dilation[0]} "
                           f"dilation_width: {dilation[1]}")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} "
                           f"pad_width: {padding[1]}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {stride[0]} "
                           f"stride_width: {stride[1]}")
    return kernel, Spec(stride, padding, padding, dilation)


def _unfold_rank_error(input: Tensor) -> None:
    """torch's im2col reads size(1) and size(2) first; its autograd path reads size(-1) and size(-2) first."""
    from ..autograd.grad_mode import is_grad_enabled
    ndim = input._data.ndim
    first = (-1, -2, 1, 2) if input.requires_grad and is_grad_enabled() else (1, 2)
    dim = next(d for d in first if not -ndim <= d < ndim)
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {dim})")


@argument_types(name="im2col")
def unfold(input: Tensor, kernel_size: IntList, dilation: IntList = 1, padding: IntList = 0,
           stride: IntList = 1) -> Tensor:
    """Every sliding block of a (N, C, H, W) input as a column: (N, C * prod(kernel), L)."""
    kernel, spec = _fold_spec(kernel_size, dilation, padding, stride)
    x = input._data
    if x.ndim < 3:
        _unfold_rank_error(input)
    if x.ndim not in (3, 4) or (x.ndim == 4 and 0 in x.shape[1:]) or (x.ndim == 3 and 0 in x.shape):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(x.shape)}")
    out = win.out_sizes(x.shape[-2:], kernel, spec)
    if any(n < 1 for n in out):
        raise RuntimeError(f"Given input with spatial size ({', '.join(map(str, input._data.shape[2:]))}), "
                           f"kernel_size=({kernel[0]}, {kernel[1]}), dilation=({spec.dilation[0]}, "
                           f"{spec.dilation[1]}), padding=({spec.lo[0]}, {spec.lo[1]}), calculated shape of the "
                           f"array of sliding blocks as ({out[0]}, {out[1]}), but its components must be at least "
                           "one.")
    if x.dtype.kind in "iu":
        raise not_implemented("im2col_out_cpu", x)
    return _unfold_tensor(input, kernel, spec)


@argument_types(name="col2im")
def fold(input: Tensor, output_size: IntList, kernel_size: IntList, dilation: IntList = 1, padding: IntList = 0,
         stride: IntList = 1) -> Tensor:
    """The adjoint of unfold: columns (N, C * prod(kernel), L) summed back into (N, C, *output_size)."""
    size = _pair("output_size", output_size)
    kernel, spec = _fold_spec(kernel_size, dilation, padding, stride)
    x = input._data
    if x.ndim not in (2, 3) or (x.ndim == 3 and 0 in x.shape[1:]) or (x.ndim == 2 and 0 in x.shape):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {list(x.shape)}")
    k = math.prod(kernel)
    channels, blocks = x.shape[-2:]
    if channels % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={channels} and kernel_size=({kernel[0]}, {kernel[1]})")
    out = win.out_sizes(size, kernel, spec)
    if any(n < 1 for n in out) or math.prod(out) != blocks:
        raise RuntimeError(f"Given output_size=({size[0]}, {size[1]}), kernel_size=({kernel[0]}, {kernel[1]}), "
                           f"dilation=({spec.dilation[0]}, {spec.dilation[1]}), padding=({spec.lo[0]}, "
                           f"{spec.lo[1]}), stride=({spec.stride[0]}, {spec.stride[1]}), expected size of input's "
                           f"dimension 2 to match the calculated number of sliding blocks {out[0]} * {out[1]} = "
                           f"{math.prod(out)}, but got input.size(2)={blocks}.")
    if x.dtype.kind in "iu":
        raise not_implemented("col2im_out_cpu", x)
    return _fold_tensor(input, size, kernel, spec)
