"""Forward-mode AD (autograd.forward_ad): every tangent formula checked against torch's forward AD.

Each case runs the same op on dual tensors (random primals in the op's domain, random tangents) in
torch and in mygrad and compares the primal and the tangent; the op must reach the node class its
formula is keyed on (so a case cannot pass by going through another op).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import mygrad
from mygrad.autograd import forward_ad as mg_fwad

REAL, POS, UNIT, SMALL = (-3.0, 3.0), (0.2, 3.0), (-0.9, 0.9), (-1.2, 1.2)

# (label, node class mygrad records, call(lib, *tensors), domains of the tensors, shapes)
CASES = [
    ("neg", "NegBackward0", lambda t, x: -x, [REAL]),
    ("abs", "AbsBackward0", lambda t, x: x.abs(), [REAL]),
    ("sign", "SignBackward0", lambda t, x: x.sign(), [REAL]),
    ("exp", "ExpBackward0", lambda t, x: x.exp(), [REAL]),
    ("exp2", "Exp2Backward0", lambda t, x: t.exp2(x), [REAL]),
    ("expm1", "Expm1Backward0", lambda t, x: x.expm1(), [REAL]),
    ("log", "LogBackward0", lambda t, x: x.log(), [POS]),
    ("log1p", "Log1PBackward0", lambda t, x: x.log1p(), [POS]),
    ("log2", "Log2Backward0", lambda t, x: x.log2(), [POS]),
    ("log10", "Log10Backward0", lambda t, x: x.log10(), [POS]),
    ("sqrt", "SqrtBackward0", lambda t, x: x.sqrt(), [POS]),
    ("rsqrt", "RsqrtBackward0", lambda t, x: x.rsqrt(), [POS]),
    ("reciprocal", "ReciprocalBackward0", lambda t, x: x.reciprocal(), [POS]),
    ("sin", "SinBackward0", lambda t, x: x.sin(), [REAL]),
    ("cos", "CosBackward0", lambda t, x: x.cos(), [REAL]),
    ("tan", "TanBackward0", lambda t, x: x.tan(), [SMALL]),
    ("asin", "AsinBackward0", lambda t, x: x.asin(), [UNIT]),
    ("acos", "AcosBackward0", lambda t, x: x.acos(), [UNIT]),
    ("atan", "AtanBackward0", lambda t, x: x.atan(), [REAL]),
    ("sinh", "SinhBackward0", lambda t, x: x.sinh(), [REAL]),
    ("cosh", "CoshBackward0", lambda t, x: x.cosh(), [REAL]),
    ("tanh", "TanhBackward0", lambda t, x: x.tanh(), [REAL]),
    ("sigmoid", "SigmoidBackward0", lambda t, x: x.sigmoid(), [REAL]),
    ("relu", "ReluBackward0", lambda t, x: x.relu(), [REAL]),
    ("erf", "ErfBackward0", lambda t, x: t.erf(x), [REAL]),
    ("floor", "FloorBackward0", lambda t, x: x.floor(), [REAL]),
    ("ceil", "CeilBackward0", lambda t, x: x.ceil(), [REAL]),
    ("trunc", "TruncBackward0", lambda t, x: x.trunc(), [REAL]),
    ("frac", "FracBackward0", lambda t, x: x.frac(), [REAL]),
    ("round", "RoundBackward0", lambda t, x: x.round(), [REAL]),
    ("round (decimals)", "RoundBackward1", lambda t, x: x.round(decimals=1), [REAL]),
    ("clamp", "ClampBackward1", lambda t, x: x.clamp(-1.0, 1.0), [REAL]),
    ("clamp (min only)", "ClampBackward1", lambda t, x: x.clamp(min=0.5), [REAL]),
    ("clamp_min", "ClampMinBackward0", lambda t, x: t.clamp_min(x, 0.5), [REAL]),
    ("clamp_max", "ClampMaxBackward0", lambda t, x: t.clamp_max(x, 0.5), [REAL]),
    ("clone", "CloneBackward0", lambda t, x: x.clone(), [REAL]),
    ("to", "ToCopyBackward0", lambda t, x: x.to(t.float32), [REAL]),
    ("pow (scalar exponent)", "PowBackward0", lambda t, x: x ** 2.5, [POS]),
    ("pow (tensor exponent)", "PowBackward1", lambda t, x, y: x ** y, [POS, REAL]),
    ("pow (scalar base)", "PowBackward2", lambda t, x: 2.0 ** x, [REAL]),
    ("leaky_relu", "LeakyReluBackward0", lambda t, x: t.nn.functional.leaky_relu(x, 0.1), [REAL]),
    ("elu", "EluBackward0", lambda t, x: t.nn.functional.elu(x), [REAL]),
    ("gelu", "GeluBackward0", lambda t, x: t.nn.functional.gelu(x), [REAL]),
    ("silu", "SiluBackward0", lambda t, x: t.nn.functional.silu(x), [REAL]),
    ("softplus", "SoftplusBackward0", lambda t, x: t.nn.functional.softplus(x), [REAL]),
    ("add (broadcast)", "AddBackward0", lambda t, x, y: x + y[0], [REAL, REAL]),
    ("add (alpha)", "AddBackward0", lambda t, x, y: t.add(x, y, alpha=2.5), [REAL, REAL]),
    ("add (scalar)", "AddBackward0", lambda t, x: x + 2.0, [REAL]),
    ("sub", "SubBackward0", lambda t, x, y: x - y, [REAL, REAL]),
    ("rsub", "RsubBackward1", lambda t, x: 2.0 - x, [REAL]),
    ("mul", "MulBackward0", lambda t, x, y: x * y, [REAL, REAL]),
    ("mul (scalar)", "MulBackward0", lambda t, x: x * 3.0, [REAL]),
    ("div", "DivBackward0", lambda t, x, y: x / y, [REAL, POS]),
    ("hypot", "HypotBackward0", lambda t, x, y: t.hypot(x, y), [POS, POS]),
    ("atan2", "Atan2Backward0", lambda t, x, y: t.atan2(x, y), [REAL, POS]),
    ("logaddexp", "LogaddexpBackward0", lambda t, x, y: t.logaddexp(x, y), [REAL, REAL]),
    ("sum", "SumBackward0", lambda t, x: x.sum(), [REAL]),
    ("sum (dim)", "SumBackward1", lambda t, x: x.sum(1, keepdim=True), [REAL]),
    ("mean", "MeanBackward0", lambda t, x: x.mean(), [REAL]),
    ("mean (dim)", "MeanBackward1", lambda t, x: x.mean(0), [REAL]),
    ("mm", "MmBackward0", lambda t, x, y: x.mm(y.t()), [REAL, REAL]),
    ("view", "ViewBackward0", lambda t, x: x.view(2, 6), [REAL]),
    ("reshape", "ViewBackward0", lambda t, x: x.reshape(4, 3), [REAL]),
    ("unsqueeze", "UnsqueezeBackward0", lambda t, x: x.unsqueeze(1), [REAL]),
    ("squeeze", "SqueezeBackward1", lambda t, x: x[:1].squeeze(0), [REAL]),
    ("expand", "ExpandBackward0", lambda t, x: x[:1].expand(5, 4), [REAL]),
    ("t", "TBackward0", lambda t, x: x.t(), [REAL]),
    ("transpose", "TransposeBackward0", lambda t, x: x.transpose(0, 1), [REAL]),
    ("permute", "PermuteBackward0", lambda t, x: x.unsqueeze(0).permute(2, 0, 1), [REAL]),
    ("flip", "FlipBackward0", lambda t, x: x.flip(1), [REAL]),
    ("select", "SelectBackward0", lambda t, x: x[1], [REAL]),
    ("slice", "SliceBackward0", lambda t, x: x[:, 1:4:2], [REAL]),
    ("where", "WhereBackward0", lambda t, x, y: t.where(x > 0, x, y), [REAL, REAL]),
    ("exp_ (in place)", "ExpBackward0", lambda t, x: x.clone().exp_(), [REAL]),
    ("mul_ (in place, dual argument)", "MulBackward0", lambda t, x, y: x.clone().mul_(y), [REAL, REAL]),
    ("add_ (in place, plain self)", "AddBackward0", lambda t, x, y: t.zeros(3, 4, dtype=t.float64).add_(y), [REAL, REAL]),
    ("zero_", "ZeroBackward0", lambda t, x: x.clone().zero_(), [REAL]),
    ("fill_", "FillBackward2", lambda t, x: x.clone().fill_(2.0), [REAL]),
    ("copy_ (dual source)", "CopyBackwards", lambda t, x, y: x.clone().copy_(y[0]), [REAL, REAL]),
    ("chain", "MulBackward0", lambda t, x, y: (x.exp() * y.sin() + x / (y * y + 1)).tanh() * x, [REAL, REAL]),
]


def _draw(rng, domain, shape=(3, 4)):
    return rng.uniform(*domain, size=shape)


@pytest.mark.parametrize("label,node,call,domains", CASES, ids=[c[0] for c in CASES])
def test_tangent_matches_torch(label, node, call, domains):
    rng = np.random.default_rng(abs(hash(label)) % 2**32)
    primals = [_draw(rng, d) for d in domains]
    tangents = [rng.standard_normal(p.shape) for p in primals]
    results = {}
    for lib, fwad in ((torch, torch.autograd.forward_ad), (mygrad, mg_fwad)):
        with fwad.dual_level():
            duals = [fwad.make_dual(lib.tensor(p), lib.tensor(t)) for p, t in zip(primals, tangents)]
            out = call(lib, *duals)
            primal, tangent = fwad.unpack_dual(out)
            results[lib.__name__] = (primal.detach().numpy().copy(),
                                     None if tangent is None else tangent.detach().numpy().copy())
        if lib is mygrad:  # the op went through the node its formula is keyed on
            with mygrad.enable_grad():
                graphed = call(lib, *[lib.tensor(p, requires_grad=True) for p in primals])
            assert type(graphed.grad_fn).__name__ == node
            assert node in mg_fwad.TANGENTS
    (tp, tt), (mp, mt) = results["torch"], results["mygrad"]
    np.testing.assert_allclose(mp, tp, rtol=1e-6, atol=1e-9)
    assert (mt is None) == (tt is None)
    if tt is not None:
        assert mt.dtype == tt.dtype and mt.shape == tt.shape
        np.testing.assert_allclose(mt, tt, rtol=1e-6, atol=1e-9)


def test_api_and_errors_match_torch():
    from paired import check

    def scenario(t, see):
        fwad = t.autograd.forward_ad
        x, v = t.tensor([1.0, 2.0]), t.tensor([1.0, 0.5])
        see.call("make_dual outside a level", lambda: fwad.make_dual(x, v))
        with fwad.dual_level() as level:
            see("level", level)
            d = fwad.make_dual(x, v)
            see("dual", (d, d.requires_grad, d.grad_fn is None))
            see("printed", (repr(d), repr(d * 2), repr(fwad.make_dual(t.zeros(2, 3, dtype=t.float64),
                                                                     t.ones(2, 3, dtype=t.float64)))))
            unpacked = fwad.unpack_dual(d * d)
            see("unpack", (type(unpacked).__name__, unpacked.primal, unpacked.tangent))
            see("not dual", fwad.unpack_dual(x).tangent is None)
            see.call("size mismatch", lambda: fwad.make_dual(x, t.ones(3)))
            see.call("integer tangent", lambda: fwad.make_dual(x, t.ones(2, dtype=t.int64)))
            see.call("nested level", lambda: fwad.dual_level().__enter__())
            w = t.tensor([1.0, 2.0], requires_grad=True)
            dw = fwad.make_dual(w, v)
            see("dual of a grad-requiring tensor", (dw.grad_fn.name(), fwad.unpack_dual(dw * dw).tangent))
            y = d.exp()
        see("after the level", fwad.unpack_dual(y).tangent is None)

    check(scenario)


@pytest.mark.parametrize("call", [lambda t, d: t.floor_divide(d, 2.0), lambda t, d: t.heaviside(d, d),
                                  lambda t, d: t.nn.functional.rrelu(d.clone(), inplace=True)],
                         ids=["floor_divide", "heaviside", "rrelu_"])
def test_an_op_torch_has_no_forward_formula_for_raises_torchs_error(call):
    for lib, fwad in ((torch, torch.autograd.forward_ad), (mygrad, mg_fwad)):
        with fwad.dual_level():
            d = fwad.make_dual(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 1.0]))
            with pytest.raises(NotImplementedError, match="Trying to use forward AD with"):
                call(lib, d)


def test_an_op_without_a_written_formula_gets_its_tangent_from_the_backward_formula():
    found = []
    for lib, fwad in ((torch, torch.autograd.forward_ad), (mygrad, mg_fwad)):
        with fwad.dual_level():
            d = fwad.make_dual(lib.tensor([[1.0, -2.0], [0.5, 3.0]]), lib.tensor([[1.0, 0.5], [-1.0, 2.0]]))
            found.append([fwad.unpack_dual(f(d)).tangent.tolist() for f in (
                lambda x: x.cumsum(0), lambda x: x.softmax(1), lambda x: x.max(1).values, lambda x: x.norm())])
    for a, b in zip(*found):
        np.testing.assert_allclose(b, a, rtol=1e-6)




def test_the_tangent_dtype_of_a_0d_add_with_a_number_and_alpha_is_torchs():
    """torch promotes the tangent of ``add(x0d, number, alpha=a)`` with the number's zero tangent (measured)."""
    found = []
    for lib, fwad in ((torch, torch.autograd.forward_ad), (mygrad, mg_fwad)):
        row = []
        with fwad.dual_level():
            for dt in (lib.float16, lib.float32, lib.float64):
                x = fwad.make_dual(lib.zeros((), dtype=dt), lib.ones((), dtype=dt))
                for other in (1, 1.5):
                    for alpha in (1, 2, 1.5, 1.0):
                        for f in (lib.add, lib.sub):
                            row.append(str(fwad.unpack_dual(f(x, other, alpha=alpha)).tangent.dtype))
                row.append(str(fwad.unpack_dual(x.clone().add_(1, alpha=1.5)).tangent.dtype))
        found.append(row)
    assert found[1] == found[0]


