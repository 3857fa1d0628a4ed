"""Saved values of backward nodes (``grad_fn._saved_<name>``): an index, a mask or the indices of a sort
are tensors, as torch shows them, and backward frees them (reading one afterwards raises torch's
RuntimeError) exactly where torch's are; an absent optional tensor stays None.  Differential scenarios
against torch (paired.py), and the harness's ``saved`` check catching a node that keeps its index."""
from __future__ import annotations

from dataclasses import replace

from paired import scenario_suite

from conformance import runner
from conformance.profiles import PROFILES
from conformance.registry import all_records

scenario, test_matches_torch = scenario_suite()


def _before_and_after(see, label, out, attrs, node=None):
    node = node or out.grad_fn
    for attr in attrs:
        see.call(f"{label}: {node.name()}.{attr} before backward", lambda attr=attr: getattr(node, attr))
    out.sum().backward()
    for attr in attrs:
        see.call(f"{label}: {node.name()}.{attr} after backward", lambda attr=attr: getattr(node, attr))


@scenario
def indices_and_masks_are_tensors_freed_by_backward(t, see):
    x = t.arange(12.0, dtype=t.float64).reshape(3, 4)
    grad = [x.clone().requires_grad_() for _ in range(10)]
    index = t.tensor([[0, 1], [2, 3], [1, 1]])
    _before_and_after(see, "gather", grad[0].gather(1, index), ["_saved_index", "_saved_dim"])
    _before_and_after(see, "scatter", grad[1].scatter(1, index, 0.5), ["_saved_index"])
    _before_and_after(see, "index_select", grad[2].index_select(0, t.tensor([2, 0])), ["_saved_index"])
    _before_and_after(see, "masked_fill", grad[3].masked_fill(x > 4, 0.0), ["_saved_mask"])
    _before_and_after(see, "masked_select", grad[4].masked_select(x > 4), ["_saved_mask"])
    _before_and_after(see, "take", grad[5].take(t.tensor([0, 5])), ["_saved_index"])
    values, _ = grad[6].sort(1)
    _before_and_after(see, "sort", values, ["_saved_indices"])
    _before_and_after(see, "indexing", grad[7][:, t.tensor([0, 2])], ["_saved_indices"])
    _before_and_after(see, "max(dim)", grad[8].max(1)[0], ["_saved_indices"])
    loss = t.nn.functional.nll_loss(grad[9].log_softmax(1), t.tensor([0, 3, 1]))
    _before_and_after(see, "nll_loss", loss, ["_saved_target"], loss.grad_fn)


@scenario
def numbers_and_absent_tensors(t, see):
    a = t.tensor([0.5, -1.5], dtype=t.float64, requires_grad=True)
    _before_and_after(see, "a number for a tensor argument", a * 3.5, ["_saved_other", "_saved_self"])
    _before_and_after(see, "an absent optional tensor", a.clamp(min=0.0), ["_saved_min", "_saved_max"])
    _before_and_after(see, "where", t.where(a > 0, a, 0.0), ["_saved_condition"])


@scenario
def every_saved_output_is_version_checked(t, see):
    """aminmax's node saves both of its outputs: an in-place edit of the second breaks its backward."""
    x = t.tensor([[0.5, -1.5, 2.0], [3.0, 3.0, -1.0]], dtype=t.float64, requires_grad=True)
    low, high = t.aminmax(x, dim=1)
    see.call("aminmax: saved min", lambda: low.grad_fn._saved_min)
    see.call("aminmax: saved max", lambda: low.grad_fn._saved_max)
    with t.no_grad():
        high.mul_(2)
    see.call("aminmax: backward after max was edited", lambda: (low.sum() + high.sum()).backward())
    see("aminmax: x.grad", x.grad)


@scenario
def a_saved_result_is_checked_whichever_input_requires_grad(t, see):
    """ldexp's node saves its result for other's gradient even when only self requires grad."""
    x = t.tensor([0.5, 0.0, -2.0], requires_grad=True)
    out = t.ldexp(x, t.tensor(3))
    see.call("ldexp: saved result", lambda: out.grad_fn._saved_result)
    see.call("ldexp: saved self", lambda: out.grad_fn._saved_self)
    out[0] = 1.0
    see.call("ldexp: backward after the result was edited", lambda: out.sum().backward())
    see("ldexp: x.grad", x.grad)


