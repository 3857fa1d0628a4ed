"""``F.bilinear``: y[..., o] = x1[..., i] W[o, i, j] x2[..., j] + b[o], built as torch builds it: both
inputs viewed as (N, features), ``_trilinear`` (TrilinearBackward0, one einsum each way), a view back
to the batch shape and an add of the bias."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record


def _contract_tensor(spec: str, *operands):
    from ..ops.linalg import einsum
    return einsum(spec, *operands)


@formula_helper(tensor=_contract_tensor)
def contract(spec: str, *operands):
    """An einsum over arrays (BLAS through ``optimize``)."""
    with np.errstate(all="ignore"):  # (BLAS: inf and NaN pass silently, as in torch)
        return np.einsum(spec, *operands, optimize=True)


TrilinearBackward0 = derivative("TrilinearBackward0",
                                i1="contract('no,oij,nj->ni', grad, i2, i3)",
                                i2="contract('no,ni,nj->oij', grad, i1, i3)",
                                i3="contract('no,ni,oij->nj', grad, i1, i2)")


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
    # (contiguous, as torch's result is: einsum may hand back a strided view, which would not reshape as a view)
    data = np.ascontiguousarray(contract("ni,oij,nj->no", x1._data, weight._data, x2._data),
                                dtype=weight._data.dtype)
    out = record(TrilinearBackward0, data, (x1, weight, x2), i1=x1, i2=weight, i3=x2).reshape(output_size)
    return out + bias if bias is not None else out