def _assign(lib, x, y):
    out = x * 1
    out[0] = y[1]
    return out


SPECIAL = {   # the tangents torch's own result lines give at their special points, found by the harness's forward_ad check
    "copysign: other's tangent alone": (lambda lib, x, y: lib.copysign(x.detach(), y), [[1.0, -2.0], [-1.0, 1.0]]),
    "median of NaNs": (lambda lib, x, y: lib.median(x * float("nan")), [[1.0, 2.0], [0.0, 0.0]]),
    "vector_norm at 0": (lambda lib, x, y: lib.linalg.vector_norm(x * 0, ord=3), [[1.0, 2.0], [0.0, 0.0]]),
    "dropout1d in place, unbatched": (lambda lib, x, y: lib.nn.functional.dropout1d(
        x.reshape(1, 2).clone(), p=1.0, inplace=True), [[1.0, 2.0], [0.0, 0.0]]),
    "setitem": (_assign, [[1.0, 2.0], [3.0, 4.0]]),
    "clamp_ with a tensor max": (lambda lib, x, y: x.detach().clone().clamp_(max=y), [[1.0, 5.0], [2.0, 3.0]]),
    "logcumsumexp": (lambda lib, x, y: lib.logcumsumexp(x, 0), [[-1e-45, 3.0], [0.0, 0.0]]),
    "std of one element": (lambda lib, x, y: lib.std(x[:1], correction=0), [[1.0, 2.0], [0.0, 0.0]]),
}


