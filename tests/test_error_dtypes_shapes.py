"""Dtype and shape errors, differential against the installed torch: a bool/int/float tensor where an op wants
another dtype, and empty, 0-d or mismatched tensors and dims past the rank (issue 14's DTYPE and SHAPE kinds of
the error_inputs check).  Each call runs in both libraries: both raise the same class with the same message,
or both return tensors of the same dtype, shape and values."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import mygrad


def _t(lib, shape, dtype):
    return lib.ones(shape, dtype=getattr(lib, dtype))


CALLS = {
    # the products: bmm and cross dispatch on the first operand (no bool kernel before a dtype mismatch)
    "bmm bool float": lambda L: L.bmm(_t(L, (2, 3, 4), "bool"), _t(L, (2, 4, 5), "float32")),
    "bmm float int": lambda L: L.bmm(_t(L, (2, 3, 4), "float32"), _t(L, (2, 4, 5), "int64")),
    "bmm empty mixed": lambda L: L.bmm(_t(L, (2, 3, 0), "int64"), _t(L, (2, 0, 4), "float64")),
    "matmul batched bool": lambda L: L.matmul(_t(L, (2, 3, 4), "bool"), _t(L, (4,), "float32")),
    "einsum bool": lambda L: L.einsum("ij,jk->ik", _t(L, (3, 4), "bool"), _t(L, (4, 5), "float64")),
    "cross bool": lambda L: L.cross(_t(L, (2, 3), "bool"), _t(L, (2, 3), "float32"), dim=1),
    "addr promotes": lambda L: L.addr(_t(L, (3, 4), "float32"), _t(L, (3,), "int64"), _t(L, (4,), "bool")),
    "addr bool": lambda L: L.addr(_t(L, (3, 4), "bool"), _t(L, (3,), "bool"), _t(L, (4,), "bool"), beta=0),
    "baddbmm dtypes": lambda L: L.baddbmm(_t(L, (2, 3, 5), "float32"), _t(L, (2, 3, 4), "bool"),
                                          _t(L, (2, 4, 5), "float32")),
    "baddbmm 0-d": lambda L: L.baddbmm(_t(L, (3, 5), "float32"), _t(L, (), "float32"), _t(L, (2, 4, 5), "float32")),
    "addbmm 1-d": lambda L: L.addbmm(_t(L, (3, 5), "float32"), _t(L, (2, 3, 4), "float32"), _t(L, (0,), "float32")),
    "mv 0-d": lambda L: L.mv(_t(L, (), "float32"), _t(L, (4,), "float32")),
    "trace bool": lambda L: L.trace(_t(L, (3,), "bool")),
    "size of 0-d": lambda L: _t(L, (), "float32").size(0),
    # linalg
    "solve dtypes": lambda L: L.linalg.solve(L.eye(3), _t(L, (3,), "bool")),
    "solve shapes": lambda L: L.linalg.solve(L.eye(3), _t(L, (5, 2), "float32")),
    "solve B 0-d": lambda L: L.linalg.solve(L.eye(3), _t(L, (), "float32")),
    "eigvalsh int": lambda L: L.linalg.eigvalsh(_t(L, (3, 3), "int64")),
    "solve_triangular bool": lambda L: L.linalg.solve_triangular(_t(L, (3, 3), "bool"), L.ones(3, 3), upper=True),
    "cholesky empty": lambda L: L.cholesky(_t(L, (0,), "float32")),
    "cdist X2 bool": lambda L: L.cdist(L.ones(2, 3), _t(L, (2, 3), "bool")),
    "diagonal of 1-d": lambda L: L.diagonal(L.ones(3), 0, 0, 8),
    "linalg.diagonal of 0-d": lambda L: L.linalg.diagonal(L.tensor(1.0)),
    "diag_embed of 0-d": lambda L: L.diag_embed(L.tensor(1.0)),
    # nn
    "layer_norm weight": lambda L: L.nn.functional.layer_norm(L.ones(2, 3, 4), (4,), _t(L, (4,), "bool")),
    "layer_norm bias": lambda L: L.nn.functional.layer_norm(L.ones(2, 3, 4), (4,), L.ones(4), _t(L, (4,), "int64")),
    "layer_norm int": lambda L: L.nn.functional.layer_norm(_t(L, (2, 4), "int64"), (4,)),
    "batch_norm running_var": lambda L: L.nn.functional.batch_norm(L.ones(2, 3), L.ones(3), _t(L, (3,), "bool")),
    "batch_norm empty": lambda L: L.batch_norm(L.ones(0), None, None, None, None, True, 0.1, 1e-5, False),
    "group_norm 0-d": lambda L: L.group_norm(L.tensor(1.0), 1),
    "instance_norm running_var": lambda L: L.nn.functional.instance_norm(L.ones(2, 3, 4), L.ones(3),
                                                                        _t(L, (3,), "int64")),
    "rms_norm int": lambda L: L.nn.functional.rms_norm(_t(L, (2, 4), "int64"), (4,)),
    "hardtanh int": lambda L: L.nn.functional.hardtanh(L.tensor([-3, 0, 2, 9]), -1.5, 2.5),
    "relu6 bool": lambda L: L.nn.functional.relu6(_t(L, (3,), "bool")),
    "threshold bool": lambda L: L.nn.functional.threshold(_t(L, (3,), "bool"), 0.5, 2.0),
    "prelu dtypes": lambda L: L.nn.functional.prelu(_t(L, (2, 3), "int64"), L.ones(1)),
    "conv3d bool": lambda L: L.nn.functional.conv3d(_t(L, (1, 2, 5, 5, 5), "bool"), L.ones(3, 2, 2, 2, 2)),
    "interpolate int": lambda L: L.nn.functional.interpolate(_t(L, (1, 2, 4, 4), "int64"), scale_factor=2,
                                                             mode="bilinear"),
    "adaptive_max_pool2d int": lambda L: L.nn.functional.adaptive_max_pool2d(_t(L, (1, 2, 4, 4), "int64"), 2),
    "avg_pool1d bool": lambda L: L.nn.functional.avg_pool1d(_t(L, (1, 2, 4), "bool"), 2),
    "cosine_similarity int": lambda L: L.cosine_similarity(L.arange(6.0).reshape(2, 3), _t(L, (2, 3), "int64")),
    "bce_with_logits int": lambda L: L.nn.functional.binary_cross_entropy_with_logits(_t(L, (3,), "int64"),
                                                                                      L.ones(3)),
    "RNN dtype": lambda L: (L.manual_seed(0), L.nn.RNN(3, 4)(_t(L, (2, 3), "bool")))[1],
    # elementwise, indexing, shapes
    "bitwise_and shapes first": lambda L: L.bitwise_and(L.ones(2, 3), L.ones(2)),
    "bitwise_not float": lambda L: L.bitwise_not(L.ones(3)),
    "masked_fill shapes": lambda L: L.ones(1, 1, 2).masked_fill(_t(L, (0,), "bool"), 1.0),
    "gcd_ cast": lambda L: _t(L, (3,), "int64").gcd_(L.ones(3)),
    "mvlgamma bool": lambda L: L.mvlgamma(_t(L, (3,), "bool"), 1),
    "index_put dtypes": lambda L: L.zeros(3).index_put((L.tensor([0]),), L.tensor(1)),
    "index_copy scalar source": lambda L: L.ones(4).index_copy(0, L.tensor([0, 1]), L.tensor(2.0)),
    "index_add scalar source": lambda L: L.ones(4).index_add(0, L.tensor([1]), L.tensor(2.0)),
    "cummax empty": lambda L: L.cummax(L.zeros(0), 3)[0],
    "cummax 0-d": lambda L: L.cummax(L.tensor(1.0), 5)[0],
    "flatten 0-d": lambda L: L.flatten(L.tensor(1.0), 0, 3),
    "unbind 0-d": lambda L: L.unbind(L.tensor(1.0), 1),
    "unique dim 0-d": lambda L: L.unique(L.tensor(1.0), dim=0),
    "slice_copy dim": lambda L: L.slice_copy(L.ones(2), -7),
    "slice_scatter step": lambda L: L.ones(4).slice_scatter(L.ones(2), 0, 0, 4, -2),
    "narrow_copy dim": lambda L: L.narrow_copy(L.ones(2), 8, 0, 1),
    "new_zeros negative": lambda L: L.ones(2).new_zeros(0, -8, 3),
    "cat of empties": lambda L: L.cat([L.ones(0), L.ones(0)], dim=7),
    "median of empty int": lambda L: L.median(_t(L, (0,), "int64")),
    "median bool": lambda L: L.median(_t(L, (2, 2), "bool"), 1),
}


def _outcome(fn, lib):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(lib)
    except Exception as exc:   # (the outcome compared)
        return type(exc).__name__, str(exc)
    return "returned", (str(out.dtype), tuple(out.shape), np.asarray(out.detach().tolist()).tolist())


@pytest.mark.parametrize("name", list(CALLS))
def test_as_torch(name):
    assert _outcome(CALLS[name], mygrad) == _outcome(CALLS[name], torch)
