"""``F.bilinear``: y[..., o] = x1[..., i] W[o, i, j] x2[..., j] + b[o], built as torch builds it: both
inputs viewed as (N, features), ``_trilinear`` (TrilinearBackward0), a view back to the batch shape and an
add of the bias.  ``_trilinear`` is torch's loop: per slice of its unrolled dim, two products of a pair
(``sumproduct_pair``: a batched matrix product, its sums in torch's order where they may overflow) added
into zeros; its gradients and tangents are ``_trilinear`` again, with the dims' roles swapped."""
from __future__ import annotations

import numpy as np

from .. import _gemm
from .._quiet import quiet
from .._summation import torch_sum
from .._tensor import Tensor
from ..autograd import forward_ad
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record

BILINEAR_DIMS = ((1, 3), (0,), (1, 2), (2, 3))   # bilinear's expand1, expand2, expand3, sumdim


def _sumproduct_pair(left: np.ndarray, right: np.ndarray, sum_dims: list, serial: bool) -> np.ndarray:
    """torch's ``sumproduct_pair`` (keepdim): (left * right) summed over ``sum_dims`` as one batched matrix
    product, the dims of both (size not 1) its batch, each side's own dims its rows and columns; ``serial``:
    its sums in torch's order (BLAS's otherwise)."""
    if not sum_dims:
        return left * right
    both, own_left, own_right, summed = [], [], [], []
    for i in range(left.ndim):
        in_left, in_right = left.shape[i] != 1, right.shape[i] != 1
        if i in sum_dims:
            if in_left and in_right:
                summed.append(i)
            elif in_left:
                left = torch_sum(left, (i,), True)
            elif in_right:
                right = torch_sum(right, (i,), True)
        elif in_left and in_right:
            both.append(i)
        elif in_left:
            own_left.append(i)
        elif in_right:
            own_right.append(i)
    rest = [i for i in range(left.ndim) if i not in both + own_left + own_right + summed]

    def size(array: np.ndarray, dims: list) -> int:
        return int(np.prod([array.shape[d] for d in dims], dtype=np.int64))

    lhs = left.transpose(both + own_left + summed + own_right + rest).reshape(
        size(left, both), size(left, own_left), size(left, summed))
    rhs = right.transpose(both + summed + own_right + own_left + rest).reshape(
        size(right, both), size(right, summed), size(right, own_right))
    out = _gemm.serial_gemm(lhs, rhs) if serial else _gemm.matmul(lhs, rhs)
    kept = both + own_left + own_right
    out = out.reshape([left.shape[d] for d in both + own_left] + [right.shape[d] for d in own_right]
                      + [1] * (left.ndim - len(kept)))
    return out.transpose(np.argsort(kept + summed + rest))


@quiet
def _trilinear_data(i1: np.ndarray, i2: np.ndarray, i3: np.ndarray, expand1, expand2, expand3, sumdim,
                    unroll_dim: int = 1) -> np.ndarray:
    """ATen's ``_trilinear``: each input unsqueezed at its ``expand`` dims; per index k of ``unroll_dim``,
    ``sumproduct_pair`` of the first two (over the summed dims the third lacks), then with the third, added
    into zeros (into slice k, or into all of it when ``unroll_dim`` is summed); the summed dims squeezed."""
    total = i1.ndim + len(expand1)
    for d in range(total):
        i1 = i1[(slice(None),) * d + (None,)] if d in expand1 else i1
        i2 = i2[(slice(None),) * d + (None,)] if d in expand2 else i2
        i3 = i3[(slice(None),) * d + (None,)] if d in expand3 else i3
    # (a dim's size is the last input's that has it)
    sizes = [(i3 if d not in expand3 else i2 if d not in expand2 else i1).shape[d] for d in range(total)]
    unroll_size = sizes[unroll_dim]
    sizes = [1 if d in sumdim else n for d, n in enumerate(sizes)]
    pair_dims = [d for d in sumdim if d != unroll_dim and d in expand3]
    third_dims = [d for d in sumdim if d != unroll_dim and d not in expand3]
    out = np.zeros(sizes, np.result_type(i1, i2, i3))
    if i1.size and i2.size and i3.size:
        # torch's order of the sums wherever BLAS's could differ from it in more than rounding: where a value
        # is not finite or a product could overflow (a tiny partial sum meeting an inf is then NaN or not)
        largest = float(np.finfo(out.dtype).max)
        bound = float(np.prod([np.max(np.abs(x)) for x in (i1, i2, i3)])) * out.size * i1.size * i3.size
        serial = not bound < largest
        def at(array: np.ndarray, k: int) -> np.ndarray:
            index = k if array.shape[unroll_dim] != 1 else 0
            return array[(slice(None),) * unroll_dim + (slice(index, index + 1),)]
        for k in range(unroll_size):
            buf = _sumproduct_pair(at(i1, k), at(i2, k), pair_dims, serial)
            buf = _sumproduct_pair(buf, at(i3, k), third_dims, serial)
            if unroll_dim in sumdim:
                out += buf
            else:
                out[(slice(None),) * unroll_dim + (slice(k, k + 1),)] += buf
    return out.reshape([n for d, n in enumerate(sizes) if d not in sumdim])


