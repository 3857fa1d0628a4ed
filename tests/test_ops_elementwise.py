"""The elementwise family against torch where the conformance harness does not look: exact points
(kinks, ties, inf/nan), call forms and their graphs, dtype rules, argument errors, second-order
structure, and erf's accuracy.  Each scenario runs in torch and in mygrad (see paired.py)."""
from __future__ import annotations

import math
import operator

import numpy as np
import torch

import mygrad
from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


def leaf(t, values, dtype=None):
    return t.tensor(values, dtype=dtype or t.float32, requires_grad=True)


def see_grads(t, see, label, fn, *values, upstream=None, second=False):
    """Forward value, node, gradients of every input (and, with ``second``, grads of sum(grad * v))."""
    xs = [leaf(t, v) for v in values]
    out = see.call(label, lambda: fn(t, *xs))
    if out is None or not out.requires_grad:
        return
    see(label + " graph", [n for n, _ in out.grad_fn.next_functions])
    g = t.ones_like(out) if upstream is None else t.tensor(upstream, dtype=out.dtype)
    kept = {}

    def differentiate():
        kept["grads"] = t.autograd.grad(out, xs, g, create_graph=second, allow_unused=True)
        return [None if gr is None else gr.detach() for gr in kept["grads"]]
    see.call(label + " grads", differentiate)
    grads = kept.get("grads")
    if second and grads is not None:
        used = [gr for gr in grads if gr is not None and gr.requires_grad]
        see(label + " grads require grad", [gr is not None and gr.requires_grad for gr in grads])
        if label not in MASKED_FILL_IN_TORCH:
            see(label + " grad nodes", [type(gr.grad_fn).__name__ for gr in used])
        if used:
            total = sum(((gr * 1.5) ** 2).sum() for gr in used)
            see.call(label + " second order", lambda: t.autograd.grad(total, xs, allow_unused=True))


# torch builds these first-order gradients with masked_fill; ours use where (same values, other node names)
MASKED_FILL_IN_TORCH = {"maximum", "clamp tensor", "where", "remainder"}


# ----- kinks, ties and special values (catalogue section 6) -------------------------------------