@pytest.mark.parametrize("name", list(SPECIAL))
def test_tangents_at_special_points_are_torchs(name):
    call, (a, b) = SPECIAL[name]
    found = []
    for lib, fwad in ((torch, torch.autograd.forward_ad), (mygrad, mg_fwad)):
        with fwad.dual_level():
            x = fwad.make_dual(lib.tensor(a, dtype=lib.float64), lib.tensor([0.5, -1.5], dtype=lib.float64))
            y = fwad.make_dual(lib.tensor(b, dtype=lib.float64), lib.tensor([2.0, 0.25], dtype=lib.float64))
            t = fwad.unpack_dual(call(lib, x, y)).tangent
            found.append(None if t is None else np.asarray(t.tolist(), dtype=float))
    if found[0] is None:
        assert found[1] is None
    else:
        np.testing.assert_allclose(found[1], found[0], rtol=1e-7, equal_nan=True)


def _dual(lib, fwad, values, tangent):
    return fwad.make_dual(lib.tensor(values, dtype=lib.float64), lib.tensor(tangent, dtype=lib.float64))


def _zeros(lib, *shape):
    return lib.zeros(*shape, dtype=lib.float64)


def _copy_into_plain(lib, fwad):
    base = _zeros(lib, 4)
    view, sibling = base[1:3], base[0:2]
    view.copy_(_dual(lib, fwad, [1.0, 2.0], [5.0, 6.0]))
    return {"base": base, "view": view, "sibling made before": sibling, "sibling made after": base[2:]}