@scenario
def a_loss_saves_its_target_as_given(t, see):
    """A loss node saves the target tensor itself (its dtype, its shape): an in-place edit of it breaks the
    backward."""
    F = t.nn.functional
    x = t.tensor([[0.5, -1.0, 2.0], [0.1, 0.2, 0.3]])
    cases = [("soft_margin_loss", F.soft_margin_loss, x[0], t.tensor([1.0, -1.0, 1.0], dtype=t.float64)),
             ("soft_margin_loss, an int target", F.soft_margin_loss, x[0], t.tensor([1, -1, 1])),
             ("soft_margin_loss, a broadcast target", F.soft_margin_loss, x[0], t.tensor([-1.0])),
             ("nll_loss", F.nll_loss, x, t.tensor([0, 2])),
             ("cross_entropy", F.cross_entropy, x, t.tensor([2, 1])),
             ("multi_margin_loss", F.multi_margin_loss, x, t.tensor([0, 2])),
             ("multilabel_margin_loss", F.multilabel_margin_loss, x, t.tensor([[0, 2, -1], [1, -1, 0]])),
             ("multilabel_margin_loss, a vector", F.multilabel_margin_loss, x[0], t.tensor([2, -1, 0]))]
    for label, loss_fn, data, target in cases:
        input = data.clone().requires_grad_()
        loss = loss_fn(input, target)
        see.call(f"{label}: saved target", lambda: loss.grad_fn._saved_target)
        target.view(-1)[0] = 1
        see.call(f"{label}: backward after the target was edited", lambda: loss.backward())
        see(f"{label}: grad", input.grad)


@scenario
def an_index_a_mask_or_a_weight_read_as_an_array_is_still_checked(t, see):
    """Nodes keep an index, a mask or a loss's weight as the array their formulas read, but an in-place edit
    of the tensor it came from breaks the backward, as torch's saved tensor does."""
    F = t.nn.functional
    x = t.tensor([[0.5, -1.0, 2.0], [0.1, 0.2, 0.3]])
    mask = t.tensor([[True, False, True], [False, False, True]])
    cases = [("gather", lambda a, o: a.gather(1, o), t.tensor([[0], [2]])),
             ("index_select", lambda a, o: a.index_select(1, o), t.tensor([0, 2])),
             ("scatter", lambda a, o: a.scatter(1, o, 0.5), t.tensor([[0], [2]])),
             ("take", lambda a, o: a.take(o), t.tensor([0, 2])),
             ("index_put", lambda a, o: a.index_put((o,), t.tensor(1.0)), t.tensor([0])),
             ("masked_fill", lambda a, o: a.masked_fill(o, 0.0), mask.clone()),
             ("where", lambda a, o: t.where(o, a, 0.0), mask.clone()),
             ("masked_select", lambda a, o: a.masked_select(o), mask.clone()),
             ("masked_scatter", lambda a, o: a.masked_scatter(o, t.ones(6)), mask.clone()),
             ("embedding", lambda a, o: F.embedding(o, a), t.tensor([0, 1, 1])),
             ("binary_cross_entropy's weight",
              lambda a, o: F.binary_cross_entropy(a.sigmoid(), t.ones(2, 3), weight=o), t.tensor([0.5, 2.0, 1.0])),
             ("binary_cross_entropy_with_logits' pos_weight",
              lambda a, o: F.binary_cross_entropy_with_logits(a, t.ones(2, 3), pos_weight=o), t.tensor([0.5, 2.0, 1.0])),
             ("the same, untouched", lambda a, o: a.gather(1, o), t.tensor([[1], [0]]))]
    for label, op, other in cases:
        input = x.clone().requires_grad_()
        out = op(input, other)
        if label != "the same, untouched":
            with t.no_grad():
                other.view(-1)[0] = not other.view(-1)[0] if other.dtype == t.bool else 1
        see.call(f"{label}: backward after an in-place edit", lambda: out.sum().backward())
        see(f"{label}: grad", input.grad)
    # (nodes that read an input for its shape only still save it)
    for label, op in [("masked_select", lambda a: t.masked_select(a, t.tensor(True))),
                      ("take", lambda a: a.take(t.tensor([0]))),
                      ("index_add's source", lambda a: t.zeros(3, dtype=t.float64).index_add(0, t.tensor([1]), a)),
                      ("index_copy's source", lambda a: t.zeros(3, dtype=t.float64).index_copy(0, t.tensor([1]), a))]:
        leaf = t.tensor([1.5], dtype=t.float64, requires_grad=True)
        edited = leaf * 1
        out = op(edited)
        with t.no_grad():
            edited.mul_(0.5)
        see.call(f"{label}: backward after its input was edited", lambda: out.sum().backward())


