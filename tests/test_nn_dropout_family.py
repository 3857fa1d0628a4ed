"""The dropout family in training mode, where the random masks cannot equal torch's: the statistics of
mygrad's masks against torch's (drop fraction, output mean and variance), the mask's structure (whole
channels for the feature variants, two values for alpha dropout), and the gradient as the mask's slope."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import mygrad

CASES = [("dropout1d", (300, 40, 5), True, False), ("dropout2d", (200, 30, 3, 3), True, False),
         ("dropout3d", (100, 30, 2, 2, 2), True, False), ("alpha_dropout", (200, 50, 4), False, True),
         ("feature_alpha_dropout", (300, 40, 5), True, True)]


def _run(lib, name, shape, p, seed):
    lib.manual_seed(seed)
    x = lib.tensor(np.random.default_rng(seed).normal(size=shape).astype(np.float32), requires_grad=True)
    y = getattr(lib.nn.functional, name)(x, p, True)
    y.sum().backward()
    return x.detach().numpy(), y.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("name,shape,feature,alpha", CASES)
@pytest.mark.parametrize("p", [0.2, 0.5])
def test_mask_statistics_match_torch(name, shape, feature, alpha, p):
    _, ty, tg = _run(torch, name, shape, p, 0)
    x, my, mg = _run(mygrad, name, shape, p, 0)
    # the slope: alpha dropout multiplies by a or 0, the others by 1/(1-p) or 0
    kept = mg != 0
    assert sorted(np.unique(np.round(mg, 5))) == sorted(np.unique(np.round(tg, 5)))
    assert abs(kept.mean() - (tg != 0).mean()) < 0.03
    assert abs(kept.mean() - (1 - p)) < 0.03
    if feature:  # one mask value per (sample, channel)
        per_channel = mg.reshape(shape[0], shape[1], -1)
        assert (per_channel == per_channel[..., :1]).all()
    # the output is input * slope (+ the alpha shift for dropped and kept units alike)
    if alpha:
        a = 1.0 / np.sqrt((1.7580993408473766 ** 2 * p + 1) * (1 - p))
        shift = np.where(kept, 1.7580993408473766 * a * p, -1.7580993408473766 * a + 1.7580993408473766 * a * p)
        np.testing.assert_allclose(my, x * mg + shift, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_allclose(my, x * mg, rtol=1e-6, atol=1e-6)
    # mean and variance of the outputs agree with torch's within sampling error
    assert abs(my.mean() - ty.mean()) < 0.05
    assert abs(my.var() / ty.var() - 1) < 0.05


def test_seeded_masks_repeat():
    a = _run(mygrad, "feature_alpha_dropout", (20, 10, 3), 0.5, 7)[1]
    b = _run(mygrad, "feature_alpha_dropout", (20, 10, 3), 0.5, 7)[1]
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("lib", [torch, mygrad])
def test_feature_dropout_needs_two_dims(lib):
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        lib.nn.functional.feature_alpha_dropout(lib.ones(5), 0.5, True)
