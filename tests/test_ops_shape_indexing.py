"""Shape, join and indexing ops, views and writes through them: each scenario runs in torch and in mygrad
and what a user would see is compared (see paired.py).  Nothing expected is typed in here."""
from __future__ import annotations

import numpy as np

from paired import check, graph_tree, scenario_suite

scenario, test_matches_torch = scenario_suite()


def _tree(node, depth=4):
    return graph_tree(node, depth)


def _data(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _leaf(t, *shape, seed=0, dtype=np.float32):
    return t.tensor(_data(*shape, seed=seed, dtype=dtype), requires_grad=True)


def _outputs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def observe(t, see, label, make, leaves, second_order=True):
    """The result of ``make()`` (value, dtype, flags, node names, graph), the leaves' gradients for a random
    upstream gradient, and (``second_order``) the gradient of a function of those gradients."""
    out = see.call(label, make)
    if not all(hasattr(o, "grad_fn") for o in _outputs(out)):
        return
    outs = [o for o in _outputs(out) if o.requires_grad]
    see(label + " graph", tuple(_tree(o.grad_fn) for o in _outputs(out)))
    see(label + " views", tuple(o._base is not None for o in _outputs(out)))
    if not outs:
        return
    wanted = [x for x in leaves if x.requires_grad]
    ups = [t.tensor(_data(*o.shape, seed=7 + i, dtype=np.float64)).to(o.dtype).requires_grad_(second_order)
           for i, o in enumerate(outs)]
    grads = see.call(label + " grads", lambda: t.autograd.grad(outs, wanted, ups, create_graph=second_order,
                                                              allow_unused=True))
    if second_order and grads is not None:
        total = sum((g * g).sum() for g in grads if g is not None and g.requires_grad)
        if not isinstance(total, int):
            see.call(label + " second order", lambda: t.autograd.grad(total, wanted + ups, allow_unused=True))


# ----- shape ops --------------------------------------------------------------------------------------

@scenario
def views_and_reshapes(t, see):
    a, A3, sq = _leaf(t, 3, 4), _leaf(t, 2, 3, 4, seed=1), _leaf(t, 3, 1, 4, seed=2)
    s0, col = _leaf(t, seed=3), _leaf(t, 3, 1, seed=4)
    at = a.t()
    cases = {
        "view": lambda: a.view(12), "view -1": lambda: a.view(-1, 3), "view tuple": lambda: a.view((2, 6)),
        "view non-contiguous": lambda: at.view(12), "view compatible strides": lambda: at.view(4, 3, 1),
        "view bad": lambda: a.view(5), "view two -1": lambda: a.view(-1, -1), "view_as": lambda: a.view_as(at),
        "reshape": lambda: a.reshape(2, 6), "reshape -1": lambda: a.reshape(-1),
        "reshape of t": lambda: at.reshape(12), "reshape of t alias": lambda: at.reshape(4, 3, 1),
        "reshape of t split": lambda: at.reshape(2, 2, 3), "reshape of slice": lambda: a[:, :2].reshape(6),
        "reshape of strided slice": lambda: a[:, ::2].reshape(6), "reshape of rows": lambda: a[:2].reshape(8),
        "reshape of expand": lambda: col.expand(3, 4).reshape(12), "reshape_as": lambda: a.reshape_as(at),
        "torch.reshape": lambda: t.reshape(A3, (6, 4)), "reshape 0-d": lambda: s0.reshape(1, 1),
        "flatten": lambda: A3.flatten(), "flatten 1": lambda: A3.flatten(1), "flatten 0 1": lambda: A3.flatten(0, 1),
        "flatten same dim is input": lambda: a.flatten(0, 0) is a, "flatten 0-d": lambda: s0.flatten(),
        "flatten transposed": lambda: A3.transpose(0, 1).flatten(1), "torch.flatten": lambda: t.flatten(A3, -2),
        "flatten bad": lambda: A3.flatten(2, 1),
        "squeeze": lambda: sq.squeeze(), "squeeze 1": lambda: sq.squeeze(1), "squeeze 0": lambda: sq.squeeze(0),
        "squeeze tuple": lambda: sq.squeeze((0, 1)), "squeeze list": lambda: sq.squeeze([1, -1]),
        "squeeze bad dim": lambda: sq.squeeze(3), "torch.squeeze": lambda: t.squeeze(sq, -2),
        "unsqueeze": lambda: a.unsqueeze(0), "unsqueeze -1": lambda: a.unsqueeze(-1),
        "unsqueeze bad": lambda: a.unsqueeze(3), "torch.unsqueeze 0-d": lambda: t.unsqueeze(s0, 0),
        "expand": lambda: col.expand(3, 4), "expand -1": lambda: col.expand(-1, 4),
        "expand new dims": lambda: a.expand(2, 3, 4), "expand size": lambda: col.expand(t.Size([2, 3, 5])),
        "expand bad": lambda: a.expand(4, 4), "expand too few": lambda: a.expand(4),
        "expand leading -1": lambda: a.expand(-1, 3, 4), "expand_as": lambda: col.expand_as(a),
        "broadcast_to": lambda: col.broadcast_to((2, 3, 4)),
        "t": lambda: a.t(), "t 1-d": lambda: a[0].t(), "t 0-d": lambda: s0.t(), "t 3-d": lambda: A3.t(),
        "torch.t": lambda: t.t(a), "T": lambda: a.T, "mT": lambda: A3.mT, "mT 1-d": lambda: a[0].mT,
        "mH": lambda: a.mH, "H": lambda: a.H, "adjoint": lambda: A3.adjoint(),
        "transpose": lambda: A3.transpose(0, 2), "transpose neg": lambda: A3.transpose(-1, 0),
        "swapaxes": lambda: a.swapaxes(0, 1), "torch.transpose": lambda: t.transpose(a, 1, 0),
        "transpose bad": lambda: a.transpose(0, 2),
        "permute": lambda: A3.permute(2, 0, 1), "permute tuple": lambda: A3.permute((1, 2, 0)),
        "permute neg": lambda: A3.permute(-1, 0, 1), "permute dup": lambda: a.permute(0, 0),
        "permute short": lambda: a.permute(0), "torch.permute": lambda: t.permute(A3, (2, 1, 0)),
        "movedim": lambda: A3.movedim(0, 2), "movedim tuple": lambda: A3.movedim((0, 1), (2, 0)),
        "moveaxis": lambda: t.moveaxis(A3, -1, 0), "movedim mismatch": lambda: a.movedim((0, 1), (1,)),
        "movedim repeated": lambda: a.movedim((0, 0), (0, 1)),
        "contiguous is input": lambda: a.contiguous() is a, "contiguous of t": lambda: at.contiguous(),
        "clone": lambda: a.clone(), "clone of t keeps strides": lambda: at.clone().stride(),
    }
    for label, make in cases.items():
        observe(t, see, label, make, [a, A3, sq, s0, col])


@scenario
def transposes_warn(t, see):
    s0, v, A3 = _leaf(t), _leaf(t, 4, seed=1), _leaf(t, 2, 3, 4, seed=2)
    for label, make in {"T 0-d": lambda: s0.T, "T 1-d": lambda: v.T, "T 3-d": lambda: A3.T,
                        "mT 0-d is input": lambda: s0.mT is s0}.items():
        observe(t, see, label, make, [s0, v, A3])


@scenario
def reshaping_copies(t, see):
    a, s0 = _leaf(t, 3, 4), _leaf(t, seed=1)
    cases = {
        "flip": lambda: a.flip(0), "flip list": lambda: a.flip([0, 1]), "flip varargs": lambda: a.flip(1, 0),
        "flip none": lambda: a.flip(()), "flip dup": lambda: a.flip(0, 0), "flip bad": lambda: a.flip(2),
        "torch.flip": lambda: t.flip(a, dims=(1,)), "fliplr": lambda: a.fliplr(), "flipud": lambda: t.flipud(a),
        "flip 0-d": lambda: s0.flip(0), "fliplr 1-d": lambda: a[0].fliplr(),
        "roll": lambda: a.roll(1, 0), "roll flat": lambda: a.roll(5), "roll two": lambda: a.roll((1, -2), (0, 1)),
        "roll neg dim": lambda: t.roll(a, shifts=2, dims=-1), "roll misaligned": lambda: a.roll(1, (0, 1)),
        "roll 0-d": lambda: s0.roll(1), "roll bad dim": lambda: a.roll(1, 2),
        "repeat": lambda: a.repeat(2, 1), "repeat new dims": lambda: a.repeat(2, 3, 1),
        "repeat list": lambda: a.repeat([1, 2]), "repeat zero": lambda: a.repeat(0, 1),
        "repeat short": lambda: a.repeat(2), "repeat 0-d": lambda: s0.repeat(3), "repeat negative": lambda: a.repeat(-1, 1),
        "tile": lambda: a.tile((2,)), "torch.tile": lambda: t.tile(a, (2, 1, 1)),
    }
    for label, make in cases.items():
        observe(t, see, label, make, [a, s0])


# ----- joining and splitting ----------------------------------------------------------------------------

@scenario
def join_and_split(t, see):
    a, b, c = _leaf(t, 3, 4), _leaf(t, 3, 4, seed=1), _leaf(t, 2, 4, seed=2)
    d = _leaf(t, 3, 4, seed=3, dtype=np.float64)
    nd, e, s0 = t.tensor(_data(3, 4, seed=4)), _leaf(t, 0, seed=5), _leaf(t, seed=6)
    ints = t.ones(3, 4, dtype=t.int64)
    cases = {
        "cat": lambda: t.cat([a, c]), "cat dim 1": lambda: t.cat((a, b), 1), "cat -1": lambda: t.cat([a, b], dim=-1),
        "cat no-grad input": lambda: t.cat([a, nd]), "cat one": lambda: t.cat([a]),
        "cat promotes": lambda: t.cat([a, d]), "cat int": lambda: t.cat([a, ints]),
        "cat empty legacy": lambda: t.cat([a, e, b]), "cat only empty": lambda: t.cat([e, e]),
        "cat empty list": lambda: t.cat([]), "cat 0-d": lambda: t.cat([a, s0]), "cat tensor": lambda: t.cat(a),
        "cat sizes": lambda: t.cat([a, c], 1), "cat ndim": lambda: t.cat([a, a[None]]),
        "cat bad dim": lambda: t.cat([a, b], 2), "concat": lambda: t.concat([a, b]),
        "stack": lambda: t.stack([a, b]), "stack -1": lambda: t.stack([a, b], dim=-1),
        "stack 0-d": lambda: t.stack([s0, s0 * 2]), "stack promotes": lambda: t.stack([a, d]),
        "stack sizes": lambda: t.stack([a, c]), "stack empty": lambda: t.stack([]),
        "stack bad dim": lambda: t.stack([a, b], 3), "hstack": lambda: t.hstack([a, b]),
        "vstack": lambda: t.vstack([a, c]), "hstack 1-d": lambda: t.hstack([a[0], b[1]]),
        "split": lambda: a.split(2), "split dim": lambda: t.split(a, 3, dim=1), "split big": lambda: a.split(5),
        "split sizes": lambda: a.split([1, 2]), "split sizes dim": lambda: a.split((1, 3), 1),
        "split_with_sizes": lambda: a.split_with_sizes([2, 1]), "split zero": lambda: a.split(0),
        "split negative": lambda: a.split(-1), "split sizes bad": lambda: a.split([1, 1]),
        "chunk": lambda: a.chunk(2), "chunk dim": lambda: t.chunk(a, 4, 1), "chunk many": lambda: a.chunk(5),
        "chunk zero": lambda: a.chunk(0), "unbind": lambda: a.unbind(), "unbind 1": lambda: t.unbind(a, 1),
        "unbind 0-d": lambda: s0.unbind(),
    }
    for label, make in cases.items():
        observe(t, see, label, make, [a, b, c, d, e, s0])


@scenario
def split_partial_gradient(t, see):
    a = _leaf(t, 5, 2)
    parts = a.split(2)
    see("only the middle piece", t.autograd.grad(parts[1].sum() * 3, a))
    rows = a.unbind()
    see("one row twice", t.autograd.grad(rows[0].sum() + rows[0].sum(), a))
    see("iterating unbinds", [type(r.grad_fn).__name__ for r in a])


# ----- indexing ---------------------------------------------------------------------------------------

@scenario
def getitem(t, see):
    a, A3, s0, v = _leaf(t, 3, 4), _leaf(t, 2, 3, 4, seed=1), _leaf(t, seed=2), _leaf(t, 5, seed=3)
    mask = t.tensor(_data(3, 4, seed=9) > 0)
    idx, gidx = t.tensor([0, 2]), t.tensor([[0, 1, 2, 3], [3, 2, 1, 0], [0, 0, 0, 0]])
    cases = {
        "int": lambda: a[0], "negative int": lambda: a[-1], "two ints": lambda: a[0, 1], "chained": lambda: a[0][1],
        "column": lambda: a[:, 1], "slice": lambda: a[1:3], "full slice": lambda: a[:], "step": lambda: a[::2],
        "slice cols": lambda: a[:, 1:3], "full slices": lambda: a[:, :], "ellipsis": lambda: a[...],
        "ellipsis int": lambda: a[..., 0], "None": lambda: a[None], "None both": lambda: a[None, :, None],
        "int None": lambda: a[0, None], "None int": lambda: a[:, None, 1], "mask": lambda: a[mask],
        "computed mask": lambda: a[a > 0], "row mask": lambda: a[mask[:, 0]], "list": lambda: a[[0, 2]],
        "list repeat": lambda: a[[0, 0, 2]], "tensor index": lambda: a[idx], "two tensors": lambda: a[idx, idx],
        "cols tensor": lambda: a[:, idx], "0-d int tensor": lambda: a[t.tensor(1)], "bool list": lambda: a[[True, False, True]],
        "2-d index": lambda: a[gidx[:2, :2] % 3], "broadcast indices": lambda: a[idx[:, None], idx],
        "separated advanced": lambda: A3[idx[:1], :, idx], "select then index": lambda: A3[0, :, idx],
        "index then int": lambda: A3[idx[:1], 0], "ellipsis index": lambda: A3[..., idx], "mask then int": lambda: A3[mask[:2, :3], 0],
        "mask slice": lambda: a[mask[:, 0], 1:], "index None": lambda: a[idx, None], "True": lambda: a[True],
        "False": lambda: a[False], "0-d None": lambda: s0[None], "0-d ellipsis": lambda: s0[...],
        "0-d True": lambda: s0[True], "strided slice": lambda: v[2:100:3], "clamped slice": lambda: a[-10:2],
        "empty slice": lambda: a[2:1], "past end": lambda: a[5:], "empty list": lambda: a[[]],
        "int32 index": lambda: a[idx.int()], "numpy int": lambda: a[np.int64(1)], "numpy array": lambda: a[np.array([0, 1])],
        "tuple list": lambda: a[([0, 1],)], "list of lists": lambda: a[[[0, 1]]], "list with slice": lambda: a[[0, slice(None)]],
    }
    errors = {
        "out of range": lambda: a[3], "negative out of range": lambda: a[-4], "second dim": lambda: a[0, 4],
        "column out": lambda: a[:, -5], "too many": lambda: a[0, 0, 0], "list out": lambda: a[[0, 3]],
        "tensor out": lambda: a[idx + 5], "mask shape": lambda: a[t.ones(2, 4, dtype=t.bool)],
        "mask cols": lambda: a[t.ones(3, 5, dtype=t.bool)], "float": lambda: a[1.5], "float tensor": lambda: a[t.tensor([1.0])],
        "negative step": lambda: a[::-1], "zero step": lambda: a[::0], "0-d int": lambda: s0[0], "0-d other int": lambda: s0[1],
        "0-d slice": lambda: s0[:], "0-d tuple": lambda: s0[(0,)], "broadcast mismatch": lambda: a[[0, 1], [1, 2, 3]],
        "string": lambda: a["x"],
    }
    for label, make in {**cases, **errors}.items():
        observe(t, see, label, make, [a, A3, s0, v])


@scenario
def index_ops(t, see):
    a, s0, b = _leaf(t, 3, 4), _leaf(t, seed=1), _leaf(t, 3, 4, seed=2)
    mask = t.tensor(_data(3, 4, seed=9) > 0)
    idx, gidx = t.tensor([0, 2]), t.tensor([[0, 1, 2, 3], [3, 2, 1, 0], [0, 0, 0, 0]])
    cases = {
        "select": lambda: a.select(0, 1), "select neg": lambda: t.select(a, 1, -1), "select out": lambda: a.select(0, 3),
        "select bad dim": lambda: a.select(2, 0), "select 0-d": lambda: s0.select(0, 0),
        "narrow": lambda: a.narrow(0, 1, 2), "narrow neg": lambda: t.narrow(a, 0, -1, 1),
        "narrow tensor start": lambda: a.narrow(1, t.tensor(1), 2), "narrow empty": lambda: a.narrow(0, 3, 0),
        "narrow too long": lambda: a.narrow(0, 2, 2), "narrow start out": lambda: a.narrow(0, 4, 0),
        "narrow negative length": lambda: a.narrow(0, 0, -1),
        "index_select": lambda: a.index_select(0, idx), "index_select 1": lambda: t.index_select(a, 1, idx),
        "index_select repeat": lambda: a.index_select(0, t.tensor([1, 1, 1])), "index_select int32": lambda: a.index_select(-1, idx.int()),
        "index_select 0-d index": lambda: a.index_select(0, t.tensor(1)), "index_select float": lambda: a.index_select(0, idx.float()),
        "index_select out": lambda: a.index_select(0, idx + 3), "index_select 2-d": lambda: a.index_select(0, idx[None]),
        "gather": lambda: a.gather(1, gidx), "gather 0": lambda: t.gather(a, 0, gidx[:2] % 3),
        "gather narrow": lambda: a.gather(1, gidx[:, :2]), "gather wide": lambda: a.gather(1, t.zeros(3, 5, dtype=t.int64)),
        "gather repeat": lambda: a.gather(0, t.tensor([[2, 2, 0, 1]])), "gather 0-d": lambda: s0.gather(0, t.tensor(0)),
        "gather out": lambda: a.gather(1, gidx + 4), "gather ndim": lambda: a.gather(1, gidx[0]),
        "masked_fill": lambda: a.masked_fill(mask, 0.0), "masked_fill int value": lambda: a.masked_fill(mask, 2),
        "masked_fill 0-d tensor": lambda: a.masked_fill(mask, s0), "masked_fill no-grad value": lambda: a.masked_fill(mask, t.tensor(1.0)),
        "masked_fill broadcast mask": lambda: a.masked_fill(mask[0], 1.0), "masked_fill broadcast input": lambda: a[0].masked_fill(mask, 1.0),
        "masked_fill f64 value": lambda: a.masked_fill(mask, t.tensor(1.0, dtype=t.float64)),
        "masked_fill long mask": lambda: a.masked_fill(mask.long(), 1.0), "masked_fill 1-d value": lambda: a.masked_fill(mask, b),
        "torch.masked_fill": lambda: t.masked_fill(a, a > 0.5, -1.0),
        "index_put": lambda: t.index_put(a, (idx,), b[:2]), "index_put accumulate": lambda: a.index_put((t.tensor([0, 0]),), b[0], accumulate=True),
    }
    for label, make in cases.items():
        observe(t, see, label, make, [a, s0, b])


# ----- writes through views -----------------------------------------------------------------------------

def _after(t, see, label, statements, leaves, namespace):
    """Run ``statements``; observe ``out`` (graph, gradients) or the error, and the leaves left untouched."""
    def run():
        scope = {"t": t, **namespace}
        exec(statements, scope)
        return scope["out"]
    observe(t, see, label, run, leaves)


@scenario
def setitem(t, see):
    a, b = _leaf(t, 3, 4), _leaf(t, 3, 4, seed=1)
    mask = t.tensor(_data(3, 4, seed=9) > 0)
    ns = {"a": a, "b": b, "mask": mask, "idx": t.tensor([0, 2]), "np": np}
    cases = {
        "scalar into row": "out = a * 1; out[0] = 5.0",
        "row from other": "out = a * 1; out[0] = b[0]",
        "mask scalar": "out = a * 1; out[mask] = 0.0",
        "column add": "out = a * 1; out[:, 1] += 1",
        "column from other": "out = a * 1; out[:, 1] = b[:, 1]",
        "int and mask": "out = a * 1; out[0, mask[0]] = 1.0",
        "index rows": "out = a * 1; out[idx] = b[:2]",
        "index scalar": "out = a * 1; out[idx] = 1.0",
        "index with slice": "out = a * 1; out[idx, 1:] = 1.0",
        "None": "out = a * 1; out[None] = 1.0",
        "0-d tensor value": "out = a * 1; out[0] = t.tensor(3.0)",
        "0-d f64 value": "out = a * 1; out[0] = t.tensor(3.0, dtype=t.float64)",
        "int value": "out = a * 1; out[0] = 2",
        "broadcast value": "out = a * 1; out[0:2] = b[0]",
        "leading ones value": "out = a * 1; out[0] = b[0:1]",
        "leading ones advanced": "out = a * 1; out[idx] = b[:2][None]",
        "into zeros": "out = t.zeros(3, 4); out[0] = a[0]",
        "into zeros no grad": "out = t.zeros(3, 4); out[0] = 1.0",
        "mask from other": "out = t.zeros(3, 4); out[mask] = b[mask]",
        "float into long": "out = t.zeros(3, 4, dtype=t.int64); out[0] = 1.7",
        "grad into long": "out = t.zeros(3, 4, dtype=t.int64); out[0] = b[0]",
        "double into float": "out = t.zeros(3, 4); out[0] = b[0].double()",
        "index value row": "out = a * 1; out[idx] = b[0]",
        "repeated index": "out = a * 1; out[[0, 0]] = b[:2]",
        "index add": "out = a * 1; out[idx] += 1",
        "mask 0-d value": "out = a * 1; out[mask] = t.tensor(2.0)",
        "empty mask": "out = a * 1; out[a > 10] = b[a > 10]",
        "chained": "out = a * 1; out[0][1] = 2.0",
        "two ints": "out = a * 1; out[0, 1] = 2.0",
        "through a view": "out = a * 1; v = out[0]; v[1] = 3.0",
        "True": "out = a * 1; out[True] = 1.0",
        "list value": "out = a * 1; out[0] = [1.0, 2.0, 3.0, 4.0]",
        "numpy value": "out = a * 1; out[0] = np.ones(4, dtype=np.float32)",
        "wrong shape": "out = a * 1; out[0] = b[:2]",
        "mask wrong shape": "out = a * 1; out[mask] = b[0]",
        "out of range": "out = a * 1; out[5] = 1",
        "leaf row": "out = a; out[0] = 5.0",
        "leaf ellipsis": "out = a; out[...] = 5.0",
        "leaf mask": "out = a; out[mask] = 0.0",
        "leaf int and list": "out = a; out[0, [0]] = 0.0",
        "expanded": "out = t.zeros(3, 1).expand(3, 4); out[0] = 1.0",
    }
    for label, statements in cases.items():
        _after(t, see, label, statements, [a, b], ns)
    see("leaves untouched", (a, b))
    see("version after no-grad write", _version_after(t))


def _version_after(t):
    x = t.zeros(3)
    with t.no_grad():
        x[0] = 1.0
        x[1:] += 2
    return x._version, x


@scenario
def inplace_on_views(t, see):
    a, b, w = _leaf(t, 3, 4), _leaf(t, 3, 4, seed=1), _leaf(t, 3, 4, seed=2)
    ns = {"a": a, "b": b, "w": w}
    cases = {
        "view mul_": "y = a * 2; y[0:2].mul_(2); out = y",
        "view of view": "y = a * 1; v = y[0]; u = v[1:3]; u.mul_(3); out = y",
        "view keeps going": "y = a * 1; v = y[0]; v.mul_(2); out = v",
        "base after view write": "y = a * 1; v = y[0]; v.mul_(2); out = y * 1",
        "view after base write": "y = a * 1; v = y[0]; y.mul_(2); out = v",
        "sibling after write": "y = a * 1; v = y[0]; w2 = y[:, 0]; v.mul_(2); out = w2",
        "child after write": "y = a * 1; v = y[0]; u = v[1:]; y[0, 1] = 7.0; out = u",
        "view of no-grad base": "x = t.zeros(3, 4); v = x[0:2]; v.copy_(b[:2]); out = x",
        "stale no-grad view": "x = t.zeros(3, 4); v = x[0]; x[1] = b[1]; out = v",
        "transposed write": "y = a * 1; v = y.t(); v.mul_(2); out = v",
        "expand write": "y = a * 1; v = y.expand(2, 3, 4); v.mul_(2); out = v",
        "diagonal-ish write": "y = a * 1; v = y.view(12)[::5]; v.add_(b.view(12)[:3]); out = y",
        "self operand": "y = a * 1; v = y[0]; v.mul_(v); out = y",
        "view of leaf": "v = w[0:2]; v.mul_(2); out = v",
        "no-grad view of leaf": "with t.no_grad():\n    v = w[0]\nv.add_(1); out = v",
        "no-grad view of non-leaf": "y = a * 1\nwith t.no_grad():\n    v = y[0]\nv.add_(1); out = v",
        "no-grad view used": "with t.no_grad():\n    v = w[0]\nout = v * 2",
        "no-grad view after base write": "y = a * 1\nwith t.no_grad():\n    v = y[0]\ny.add_(1); out = v * 2",
        "split output": "y = a * 1; p = y.split(2)[1]; p.add_(1); out = p",
        "unbind output": "y = a * 1; p = y.unbind()[0]; p.mul_(2); out = p",
        "split of no-grad base": "x = t.zeros(4); p = x.split(2)[1]; p.copy_(b[0, :2]); out = p",
        "split of leaf": "p = w.split(2)[1]; p.add_(1); out = p",
        "split then base write": "y = a * 1; p = y.split(2)[0]; y.add_(1); out = p * 2",
        "no-grad split of no-grad base": "x = t.zeros(4); p = x.split(2)[0]; p.add_(1); out = x + b[0]",
        "no-grad write ok": "x = t.zeros(3)\nwith t.no_grad():\n    v = x[0:2]\nv.add_(1); out = x + b[0, :3]",
        "chained writes": "y = a * 1; y[:, 1] += 1; y[0] *= b[0]; y[1:, 2:] = b[1:, :2]; out = y",
        "double backward through CopySlices": "y = a * a; y[1] = b[1] * b[1]; out = y * y",
    }
    for label, statements in cases.items():
        _after(t, see, label, statements, [a, b, w], ns)
    see("leaves untouched", (a, b, w))


def test_shared_formulas_double_backward():
    def shared(t, see):
        a, s0 = _leaf(t, 3, 4), _leaf(t, seed=1)
        mask = t.tensor(_data(3, 4, seed=9) > 0)
        observe(t, see, "broadcast 0-d", lambda: t.broadcast_to(s0, (2,)), [s0])
        observe(t, see, "index_put 0-d values", lambda: a.index_put((mask,), s0), [a, s0])
        for label, statements in {"ellipsis": "out = a * 1; out[...] = 1.0", "full slice": "out = a * 1; out[:] = 2.0",
                                  "full slices": "out = a * 1; out[:, :] = a.detach() * 3"}.items():
            _after(t, see, label, statements, [a], {"a": a})
    check(shared)