def _in_place_into_dual(lib, fwad):
    dual = _dual(lib, fwad, [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0])
    a, b = dual[0:2], dual[1:3]
    a.mul_(2)
    seen = {"after mul_ dual": dual * 1, "after mul_ b": b * 1}
    b.copy_(_zeros(lib, 2))   # a value without a tangent: zeros in that region
    return {**seen, "dual": dual, "a": a, "b": b}


def _pad_like_torch(lib, fwad):   # F.pad(circular)'s composite: slice copies into an empty tensor
    x = _dual(lib, fwad, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[0.5, 1.0, 1.5], [2.0, 2.5, 3.0]])
    out = lib.empty(2, 5, dtype=lib.float64)
    out[:, 1:4].copy_(x)
    out[:, :1] = out[:, 3:4]
    out[:, 4:] = out[:, 1:2]
    return {"out": out}


def _views_of_views(lib, fwad):
    base = _zeros(lib, 3, 4)
    column = base.t()[1]        # a view of a view, strided
    column.add_(_dual(lib, fwad, [1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))
    row = base[1]
    row[::2].sub_(_dual(lib, fwad, [1.0, 1.0], [4.0, 8.0]))   # through a stepped view of a view
    return {"base": base, "column": column, "row": row, "flat": base.view(12)}


def _base_written_after_views(lib, fwad):
    base = _zeros(lib, 2, 2)
    flat, first = base.view(4), base[0]
    base.add_(_dual(lib, fwad, [[1.0, 1.0], [1.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]]))
    first.mul_(3)     # a view of a base whose tangent came from an in-place op on the base
    return {"base": base, "flat": flat, "first": first}


def _primal_views(lib, fwad):
    dual = _dual(lib, fwad, [0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0])
    primal = fwad.unpack_dual(dual).primal   # no tangent of the dual's; its own views write into its own
    primal[1:3].add_(_dual(lib, fwad, [1.0, 1.0], [7.0, 7.0]))
    return {"primal": primal, "dual": dual, "slice": primal[1:3]}


def _setitem_and_fill(lib, fwad):
    dual = _dual(lib, fwad, [[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]])
    view = dual[:, 1]
    view[0] = 9.0
    dual[1].zero_()
    return {"dual": dual, "view": view}


def _long_chains_of_views(lib, fwad):   # deeper than Python's recursion limit
    dual = _dual(lib, fwad, [0.0] * 1300, [1.0] * 1300)
    plain = _zeros(lib, 1300)
    v, w = dual, plain
    for _ in range(1200):
        v, w = v[1:], w[1:]
    v.mul_(3)
    w.copy_(_dual(lib, fwad, [1.0] * 100, [2.0] * 100))
    return {"dual": dual, "plain": plain, "v": v, "w": w}


VIEW_WRITES = {f.__name__.strip("_"): f for f in (_copy_into_plain, _in_place_into_dual, _pad_like_torch,
                                                   _views_of_views, _base_written_after_views, _primal_views,
                                                   _setitem_and_fill, _long_chains_of_views)}


@pytest.mark.parametrize("name", list(VIEW_WRITES))
def test_in_place_writes_into_views_carry_tangents_as_torchs(name):
    """A view's tangent is the same view of its base's tangent, and an in-place op or copy_ into a view writes
    the base's tangent in that region (a base without one gets zeros elsewhere), as torch's forward AD."""
    found = []
    for lib, fwad in ((torch, torch.autograd.forward_ad), (mygrad, mg_fwad)):
        with fwad.dual_level():
            tensors = VIEW_WRITES[name](lib, fwad)
            found.append({k: (v.tolist(), None if (t := fwad.unpack_dual(v).tangent) is None else t.tolist())
                          for k, v in tensors.items()})
    assert found[1] == found[0]