def _trilinear_tensor(i1: Tensor, i2: Tensor, i3: Tensor, expand1, expand2, expand3, sumdim) -> Tensor:
    data = _trilinear_data(i1._data, i2._data, i3._data, expand1, expand2, expand3, sumdim)
    return record(TrilinearBackward0, data, (i1, i2, i3), i1=i1, i2=i2, i3=i3, expand1=expand1, expand2=expand2,
                  expand3=expand3, sumdim=sumdim)


formula_helper(_trilinear_data, tensor=_trilinear_tensor, name="trilinear")

# torch's _trilinear_backward: each gradient a _trilinear, the gradient in its input's place
TrilinearBackward0 = derivative("TrilinearBackward0", attrs="expand1 expand2 expand3 sumdim",
                                i1="trilinear(grad, i2, i3, sumdim, expand2, expand3, expand1)",
                                i2="trilinear(i1, grad, i3, expand1, sumdim, expand3, expand2)",
                                i3="trilinear(i1, i2, grad, expand1, expand2, sumdim, expand3)")
forward_ad.TANGENTS["TrilinearBackward0"] = (
    "trilinear(i1_t, i2, i3, expand1, expand2, expand3, sumdim) + trilinear(i1, i2_t, i3, expand1, expand2, "
    "expand3, sumdim) + trilinear(i1, i2, i3_t, expand1, expand2, expand3, sumdim)")


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    tensors = [input1, input2, weight] + ([bias] if bias is not None else [])
    if len({t._data.dtype for t in tensors}) > 1:
        names = ["input1", "input2", "weight"] + (["bias"] if bias is not None else [])
        from .._tensor_str import scalar_type_name
        listed = ", ".join(f"{n}: {scalar_type_name(t.dtype).lower()}" for n, t in zip(names, tensors))
        raise RuntimeError(f"All tensors must have the same dtype, got {listed}")
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    if input1.dim() == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    for i in range(input1.dim() - 1):
        if input1.size(i) != input2.size(i):
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got "
                               f"{input1.size(i)} and {input2.size(i)}")
    if input1.size(input1.dim() - 1) != weight.size(1):
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.size(input1.dim() - 1)} but expected {weight.size(1)}")
    if input2.size(input2.dim() - 1) != weight.size(2):
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.size(input2.dim() - 1)} but expected {weight.size(2)}")
    if bias is not None and bias.size(0) != weight.size(0):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.size(0)} but expected "
                           f"{weight.size(0)}")
    output_size = (*input1.shape[:-1], weight.size(0))
    x1 = input1.reshape(-1, input1.size(-1))
    x2 = input2.reshape(-1, input2.size(-1))
    out = _trilinear_tensor(x1, weight, x2, *BILINEAR_DIMS).reshape(output_size)
    return out + bias if bias is not None else out
