"""Memory layouts as torch chooses them (mygrad/_layout.py), compared with torch on views of every kind:
an elementwise result's strides (TensorIterator's order, broadcasting included), unsqueeze's strides,
is_contiguous / non-overlapping-and-dense / channels-last judgements, and the graphs that follow from
them (a CloneBackward0 where torch copies a non-contiguous input, reshape's three node names)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import mygrad
from mygrad._layout import is_non_overlapping_and_dense, suggests_channels_last

RNG = np.random.default_rng(0)
SHAPES = [(2, 3, 4), (3, 4), (1, 4, 2), (2, 1, 3), (4, 1), (1, 3, 1, 2), (2, 3, 1, 4)]
CUTS = ["plain", "transposed", "strided", "permuted", "sliced"]


def view(lib, array: np.ndarray, cut: str):
    """The same view of the same values in either library (None where the cut needs more dims)."""
    if cut == "plain":
        return lib.tensor(array)
    if cut == "strided":
        return lib.tensor(np.repeat(array, 2, axis=-1))[..., ::2]
    if cut == "sliced":
        return lib.tensor(np.concatenate([array, array], axis=0))[1:1 + array.shape[0]]
    if array.ndim < 2:
        return None
    if cut == "transposed":
        return lib.tensor(np.swapaxes(array, -1, -2).copy()).transpose(-1, -2)
    order = list(range(array.ndim))[::-1]
    return lib.tensor(array.transpose(order).copy()).permute(*np.argsort(order).tolist())


def both(array, cut):
    return view(torch, array, cut), view(mygrad, array, cut)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_judgements_and_unsqueeze_strides_match_torch(shape):
    array = RNG.standard_normal(shape)
    for cut in CUTS:
        t, m = both(array, cut)
        if t is None:
            continue
        assert m.stride() == t.stride(), cut
        assert m.is_contiguous() == t.is_contiguous(), cut
        dense = torch.empty_like(t).stride() == t.stride()   # (preserve_format keeps exactly such strides)
        assert is_non_overlapping_and_dense(m._data) == dense, cut
        for dim in range(-len(shape) - 1, len(shape) + 1):
            tu, mu = t.unsqueeze(dim), m.unsqueeze(dim)
            assert mu.stride() == tu.stride(), (cut, dim)
            if tu.dim() == 4:   # torch restrides a pooled mean channels-last exactly when it suggests that layout
                pooled = torch.nn.functional.adaptive_avg_pool2d(tu.detach().requires_grad_(), 1)
                assert suggests_channels_last(mu._data) == (pooled.grad_fn.name() == "AsStridedBackward1"), (cut, dim)
                ours = mygrad.nn.functional.adaptive_avg_pool2d(mu.detach().requires_grad_(), 1)
                assert type(ours.grad_fn).__name__ == pooled.grad_fn.name(), (cut, dim)


PAIRS = [((2, 3, 4), (3, 4)), ((2, 3, 4), (2, 3, 4)), ((3, 1), (1, 4)), ((1, 4, 2), (2, 4, 2)),
         ((2, 1, 3), (2, 4, 3)), ((4, 3), (4, 1)), ((2, 2), (2, 2)), ((3, 4), (4,))]


@pytest.mark.parametrize("shapes", PAIRS, ids=str)
def test_elementwise_results_are_laid_out_as_torch_s(shapes):
    a, b = (RNG.standard_normal(s) for s in shapes)
    for cut_a, cut_b in itertools.product(CUTS, CUTS):
        (ta, ma), (tb, mb) = both(a, cut_a), both(b, cut_b)
        if ta is None or tb is None:
            continue
        for op in ("mul", "add", "sub", "div"):
            pairs = ((getattr(ta, op)(tb), getattr(ma, op)(mb)), (getattr(tb, op)(ta), getattr(mb, op)(ma)))
            for t_out, m_out in pairs:
                assert m_out.is_contiguous() == t_out.is_contiguous(), (op, cut_a, cut_b)
                sized = [i for i, n in enumerate(t_out.shape) if n != 1]   # (size-1 dims' strides are free)
                assert [m_out.stride(i) for i in sized] == [t_out.stride(i) for i in sized], (op, cut_a, cut_b)
                np.testing.assert_array_equal(m_out.detach().numpy(), t_out.detach().numpy())


@pytest.mark.parametrize("shape", [(2, 3, 4), (3, 4), (2, 1, 3)], ids=str)
def test_reshape_family_records_torch_s_nodes(shape):
    array = RNG.standard_normal(shape)
    for cut in CUTS:
        t, m = both(array, cut)
        if t is None:
            continue
        t, m = t.requires_grad_(), m.requires_grad_()
        for name, fn in [("reshape", lambda x: x.reshape(-1)), ("flatten", lambda x: x.flatten()),
                         ("contiguous", lambda x: x.contiguous()), ("reshape 2", lambda x: x.reshape(x.shape[0], -1))]:
            to, mo = fn(t), fn(m)
            assert type(mo.grad_fn).__name__ == type(to.grad_fn).__name__, (cut, name)
            assert (mo is m) == (to is t), (cut, name)
        try:
            t.view(-1)
        except RuntimeError:
            with pytest.raises(RuntimeError):
                m.view(-1)
        else:
            assert type(m.view(-1).grad_fn).__name__ == type(t.view(-1).grad_fn).__name__


def test_the_harness_draws_non_contiguous_leaf_views(monkeypatch):
    """paired.choose_layouts makes some inputs transposed or strided leaf views, the same in both libraries
    (strides, values, leaf-ness), and leaves a TensorArg(contiguous=True) contiguous."""
    from conformance import paired
    from conformance.registry import Example, TensorArg
    monkeypatch.setattr(paired, "NONCONTIGUOUS", [True])
    example = Example((TensorArg(RNG.standard_normal((3, 4))), TensorArg(RNG.standard_normal(5)),
                       TensorArg(RNG.standard_normal((2, 3)), contiguous=True)))
    seen = set()
    for seed in range(60):
        layouts = paired.choose_layouts(example, seed)
        seen.update(layouts)
        assert layouts[2] in ("plain", "offset")
        (_, _, t_leaves), (_, _, m_leaves) = (paired.build(lib, example, layouts) for lib in (torch, mygrad))
        for t, m, layout in zip(t_leaves, m_leaves, layouts):
            assert m.stride() == t.stride() and m.is_contiguous() == t.is_contiguous(), layout
            assert m.is_leaf and t.is_leaf and m.requires_grad == t.requires_grad
            np.testing.assert_array_equal(m.detach().numpy(), t.detach().numpy())
    assert {"plain", "offset", "transposed", "strided"} <= seen, seen


@pytest.mark.parametrize("shape", [(1, 2, 2), (3, 2, 2), (2, 3, 1)], ids=str)
def test_sum_results_are_row_major_as_torch_s(shape):
    array = RNG.standard_normal(shape)
    for cut in CUTS:
        t, m = both(array, cut)
        if t is None:
            continue
        for dim in range(len(shape)):
            for keepdim in (False, True):
                assert m.sum(dim, keepdim=keepdim).stride() == t.sum(dim, keepdim=keepdim).stride(), (cut, dim)



NORM_SHAPES = [(2, 3, 4), (2, 3, 4, 5), (2, 3, 2, 2, 3), (3, 1, 2)]


def normalised_strides(lib, x) -> list:
    F, shape = lib.nn.functional, tuple(x.shape)
    running = (lib.zeros(shape[1], dtype=x.dtype), lib.ones(shape[1], dtype=x.dtype))
    return [F.layer_norm(x, shape[-1:]).stride(), F.batch_norm(x, None, None, training=True).stride(),
            F.batch_norm(x, *running).stride(), F.group_norm(x, 1).stride()]


@pytest.mark.parametrize("shape", NORM_SHAPES, ids=str)
def test_normalisation_results_are_laid_out_as_torch_s(shape):
    """layer_norm's result is row-major whatever the input's layout, batch_norm's keeps a channels-last one
    (torch's linear then takes its addmm path on the next layer, so the graph follows the layout)."""
    array = RNG.standard_normal(shape)
    for cut in CUTS:
        t, m = both(array, cut)
        if t is not None:
            assert normalised_strides(mygrad, m) == normalised_strides(torch, t), cut


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_joined_results_are_laid_out_as_torch_s(shape):
    """cat's and stack's results are row-major unless every input suggests channels-last (the next
    reshape then views instead of copying, as in torch's recurrent layers)."""
    array = RNG.standard_normal(shape)
    for cut in CUTS:
        t, m = both(array, cut)
        if t is None:
            continue
        for dim in range(len(shape)):
            assert mygrad.cat([m, m], dim).stride() == torch.cat([t, t], dim).stride(), (cut, dim)
            assert mygrad.stack([m, m]).stride() == torch.stack([t, t]).stride(), cut