@scenario
def kinks(t, see):
    see_grads(t, see, "relu at 0", lambda t, x: x.relu(), [-1.0, 0.0, -0.0, 1.0, float("nan")])
    see_grads(t, see, "clamp(min=0) at 0", lambda t, x: x.clamp(min=0), [-1.0, 0.0, 1.0])
    see_grads(t, see, "clamp_min at 0", lambda t, x: x.clamp_min(0), [-1.0, 0.0, 1.0])
    see_grads(t, see, "clamp bounds inclusive", lambda t, x: x.clamp(-1, 1), [-2.0, -1.0, 0.0, 1.0, 2.0])
    see_grads(t, see, "clamp min > max", lambda t, x: x.clamp(min=2.0, max=1.0), [0.0, 1.0, 2.0])
    see_grads(t, see, "clamp at nan", lambda t, x: x.clamp(0, 0.5), [float("nan"), 1.0, 0.0, 0.5])
    see_grads(t, see, "clamp tensor bounds", lambda t, x, lo, hi: x.clamp(lo, hi),
              [float("nan"), 1.0, 0.0, 0.5], [0.0, 2.0, 0.0, 0.5], [1.0, 1.0, 0.0, 0.5])
    see_grads(t, see, "maximum ties", lambda t, a, b: t.maximum(a, b), [1.0, 2.0, 3.0], [3.0, 2.0, 1.0])
    see_grads(t, see, "minimum ties", lambda t, a, b: t.minimum(a, b), [1.0, 2.0, 3.0], [3.0, 2.0, 1.0])
    see_grads(t, see, "maximum nan", lambda t, a, b: t.maximum(a, b), [2.0, float("nan")], [float("nan"), 1.0])
    see_grads(t, see, "maximum with itself", lambda t, a: t.maximum(a, a), [2.0, -1.0])
    see_grads(t, see, "abs at 0", lambda t, x: x.abs(), [-1.0, -0.0, 0.0, 1.0, float("nan")])
    for name in ("sign", "round", "floor", "ceil", "trunc"):
        see_grads(t, see, f"{name} zero grads", lambda t, x: getattr(x, name)(), [1.5, -1.5, 2.5, 0.0])
    see_grads(t, see, "frac", lambda t, x: x.frac(), [1.5, -1.5])
    see_grads(t, see, "sqrt at 0", lambda t, x: x.sqrt(), [0.0, 1.0, 4.0, -1.0])
    see_grads(t, see, "rsqrt at 0", lambda t, x: x.rsqrt(), [0.0, 1.0])
    for e in (0, 0.0, 0.5, 1, 2, -1, 3):
        see_grads(t, see, f"x ** {e} at 0", lambda t, x: x ** e, [0.0, 1.0, -2.0])
    see_grads(t, see, "(-0.0) ** -0.5 is 1 / sqrt(-0.0)", lambda t, x: x ** -0.5, [-0.0, 0.0, 4.0])
    see_grads(t, see, "(-0.0) ** 0.5 keeps the sign", lambda t, x: x.pow(0.5), [-0.0, 0.0, 4.0])
    see_grads(t, see, "x ** 3 as x * x * x", lambda t, x: x ** 3, [1.1, -2.3, 0.7])
    # a float32 tensor to an exponent float32 cannot hold: torch's 32-element blocks round it, the rest not
    see_grads(t, see, "pow with an inexact exponent", lambda t, x: x ** -2.0000000963, [-1.0] * 40)
    see_grads(t, see, "base ** exponent at 0", lambda t, b, e: b ** e, [0.0, 0.0, 2.0], [2.0, 0.0, 0.0])
    see_grads(t, see, "0.0 ** e", lambda t, e: 0.0 ** e, [0.0, 1.0, -1.0])
    see_grads(t, see, "2.0 ** e", lambda t, e: 2.0 ** e, [0.0, 1.0])
    see_grads(t, see, "log at -1 and 0", lambda t, x: x.log(), [-1.0, 0.0, 1.0])
    see_grads(t, see, "reciprocal at 0", lambda t, x: x.reciprocal(), [0.0, 1.0])
    see_grads(t, see, "1 / x at 0", lambda t, x: 1 / x, [0.0, 1.0])
    see_grads(t, see, "x / y at 0", lambda t, x, y: x / y, [0.0, 1.0], [0.0, 0.0])
    see_grads(t, see, "atan2 at the origin", lambda t, y, x: t.atan2(y, x),
              [0.0, 1.0, 1e-30, 1e-20, float("inf")], [0.0, 0.0, 0.0, -0.0, 1.0])
    see_grads(t, see, "where(x > 0, sqrt, 0) is nan", lambda t, x: t.where(x > 0, x.sqrt(), 0.0), [-1.0, 0.0, 4.0])
    see_grads(t, see, "where(x > 0, log, zeros)", lambda t, x: t.where(x > 0, x.log(), t.zeros(2)), [0.0, 1.0])
    see_grads(t, see, "x % 2", lambda t, x: x % 2, [5.5, -5.5])
    see_grads(t, see, "fmod", lambda t, x: t.fmod(x, 2), [5.5, -5.5])
    see_grads(t, see, "x % y", lambda t, x, y: x % y, [1.5, -2.5, 0.0], [0.5, 2.0, 3.0])
    see_grads(t, see, "sigmoid saturates", lambda t, x: x.sigmoid(), [-100.0, -20.0, 0.0, 20.0, 100.0])
    see_grads(t, see, "exp overflows", lambda t, x: x.exp(), [100.0, -100.0, 0.0])
    see_grads(t, see, "tanh", lambda t, x: x.tanh(), [-20.0, 0.0, 0.5])