@scenario
def returned_indices_are_checked(t, see):
    """max pooling saves the indices it returns: an in-place edit of them breaks the backward."""
    F = t.nn.functional
    x = t.arange(16.0, dtype=t.float64).reshape(1, 1, 4, 4)
    for label, pool in [("max_pool2d", lambda a: F.max_pool2d(a, 2, return_indices=True)),
                        ("max_pool1d", lambda a: F.max_pool1d(a[0], 2, return_indices=True)),
                        ("adaptive_max_pool2d", lambda a: F.adaptive_max_pool2d(a, 2, return_indices=True)),
                        ("adaptive_max_pool1d", lambda a: F.adaptive_max_pool1d(a[0], 2, return_indices=True))]:
        for edit in (True, False):
            input = x.clone().requires_grad_()
            out, indices = pool(input)
            if edit:
                indices.view(-1)[0] = 0
            see.call(f"{label} (indices edited: {edit}): backward", lambda: out.sum().backward())
            see(f"{label} (indices edited: {edit}): grad", input.grad)


def _record(row: str):
    return next(r for r in all_records() if r.row == row)


QUICK = replace(PROFILES["quick"], shrink_seconds=0.0)


def test_the_saved_check_passes_on_gather():
    result = runner.run_case(runner.Case(_record("gather"), "function", "float64"), QUICK, only=("saved",))
    assert result.ok and result.counts["saved"][0] > 0, result.summary()


def test_the_saved_check_catches_an_index_that_is_never_freed(monkeypatch):
    """GatherBackward0 declared without ``freed=("index",)``: its index stays readable after backward."""
    from mygrad.autograd.node import derivative
    from mygrad.ops import indexing
    node = indexing.GatherBackward0
    monkeypatch.setattr(indexing, "GatherBackward0", derivative("GatherBackward0", attrs=node.attributes,
                                                                **node.formulas))
    result = runner.run_case(runner.Case(_record("gather"), "function", "float64"), QUICK, only=("saved",))
    failures = {f.check: f for f in result.failures}
    assert "saved" in failures, result.summary()
    assert "GatherBackward0._saved_index" in failures["saved"].diff


def test_nll_loss_saves_its_class_weights_as_torch():
    """torch's NllLossBackward0 keeps ``weight``: an in-place edit of it before the backward raises there
    (found by the thorough programs row, through nn.NLLLoss's weight buffer)."""
    import torch

    import mygrad
    outcomes = []
    for lib in (torch, mygrad):
        x = lib.tensor([[0.0, 1.0]], requires_grad=True)
        w = lib.tensor([1.0, 2.0])
        out = lib.nn.functional.nll_loss(x, lib.tensor([0]), weight=w)
        w[1] = 3.0
        try:
            out.backward()
            outcomes.append(None)
        except RuntimeError as exc:
            outcomes.append(str(exc).split(":")[0])
        outcomes.append([n for n in dir(out.grad_fn) if n == "_saved_weight"])
    assert outcomes[:2] == outcomes[2:] and outcomes[0] is not None


@scenario
def nothing_is_saved_for_an_input_whose_edge_is_empty(t, see):
    """A view made under no_grad of a base that requires grad has no AccumulateGrad: mul saves nothing for its
    gradient, so a second backward does not raise."""
    base = t.tensor(1.5, dtype=t.float64)
    base.requires_grad_()
    with t.no_grad():
        view = base.reshape(-1)
    out = t.tensor(1.5, dtype=t.float64) * view
    see.call("first backward", lambda: out.sum().backward())
    see.call("second backward", lambda: out.sum().backward())
    see("view.grad", view.grad)


@scenario
def rounding_division_saves_its_operands(t, see):
    """div with a rounding mode has zero gradients, but its node saves self and other as torch's does."""
    a = t.tensor(0.5, dtype=t.float64, requires_grad=True)
    b = t.tensor([2.0], dtype=t.float64, requires_grad=True)
    out = t.div(a, b, rounding_mode="floor")
    see.call("saved other", lambda: out.grad_fn._saved_other)
    see.call("saved rounding mode", lambda: out.grad_fn._saved_rounding_mode)
    with t.no_grad():
        b[0] = 1.0
    see.call("backward after other was edited", lambda: out.sum().backward())


@scenario
def gather_saves_its_input(t, see):
    """gather's node saves self (for its shape) as torch's does: an in-place edit of it breaks the backward."""
    x = t.tensor([0.5, 1.5], requires_grad=True)
    out = t.gather(x, 0, t.tensor([1]))
    see.call("saved self", lambda: out.grad_fn._saved_self)
    with t.no_grad():
        x[0] = 1.0
    see.call("backward after self was edited", lambda: out.sum().backward())