@scenario
def no_derivative(t, see):
    see_grads(t, see, "a // b", lambda t, a, b: a // b, [1.5, -2.5], [0.5, 1.0])
    see_grads(t, see, "floor_divide(a, 2)", lambda t, a: t.floor_divide(a, 2), [1.5, -2.5])
    see_grads(t, see, "2 // a", lambda t, a: 2 // a, [1.5, -2.5])
    see_grads(t, see, "a //= b", lambda t, a, b: operator.ifloordiv(a * 1, b), [1.5, -2.5], [0.5, 1.0])
    see_grads(t, see, "2 % a", lambda t, a: 2 % a, [1.5, -2.5])
    see_grads(t, see, "div floor", lambda t, a, b: t.div(a, b, rounding_mode="floor"), [1.5, -2.5], [0.5, 1.0])
    see_grads(t, see, "div trunc scalar", lambda t, a: a.div(2, rounding_mode="trunc"), [1.5, -2.5])
    a, nd = leaf(t, [1.5, -2.5]), t.tensor([2.0, 3.0])
    see("floor_divide edges skip no-grad inputs", [n for n, _ in t.floor_divide(nd, a).grad_fn.next_functions])


# ----- call forms and their graphs (catalogue section 1a/1b) -------------------------------------

@scenario
def call_forms(t, see):
    a, b, w = leaf(t, [1.0, 2.0, 3.0]), leaf(t, [0.5, -1.0, 2.0]), leaf(t, [0.2, 0.7, 0.5])
    nd = t.tensor([1.0, 2.0, 3.0])
    forms = {
        "a + 2": lambda: a + 2, "2 + a": lambda: 2 + a, "torch.add(2, a)": lambda: t.add(2, a),
        "add alpha": lambda: t.add(a, b, alpha=2), "a - 2": lambda: a - 2, "2 - a": lambda: 2 - a,
        "2.0 - a": lambda: 2.0 - a, "nd - a": lambda: nd - a, "torch.sub(2, a)": lambda: t.sub(2, a),
        "rsub(a, b)": lambda: t.rsub(a, b), "rsub(a, 2)": lambda: t.rsub(a, 2),
        "rsub alpha": lambda: t.rsub(a, b, alpha=3), "a * 2.5": lambda: a * 2.5, "2 * a": lambda: 2 * a,
        "torch.mul(2, a)": lambda: t.mul(2, a), "a * True": lambda: a * True, "a / 2": lambda: a / 2,
        "2 / a": lambda: 2 / a, "torch.div(2, a)": lambda: t.div(2, a), "nd / a": lambda: nd / a,
        "true_divide": lambda: t.true_divide(a, b), "a ** b": lambda: a ** b, "a ** 2": lambda: a ** 2,
        "a ** 0.5": lambda: a ** 0.5, "2 ** a": lambda: 2 ** a, "torch.pow(2, a)": lambda: t.pow(2, a),
        "a ** 0-d": lambda: a ** leaf(t, 2.0), "square": lambda: a.square(), "-a": lambda: -a,
        "+a is a": lambda: (+a) is a, "abs(a)": lambda: abs(a), "a.absolute()": lambda: a.absolute(),
        "maximum nd": lambda: t.maximum(a, nd), "atan2": lambda: t.atan2(a, b), "arctan2": lambda: a.arctan2(b),
        "hypot": lambda: t.hypot(a, b), "logaddexp": lambda: t.logaddexp(a, b),
        "lerp scalar": lambda: t.lerp(a, b, 0.3), "lerp tensor": lambda: a.lerp(b, w),
        "where": lambda: t.where(a > 1, a, b), "where scalar other": lambda: t.where(a > 1, a, 0.0),
        "where scalar self": lambda: t.where(a > 1, 0.0, a), "where nd": lambda: t.where(a > 1, a, nd),
        "a.where": lambda: a.where(a > 1, b), "where(cond)": lambda: t.where(a > 1),
        "clamp min": lambda: a.clamp(min=0), "clamp max": lambda: a.clamp(max=0),
        "clip": lambda: a.clip(-0.5, 0.5), "clamp tensor min": lambda: a.clamp(min=b),
        "clamp tensor max": lambda: a.clamp(max=b), "clamp nd bounds": lambda: a.clamp(min=nd, max=nd + 1),
        "clamp_min": lambda: a.clamp_min(0), "clamp_max": lambda: a.clamp_max(0),
        "clamp_min tensor": lambda: t.clamp_min(a, b), "clamp_max tensor": lambda: t.clamp_max(a, b),
        "round": lambda: a.round(), "round decimals": lambda: t.round(a, decimals=1), "fix": lambda: t.fix(a),
        "a % b": lambda: a % b, "remainder(a, 2)": lambda: t.remainder(a, 2), "fmod(a, b)": lambda: t.fmod(a, b),
        "relu": lambda: t.relu(a), "sigmoid": lambda: t.sigmoid(a), "exp2": lambda: t.exp2(a),
        "log1p": lambda: a.log1p(), "arcsin": lambda: t.arcsin(w), "negative": lambda: t.negative(a),
    }
    for label, make in forms.items():
        out = see.call(label, make)
        if isinstance(out, (torch.Tensor, mygrad.Tensor)) and out.grad_fn is not None:
            see(label + " edges", [(n, i) for n, i in out.grad_fn.next_functions])


@scenario
def in_place_forms(t, see):
    a, b = leaf(t, [1.0, -2.0, 3.0]), leaf(t, [0.5, 1.0, 2.0])
    for name, args in [("exp_", ()), ("relu_", ()), ("sigmoid_", ()), ("clamp_", (0, 1)), ("clip_", (0,)),
                       ("clamp_min_", (0,)), ("clamp_max_", (b,)), ("abs_", ()), ("neg_", ()), ("square_", ()),
                       ("round_", ()), ("lerp_", (b, 0.5)), ("atan2_", (b,)), ("hypot_", (b,)), ("pow_", (2,)),
                       ("div_", (b,)), ("remainder_", (b,)), ("floor_divide_", (b,)), ("sub_", (b,)),
                       ("add_", (b,)), ("mul_", (2,)), ("erf_", ()), ("sign_", ()), ("frac_", ())]:
        out = a * 1
        result = see.call(name, lambda: getattr(out, name)(*args))
        see(name + " returns self", result is out)
        if out.grad_fn is not None:
            see(name + " edges", [n for n, _ in out.grad_fn.next_functions])
    for name in ("exp_", "relu_", "sigmoid_", "erf_", "floor_", "reciprocal_", "clamp_", "neg_", "frac_"):
        fn = getattr(t, name)
        see.call("torch." + name, lambda: fn(t.tensor([0.5, -1.5]), *((0,) if name == "clamp_" else ())))
    see.call("leaf exp_", lambda: a.exp_())
    see.call("int exp_", lambda: t.tensor([1, 2]).exp_())
    see.call("int sigmoid_", lambda: t.tensor([1, 2], dtype=t.int32).sigmoid_())
    see.call("bool square_", lambda: t.tensor([True, False]).square_())
    see.call("int clamp_ float", lambda: t.tensor([1, 2]).clamp_(0.5))
    see.call("int pow_ 0.5", lambda: t.tensor([1, 2]).pow_(0.5))
    see.call("int floor_divide_ 0", lambda: t.tensor([1, 2]).floor_divide_(0))
    see.call("int relu_", lambda: t.tensor([-1, 2]).relu_())


@scenario
def inplace_arithmetic_across_dtypes(t, see):
    """add_/sub_/mul_/div_ and their operators, for every pair of bool/int/float targets and operands, with
    grad mode on and off (an optimizer's update runs under no_grad): the op's own refusals still apply."""
    values = {"bool": [True, False], "int": [3, -2], "float": [1.5, -2.0]}
    dtypes = {"bool": t.bool, "int": t.int64, "float": t.float32}
    for grad_enabled in (True, False):
        with t.set_grad_enabled(grad_enabled):
            for target in values:
                for operand in list(values) + ["number", "float number"]:
                    for name in ("add_", "sub_", "mul_", "div_", "__iadd__", "__isub__", "__imul__", "__itruediv__"):
                        def run():
                            x = t.tensor(values[target], dtype=dtypes[target])
                            other = {"number": 2, "float number": 0.5}.get(operand)
                            if other is None:
                                other = t.tensor(values[operand], dtype=dtypes[operand])
                            return getattr(x, name)(other)
                        see.call(f"{target}.{name}({operand}), grad mode {grad_enabled}", run)


# ----- dtypes -----------------------------------------------------------------------------------

UNARY = ("neg abs sign exp exp2 expm1 log log1p log2 log10 sqrt rsqrt reciprocal square sin cos tan asin acos atan "
         "sinh cosh tanh sigmoid relu erf floor ceil round trunc frac").split()


@scenario
def unary_dtypes(t, see):
    inputs = {"int64": t.tensor([1, 0, 3]), "int32": t.tensor([1, 2], dtype=t.int32),
              "bool": t.tensor([True, False]), "float16": t.tensor([0.5, 1.5], dtype=t.float16),
              "float64": t.tensor([0.5, 0.25], dtype=t.float64)}
    for name in UNARY:
        for kind, x in inputs.items():
            see.call(f"{name}({kind})", lambda: getattr(t, name)(x))
        see.call(f"{name}(2.0)", lambda: getattr(t, name)(2.0))
        see.call(f"{name}([1.0])", lambda: getattr(t, name)([1.0]))
    t.set_default_dtype(t.float64)
    try:
        see("exp(int) under float64 default", t.exp(t.tensor([1, 2])))
        see("sigmoid(bool) under float64 default", t.sigmoid(t.tensor([True])))
    finally:
        t.set_default_dtype(t.float32)


@scenario
def binary_dtypes(t, see):
    i, j = t.tensor([3, -2, 5]), t.tensor([2, 2, -3])
    f, d, b = t.tensor([1.5, -2.5, 0.5]), t.tensor([1.5, -2.5, 0.5], dtype=t.float64), t.tensor([True, False, True])
    for name in ("maximum", "minimum", "atan2", "hypot", "logaddexp", "remainder", "floor_divide", "fmod", "add",
                 "sub", "mul", "div", "pow", "rsub"):
        op = getattr(t, name)
        for label, x, y in (("int,int", i, j), ("int,float", i, f), ("bool,bool", b, b), ("f32,f64", f, d),
                            ("bool,int", b, i), ("int,2.5", i, 2.5), ("f,2", f, 2), ("2,f", 2, f), ("int,0", i, 0),
                            ("bool,True", b, True), ("2.0,3", 2.0, 3)):
            see.call(f"{name}({label})", lambda: op(x, y))
    see.call("add bool alpha", lambda: t.add(b, b, alpha=2))
    see.call("add int alpha float", lambda: t.add(i, 2, alpha=1.5))
    see.call("add alpha bool", lambda: t.add(f, f, alpha=True))
    see.call("lerp int", lambda: t.lerp(i, j, 0.5))
    see.call("lerp f64 end", lambda: t.lerp(f, d, 0.5))
    see.call("lerp f64 weight", lambda: t.lerp(f, f, d))
    see.call("where int,float", lambda: t.where(b, i, 2.5))
    see.call("where scalars", lambda: t.where(b, 1, 0))
    see.call("where f32,f64", lambda: t.where(b, f, d))
    see.call("clamp int float", lambda: t.clamp(i, 0.5))
    see.call("clamp bool", lambda: t.clamp(b, 0))
    see.call("clamp bool tensors", lambda: t.clamp(b, b, b))
    see.call("round int decimals", lambda: t.round(i, decimals=1))
    see.call("f32 + 1.00001", lambda: f + 1.00001)


# ----- argument errors ----------------------------------------------------------------------------

@scenario
def argument_errors(t, see):
    f, b, z = t.tensor([1.5, -2.5, 0.0]), t.tensor([True, False, True]), t.zeros(2)
    see.call("shape mismatch", lambda: f + z)
    see.call("rsub shape mismatch", lambda: t.rsub(f, z))
    see.call("where shape mismatch", lambda: t.where(t.tensor([True, False]), f, f))
    see.call("clamp shape mismatch", lambda: t.clamp(f, z))
    see.call("lerp shape mismatch", lambda: t.lerp(f, z, 0.5))
    see.call("bool - bool", lambda: b - b)
    see.call("bool - 1", lambda: b - 1)
    see.call("1 - bool", lambda: 1 - b)
    see.call("float - True", lambda: f - True)
    see.call("-bool", lambda: -b)
    see.call("div bad rounding mode", lambda: t.div(f, f, rounding_mode="xx"))
    see.call("int // 0", lambda: t.tensor([1, 2]) // 0)
    see.call("int % 0", lambda: t.tensor([1, 2]) % 0)
    see.call("int ** -1", lambda: t.tensor([1, 2]) ** -1)
    see.call("int ** int tensor with negatives", lambda: t.tensor([2, 1, -1, 0]) ** t.tensor([-1, -2, -3, 2]))
    see.call("clamp no bounds", lambda: t.clamp(f))
    see.call("clamp mixed bounds", lambda: t.clamp(f, z, 1.0))
    see.call("clamp number", lambda: t.clamp(2.0, 0))
    see.call("where int condition", lambda: t.where(t.tensor([1, 0, 1]), f, f))
    see.call("maximum with a number", lambda: t.maximum(f, 2))
    see.call("pow of numbers", lambda: t.pow(2.5, 2))
    see.call("remainder of numbers", lambda: t.remainder(2.0, 3))
    see.call("floor_divide of numbers", lambda: t.floor_divide(2.0, 3))
    see.call("div of numbers", lambda: t.div(2.0, 3))
    see.call("add of numbers", lambda: t.add(2, 3))
    for other in ("x", None, [1.0, 2.0, 3.0]):
        for name in ("add", "mul", "pow", "remainder", "atan2"):
            see.call(f"{name}(f, {other!r})", lambda: getattr(t, name)(f, other))
        for op in ("add", "sub", "mul", "truediv", "floordiv", "pow", "lt"):
            see.call(f"f {op} {other!r}", lambda: getattr(operator, op)(f, other))
            see.call(f"{other!r} {op} f", lambda: getattr(operator, op)(other, f))
            see.call(f"f {op}= {other!r}", lambda: getattr(operator, "i" + op)(f.clone(), other)
                     if op != "lt" else None)
        see.call(f"f == {other!r}", lambda: f == other)
    see.call("numpy scalar operand", lambda: f + np.float32(2))
    see.call("numpy int operand", lambda: t.mul(f, np.int64(3)))


# ----- second order -------------------------------------------------------------------------------

@scenario
def second_order(t, see):
    cases = {
        "relu": (lambda t, x: x.relu(), [[-1.0, 0.0, 2.0]]),
        "abs": (lambda t, x: x.abs() * x, [[-1.0, 0.0, 2.0]]),
        "sigmoid": (lambda t, x: x.sigmoid(), [[-1.0, 0.0, 2.0]]),
        "tanh": (lambda t, x: x.tanh(), [[-1.0, 0.0, 2.0]]),
        "erf": (lambda t, x: x.erf(), [[-1.0, 0.0, 2.0]]),
        "rsqrt": (lambda t, x: x.rsqrt(), [[0.5, 1.0, 2.0]]),
        "asin": (lambda t, x: x.asin(), [[-0.5, 0.0, 0.9]]),
        "pow tensor": (lambda t, x, y: x ** y, [[0.5, 1.0, 2.0], [2.0, 0.0, -1.5]]),
        "pow reflected": (lambda t, y: 2.5 ** y, [[2.0, 0.0, -1.5]]),
        "maximum": (lambda t, x, y: t.maximum(x, y) * x, [[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]),
        "atan2": (lambda t, y, x: t.atan2(y, x), [[0.5, -1.0, 0.0], [1.0, 2.0, 0.0]]),
        "atan2 overflowing scale": (lambda t, y, x: t.atan2(y, x), [[0.0, 0.0], [2.4192777e-12, 1.0]]),
        "hypot": (lambda t, x, y: t.hypot(x, y), [[3.0, -1.0], [4.0, 2.0]]),
        "logaddexp": (lambda t, x, y: t.logaddexp(x, y), [[3.0, -1.0], [4.0, 2.0]]),
        "lerp": (lambda t, x, y, w: t.lerp(x, y, w), [[3.0, -1.0], [4.0, 2.0], [0.25, 0.75]]),
        "clamp tensor": (lambda t, x, lo: x.clamp(min=lo) * x, [[3.0, -1.0], [0.0, 0.0]]),
        "remainder": (lambda t, x, y: x % y * x, [[3.5, -1.0], [2.0, 3.0]]),
        "where": (lambda t, x: t.where(x > 0, x * x, x.exp()), [[3.0, -1.0]]),
        "div": (lambda t, x, y: x / y, [[3.0, -1.0], [2.0, 0.5]]),
    }
    for label, (fn, values) in cases.items():
        see_grads(t, see, label, fn, *values, second=True)


# ----- erf: accuracy and provenance of the coefficients ----------------------------------------

def test_erf_float64_within_an_ulp_or_two_of_the_exact_value():
    import mpmath
    from mygrad.ops._erf import erf
    mpmath.mp.dps = 30
    xs = np.concatenate([np.linspace(-7, 7, 40001), np.geomspace(1e-300, 1, 300), -np.geomspace(1e-300, 1, 300),
                         [0.0, 1.0, 1.6, 2.3, 3.1, 4.2, 6.0, np.nextafter(6.0, 0), np.nextafter(1.0, 0)]])
    exact = np.array([float(mpmath.erf(mpmath.mpf(v))) for v in xs])
    ulps = np.abs(erf(xs) - exact) / np.spacing(np.abs(exact))
    assert ulps.max() <= 2, f"worst {ulps.max()} ulps at x={xs[ulps.argmax()]}"
    assert ulps.mean() < 0.1
    library = np.array([math.erf(v) for v in xs])
    assert np.max(np.abs(erf(xs) - library) / np.spacing(np.abs(exact))) <= 2


def test_erf_matches_torch_in_float64_and_float32():
    xs = np.concatenate([np.linspace(-8, 8, 20001), [np.inf, -np.inf, np.nan, -0.0]])
    for dtype, rtol in ((np.float64, 4.5e-16), (np.float32, 1.2e-7)):
        x = xs.astype(dtype)
        ours = mygrad.erf(mygrad.tensor(x)).numpy()
        theirs = torch.erf(torch.tensor(x)).numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0, equal_nan=True)
    assert np.signbit(mygrad.erf(mygrad.tensor([-0.0])).numpy()[0])


def test_erf_coefficients_are_the_chebyshev_fits_they_claim_to_be():
    import mpmath
    from mygrad.ops import _erf
    mpmath.mp.dps = 40
    n = _erf.DEGREE + 1
    small = lambda z: mpmath.erf(mpmath.sqrt(z)) / mpmath.sqrt(z) if z else 2 / mpmath.sqrt(mpmath.pi)  # noqa: E731
    scaled = lambda x: mpmath.erfc(x) * mpmath.exp(x * x)  # noqa: E731
    fits = [mpmath.chebyfit(small, [0, 1], n)]
    for low, high in zip(_erf.EDGES, _erf.EDGES[1:]):
        fits.append(mpmath.chebyfit(lambda u: scaled(low + (high - low) * (u + 1) / 2), [-1, 1], n))
    refit = np.array([[float(c) for c in reversed(poly)] for poly in fits])
    np.testing.assert_allclose(_erf.COEFFICIENTS[:-1], refit, rtol=1e-12, atol=1e-25)
    assert not _erf.COEFFICIENTS[-1].any()


def test_forward_kernels_do_not_warn():
    import warnings
    x = mygrad.tensor([-1.0, 0.0, 1e30, -1e30, float("nan")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in UNARY:
            getattr(mygrad, name)(x)
        x / 0, x // 0, x % 0, x ** -1, mygrad.atan2(x, x * 0), mygrad.clamp(x, 0, 1), mygrad.lerp(x, x, 0.5)


@scenario
def an_edit_of_the_output_after_ops_that_save_it_or_their_input(t, see):
    """Whether an in-place edit of an op's output (under no_grad) breaks its backward depends on what torch's
    node saved: erfinv saves its input (found by the randomized programs), exp, tanh, sigmoid their output."""
    for name in ("erfinv", "erf", "exp", "tanh", "sigmoid", "sqrt", "sin", "relu"):
        x = t.tensor([0.0, 0.5, -0.25], requires_grad=True)
        y = getattr(t, name)(x)
        with t.no_grad():
            y.mul_(0.5)
        see.call(f"{name}: backward after the edit", lambda: y.sum().backward())
        see(f"{name}: grad", x.grad)


OVERLAPPING = {   # an in-place elementwise op whose operand shares part of the memory it writes (found by the
    # randomized programs: ``x.reshape(-1).mul_(x)`` for a 0-d x)
    "x.mul_(x)": lambda t, x: x.mul_(x),
    "x.reshape(-1).mul_(x.reshape(-1))": lambda t, x: x.reshape(-1).mul_(x.reshape(-1)),
    "x[0].reshape(-1).mul_(x[0])": lambda t, x: x[0].reshape(-1).mul_(x[0]),
    "x[1:].add_(x[:-1])": lambda t, x: x[1:].add_(x[:-1]),
    "x.add_(x[0])": lambda t, x: x.add_(x[0]),
    "x.add_(x.flip(0))": lambda t, x: x.add_(x.flip(0)),
    "x.unsqueeze(0).add_(x)": lambda t, x: x.unsqueeze(0).add_(x),
    "x.reshape(1, 3).sub_(x.reshape(3, 1).t())": lambda t, x: x.reshape(1, 3).sub_(x.reshape(3, 1).t()),
    "x.copy_(x[0])": lambda t, x: x.copy_(x[0]),
    "x[1:].copy_(x[:-1])": lambda t, x: x[1:].copy_(x[:-1]),
    "x.div_(x[2])": lambda t, x: x.div_(x[2]),
    "x.pow_(x[0])": lambda t, x: x.pow_(x[0]),
    "x.lerp_(x[0], 0.5)": lambda t, x: x.lerp_(x[0], 0.5),
    "x.addcmul_(x[0], x)": lambda t, x: x.addcmul_(x[0], x),
    "x.clamp_(min=x[0])": lambda t, x: x.clamp_(min=x[0]),
    "x.atan2_(x[1:2])": lambda t, x: x.atan2_(x[1:2]),
    "x.remainder_(x[0])": lambda t, x: x.remainder_(x[0]),
    "x.masked_fill_(mask, x[0]) (a value, not an operand)": lambda t, x: x.masked_fill_(x > 1, x[0]),
    "x.ldexp_(x[0]) (through a fresh power of 2)": lambda t, x: x.ldexp_(x[0].round()),
    "x.t().add_(x.t()) (the same elements and layout)": lambda t, x: x.t().add_(x.t()),
    "x[::2].add_(x[1::2]) (disjoint)": lambda t, x: t.arange(6.0)[::2].add_(t.arange(6.0)[1::2]),
}


@scenario
def in_place_ops_refuse_operands_that_partly_overlap_the_output(t, see):
    for label, fn in OVERLAPPING.items():
        x = t.tensor([1.0, 2.0, 3.0])
        see.call(label, lambda: fn(t, x))
        see(f"{label}: x after", x)


@scenario
def a_tensor_copied_into_itself_is_left_alone(t, see):
    """copy_ returns at once for a tensor copied into itself (torch's is_same), even an expanded one that any
    other copy into would be refused; the version still moves, and a graph still records CopyBackwards."""
    x = t.tensor([1.5, 0.625, 0.0], dtype=t.float64, requires_grad=True)
    grad = t.autograd.grad(x.sum(), [x])[0]
    see.call("an expanded gradient into itself", lambda: grad.copy_(grad))
    see("its version", grad._version)
    expanded = t.zeros(1).expand(3)
    see.call("an expanded view into itself", lambda: expanded.copy_(expanded))
    see.call("an expanded view from another", lambda: expanded.copy_(t.ones(3)))
    y = x.clone()
    see.call("a clone into itself", lambda: y.copy_(y).grad_fn.name())
