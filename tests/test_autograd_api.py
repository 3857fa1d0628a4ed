"""torch.autograd beyond backward/grad: custom Functions, the functional API, gradcheck, grad and
inference modes, anomaly mode, graph hooks and torch.func, each scenario run in torch and in
mygrad and compared (see paired.py): values, grads, node names, graphs, errors and warnings."""
from __future__ import annotations

import threading
import warnings

import pytest
import torch

import mygrad
from paired import graph_tree, scenario_suite

scenario, test_matches_torch = scenario_suite()


def functions(t):
    """The same custom Functions, written once against the library ``t``."""
    F = t.autograd.Function

    class Exp(F):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    class Scale(F):  # a non-tensor argument, needs_input_grad
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            ctx.seen = ctx.needs_input_grad
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    class Cube(F):  # the new style, a differentiable backward
        @staticmethod
        def forward(x):
            return x ** 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * g

    class Split(F):  # several outputs, one saved output, a non-tensor output
        @staticmethod
        def forward(ctx, x, y):
            a, b = x * y, x + y
            ctx.save_for_backward(x, y, a)
            return a, b, 7

        @staticmethod
        def backward(ctx, ga, gb, gc):
            x, y, a = ctx.saved_tensors
            return ga * y + gb, ga * x + gb

    class Clip(F):  # a non-differentiable output
        @staticmethod
        def forward(ctx, x):
            mask = x > 0
            ctx.mark_non_differentiable(mask)
            ctx.save_for_backward(mask)
            return x.clamp(min=0), mask

        @staticmethod
        def backward(ctx, g, gmask):
            mask, = ctx.saved_tensors
            return g * mask

    class Double_(F):  # in place, mark_dirty
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return 2 * g

    class Lazy(F):  # set_materialize_grads(False): an unused output's gradient is None
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            out = None
            for g, k in ((ga, 2), (gb, 3)):
                if g is not None:
                    out = g * k if out is None else out + g * k
            return out

    class Once(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @t.autograd.function.once_differentiable
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    class Identity(F):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    return dict(Exp=Exp, Scale=Scale, Cube=Cube, Split=Split, Clip=Clip, Double_=Double_, Lazy=Lazy, Once=Once,
                Identity=Identity)


def leaf(t, values, dtype=None):
    return t.tensor(values, dtype=dtype or t.float64, requires_grad=True)


# ----- autograd.Function -------------------------------------------------------------------------------

@scenario
def function_basics(t, see):
    fn = functions(t)
    x = leaf(t, [0.5, -1.0, 2.0])
    y = fn["Exp"].apply(x)
    see("exp", y)
    see("exp graph", graph_tree(y.grad_fn))
    see("node name", y.grad_fn.name())
    see("is a Node", isinstance(y.grad_fn, t.autograd.graph.Node))
    (y * y).sum().backward()
    see("x.grad", x.grad)
    see.call("saved_tensors after backward", lambda: y.grad_fn.saved_tensors)
    z = fn["Scale"].apply(x, 3.0)
    see("scale", z)
    see("needs_input_grad", z.grad_fn.seen)
    see("scale graph", graph_tree(z.grad_fn))
    see("kwargs", fn["Scale"].apply(x, k=2.0))
    with t.no_grad():
        see("under no_grad", fn["Exp"].apply(x))
    see("no input requires grad", fn["Exp"].apply(x.detach()))


@scenario
def function_new_style_and_double_backward(t, see):
    fn = functions(t)
    x = leaf(t, [0.5, -1.5, 2.0])
    y = fn["Cube"].apply(x)
    see("cube", y)
    g, = t.autograd.grad(y.sum(), x, create_graph=True)
    see("first", g)
    see("first graph", graph_tree(g.grad_fn))
    gg, = t.autograd.grad(g.sum(), x)
    see("second", gg)


@scenario
def function_several_outputs(t, see):
    fn = functions(t)
    x, y = leaf(t, [1.0, 2.0]), leaf(t, [3.0, -4.0])
    a, b, c = fn["Split"].apply(x, y)
    see("outputs", (a, b))
    see("non-tensor output", c)
    see("same node", a.grad_fn is b.grad_fn)
    see("graph", graph_tree(a.grad_fn))
    a.sum().backward(retain_graph=True)  # b's gradient is materialized as zeros
    see("grads after a", (x.grad, y.grad))
    (a * b).sum().backward()
    see("grads after a*b", (x.grad, y.grad))
    g = t.autograd.grad((a * b).sum() if False else fn["Split"].apply(x, y)[0].sum(), (x, y), create_graph=True)
    see("create_graph through a saved output", g)


@scenario
def function_non_differentiable_and_dirty(t, see):
    fn = functions(t)
    x = leaf(t, [1.0, -2.0, 3.0])
    out, mask = fn["Clip"].apply(x)
    see("clip", (out, mask))
    out.sum().backward()
    see("grad", x.grad)
    base = x * 1
    res = fn["Double_"].apply(base)
    see("dirty returns its input", res is base)
    see("dirty", base)
    see("dirty version", base._version)
    see("dirty graph", graph_tree(base.grad_fn))
    base.sum().backward()
    see("grad through dirty", x.grad)
    see.call("dirty leaf", lambda: fn["Double_"].apply(leaf(t, [1.0])))
    i = fn["Identity"].apply(x)
    see("identity is a new tensor", i is x)
    see("identity", i)


@scenario
def function_materialize_and_once(t, see):
    fn = functions(t)
    x = leaf(t, [1.0, 2.0])
    a, b = fn["Lazy"].apply(x)
    a.sum().backward()
    see("lazy", x.grad)
    y = fn["Once"].apply(x)
    g, = t.autograd.grad(y.sum(), x, create_graph=True)
    see("once first", g)
    v = leaf(t, [1.0, 1.0])
    y = fn["Once"].apply(x)
    g, = t.autograd.grad(y, x, v, create_graph=True)
    see("once with a grad-requiring upstream", g)
    see.call("once second", lambda: g.sum().backward())


@scenario
def function_errors(t, see):
    F = t.autograd.Function
    x = leaf(t, [1.0, 2.0, 3.0])

    class TooFew(F):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g

    class ExtraNones(F):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None, None

    class WrongShape(F):
        @staticmethod
        def forward(ctx, a, k):
            return a * k

        @staticmethod
        def backward(ctx, g):
            return g[:2], None

    class GradForNumber(F):
        @staticmethod
        def forward(ctx, a, k):
            return a * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    class Broadcast(F):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g.expand(2, 3)

    class NotATensor(F):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return 3

    class SavesNumber(F):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a, 3)
            return a

    class NoBackward(F):
        @staticmethod
        def forward(ctx, a):
            return a * 2

    class NotReturned(F):
        @staticmethod
        def forward(ctx, a):
            a.mul_(2)
            ctx.mark_dirty(a)
            return a * 1

    class Saves(F):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * 2

        @staticmethod
        def backward(ctx, g):
            a, = ctx.saved_tensors
            return g * a

    see.call("too few", lambda: TooFew.apply(x, x).sum().backward())
    see.call("extra nones", lambda: ExtraNones.apply(x).sum().backward())
    see("after extra nones", x.grad)
    see.call("wrong shape", lambda: WrongShape.apply(x, 2.0).sum().backward())
    see.call("grad for a number", lambda: GradForNumber.apply(x, 2.0).sum().backward())
    x.grad = None
    see.call("broadcast gradient is summed", lambda: Broadcast.apply(x).sum().backward())
    see("summed", x.grad)
    see.call("not a tensor", lambda: NotATensor.apply(x).sum().backward())
    see.call("saves a number", lambda: SavesNumber.apply(x))
    see.call("no backward", lambda: NoBackward.apply(x).sum().backward())
    see.call("no forward", lambda: type("NoForward", (F,), {}).apply(x))
    see.call("dirty not returned", lambda: NotReturned.apply(x * 1))
    a = x * 1
    y = Saves.apply(a)
    a.add_(1)
    see.call("saved input modified", lambda: y.sum().backward())
    fn = functions(t)
    y = fn["Exp"].apply(x * 1)
    y.add_(1)
    see.call("saved output modified", lambda: y.sum().backward())
    y = fn["Exp"].apply(x)
    y.sum().backward()
    see.call("second backward", lambda: y.sum().backward())


# ----- autograd.functional -----------------------------------------------------------------------------

def _f(t):
    def f(x, y):
        return (x.exp() * y).sum(), x * y ** 2
    return f


@scenario
def functional_vjp_jvp(t, see):
    F = t.autograd.functional
    x = t.tensor([0.5, -1.0], dtype=t.float64)
    y = t.tensor([2.0, 3.0], dtype=t.float64)
    f = lambda x: x ** 2 * x.sin()  # noqa: E731
    see("vjp", F.vjp(f, x, t.ones(2, dtype=t.float64)))
    see("vjp tuple", F.vjp(_f(t), (x, y), (t.tensor(1.0, dtype=t.float64), t.ones(2, dtype=t.float64))))
    see("vjp scalar no v", F.vjp(lambda x: (x ** 2).sum(), x))
    see("jvp", F.jvp(f, x, t.ones(2, dtype=t.float64)))
    see("jvp tuple", F.jvp(_f(t), (x, y), (t.ones(2, dtype=t.float64), t.zeros(2, dtype=t.float64))))
    see("vjp create_graph", F.vjp(f, x, t.ones(2, dtype=t.float64), create_graph=True))
    see.call("vjp v missing", lambda: F.vjp(f, x))
    see.call("vjp v wrong size", lambda: F.vjp(f, x, t.ones(3, dtype=t.float64)))
    see.call("vjp v wrong count", lambda: F.vjp(_f(t), (x, y), (t.ones(2, dtype=t.float64),)))
    see.call("vjp not a tensor", lambda: F.vjp(f, [x]))
    see.call("jvp strict independent", lambda: F.jvp(lambda x, y: x * 2, (x, y), (x, y), strict=True))
    see.call("vjp strict", lambda: F.vjp(lambda x: t.ones(2), x, t.ones(2), strict=True))
    see("vjp independent, not strict", F.vjp(lambda x, y: x * 2, (x, y), t.ones(2, dtype=t.float64)))


@scenario
def functional_jacobian_hessian(t, see):
    F = t.autograd.functional
    x = t.tensor([0.5, -1.0, 2.0], dtype=t.float64)
    y = t.tensor([[2.0], [3.0]], dtype=t.float64)
    see("jacobian", F.jacobian(lambda x: x.exp() * x.sum(), x))
    see("jacobian tuple", F.jacobian(lambda x, y: (x * y, y.sum()), (x, y)))
    see("jacobian vectorize", F.jacobian(lambda x: x ** 2, x, vectorize=True))
    see("jacobian forward-mode", F.jacobian(lambda x: x ** 2, x, vectorize=True, strategy="forward-mode"))
    see("jacobian create_graph", F.jacobian(lambda x: x ** 3, x, create_graph=True))
    see.call("jacobian strict", lambda: F.jacobian(lambda x, y: x * 2, (x, y), strict=True))
    see.call("jacobian bad strategy", lambda: F.jacobian(lambda x: x, x, strategy="sideways"))
    see.call("jacobian forward no vectorize", lambda: F.jacobian(lambda x: x, x, strategy="forward-mode"))
    see("hessian", F.hessian(lambda x: (x ** 3).sum() * x.prod(), x))
    see("hessian tuple", F.hessian(lambda x, y: (x * y).sum() ** 2, (x, y)))
    see.call("hessian not scalar", lambda: F.hessian(lambda x: x ** 2, x))
    v = t.tensor([1.0, 0.5, -1.0], dtype=t.float64)
    see("hvp", F.hvp(lambda x: (x ** 3).sum() * x.prod(), x, v))
    see("vhp", F.vhp(lambda x: (x ** 3).sum() * x.prod(), x, v))
    see("hvp create_graph", F.hvp(lambda x: (x.sin() ** 2).sum(), x, v, create_graph=True))
    see.call("hvp strict linear", lambda: F.hvp(lambda x: x.sum(), x, v, strict=True))
    see.call("vhp not scalar", lambda: F.vhp(lambda x: x * 2, x, v))


# ----- gradcheck ---------------------------------------------------------------------------------------

@scenario
def gradcheck_passes_and_fails(t, see):
    fn = functions(t)
    F = t.autograd.Function
    x = leaf(t, [0.3, -0.7, 1.1])
    see("gradcheck custom", t.autograd.gradcheck(fn["Cube"].apply, (x,)))
    see("gradgradcheck custom", t.autograd.gradgradcheck(fn["Cube"].apply, (x,)))
    see("gradcheck tuple outputs", t.autograd.gradcheck(lambda a, b: fn["Split"].apply(a, b)[:2],
                                                        (x, leaf(t, [2.0, 1.0, -1.0]))))

    class Wrong(F):
        @staticmethod
        def forward(ctx, a):
            return a ** 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    class Sin(F):  # forward mode through jvp
        @staticmethod
        def forward(ctx, a):
            ctx.a = a.detach()
            return a.sin()

        @staticmethod
        def backward(ctx, g):
            return g * ctx.a.cos()

        @staticmethod
        def jvp(ctx, a_t):
            return a_t * ctx.a.cos()

    class WrongJvp(Sin):
        @staticmethod
        def jvp(ctx, a_t):
            return a_t * 2

    see("check_forward_ad", t.autograd.gradcheck(lambda a: a.exp() * a.sin() + a.sum(), (x,), check_forward_ad=True))
    see("check_forward_ad, forward only", t.autograd.gradcheck(lambda a: a * a, (x,), check_forward_ad=True,
                                                               check_backward_ad=False))
    see("custom Function with jvp", t.autograd.gradcheck(Sin.apply, (x,), check_forward_ad=True))
    see.call("custom Function, wrong jvp", lambda: t.autograd.gradcheck(WrongJvp.apply, (x,), check_forward_ad=True))
    see.call("custom Function without jvp", lambda: t.autograd.gradcheck(fn["Cube"].apply, (x,),
                                                                         check_forward_ad=True))
    see.call("gradcheck wrong", lambda: t.autograd.gradcheck(Wrong.apply, (x,)))
    see("no raise", t.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False))
    see("loose tolerance", t.autograd.gradcheck(lambda a: a * 1.001, (x,), atol=0.01, eps=1e-3))
    see.call("nothing requires grad", lambda: t.autograd.gradcheck(lambda a: a * 2, (x.detach(),)))
    see.call("float32 warns", lambda: t.autograd.gradcheck(lambda a: a * 2, (leaf(t, [1.0], t.float32),),
                                                           raise_exception=False, atol=1e-2, rtol=1e-2))
    see.call("gradgradcheck once_differentiable",
             lambda: t.autograd.gradgradcheck(fn["Once"].apply, (x,), (leaf(t, [0.5, -1.0, 2.0]),)))
    try:
        t.autograd.gradcheck(Wrong.apply, (x,))
    except Exception as e:  # noqa: BLE001
        see("error class", type(e).__mro__[0].__name__)
        see("is GradcheckError", isinstance(e, t.autograd.gradcheck.GradcheckError)
            if hasattr(t.autograd.gradcheck, "GradcheckError") else
            isinstance(e, __import__(t.__name__ + ".autograd.gradcheck", fromlist=["x"]).GradcheckError))
        see("message lines", [line.split(":")[0] for line in str(e).splitlines()])


def test_gradcheck_message_layout_matches_torch():
    """The full message: header, then the numerical and analytical Jacobians as each library prints them."""
    messages = []
    for lib in (torch, mygrad):
        fn = functions(lib)
        x = lib.tensor([0.5, 2.0], dtype=lib.float64, requires_grad=True)

        class Wrong(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return g * 3

        with pytest.raises(RuntimeError) as info:
            lib.autograd.gradcheck(Wrong.apply, (x,))
        del fn
        messages.append(str(info.value))
    assert messages[1] == messages[0]


# ----- grad modes --------------------------------------------------------------------------------------

@scenario
def inference_mode(t, see):
    w = leaf(t, [1.0, 2.0])
    with t.inference_mode():
        x = t.ones(2, dtype=t.float64)
        y = w * 2
        see("inside", (t.is_inference_mode_enabled(), t.is_grad_enabled()))
        see("inference tensors", (x.is_inference(), y.is_inference(), w.is_inference()))
        see("no graph", y)
        x.add_(1)
        see("in-place inside", x)
        with t.inference_mode(False):
            see("nested off", (t.is_inference_mode_enabled(), t.is_grad_enabled(), t.ones(1).is_inference()))
    see("outside", (t.is_inference_mode_enabled(), t.is_grad_enabled()))
    see.call("in-place outside", lambda: x.add_(1))
    see.call("zero_ outside", lambda: x.zero_())
    see.call("requires_grad_ outside", lambda: x.requires_grad_())
    see.call("version", lambda: x._version)
    see.call("saved for backward (custom Function)", lambda: functions(t)["Cube"].apply(x))
    see.call("saved by a custom Function that needs grad", lambda: functions(t)["Split"].apply(w, x))
    see("used without saving", w + x)
    see.call("saved for backward (built-in op)", lambda: w * x)
    see.call("saved for backward (other side)", lambda: x * w)
    see.call("saved, no grad needed", lambda: w.detach() * x)
    see("a view outside", x[0].is_inference())
    see.call("a view's op outside", lambda: x[0] * w)
    see("clone is normal", x.clone().is_inference())
    see("detach stays inference", x.detach().is_inference())

    @t.inference_mode()
    def f(a):
        return a * 2

    @t.inference_mode
    def g(a):
        return a * 2

    see("decorators", (f(w).is_inference(), f(w).requires_grad, g(w).is_inference()))


@scenario
def set_grad_enabled_forms(t, see):
    t.set_grad_enabled(False)
    see("function form", t.is_grad_enabled())
    t.set_grad_enabled(True)
    with t.set_grad_enabled(False):
        see("context", t.is_grad_enabled())
    see("restored", t.is_grad_enabled())

    @t.set_grad_enabled(False)
    def f():
        return t.is_grad_enabled()

    see("decorator", (f(), t.is_grad_enabled()))


def test_grad_modes_are_thread_local():
    seen = {}
    for lib in (torch, mygrad):
        result = []

        def worker():
            result.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))

        with lib.inference_mode():
            thread = threading.Thread(target=worker)
            thread.start()
            thread.join()
            result.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
        seen[lib.__name__] = result
    assert seen["mygrad"] == seen["torch"]


# ----- anomaly mode ------------------------------------------------------------------------------------

@scenario
def anomaly_mode(t, see):
    x = t.zeros(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with t.autograd.detect_anomaly():
            see("enabled", (t.is_anomaly_enabled(), t.is_anomaly_check_nan_enabled()))
            y = x / x
            see.call("nan raises", lambda: y.sum().backward())
    see("disabled after", t.is_anomaly_enabled())
    t.autograd.set_detect_anomaly(True, check_nan=False)
    see("check_nan off", (t.is_anomaly_enabled(), t.is_anomaly_check_nan_enabled()))
    (x / x).sum().backward()
    see("nan passes", x.grad)
    t.autograd.set_detect_anomaly(False)
    see("off", t.is_anomaly_enabled())


def test_anomaly_warns_with_the_forward_traceback_of_a_custom_function():
    for lib in (torch, mygrad):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 1

            @staticmethod
            def backward(ctx, g):
                return g * float("nan")

        x = lib.ones(2, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with lib.autograd.detect_anomaly():
                y = Bad.apply(x)  # the line the traceback shows
                with pytest.raises(RuntimeError, match="Function 'BadBackward' returned nan values in its 0th output."):
                    y.sum().backward()
        texts = [str(w.message) for w in caught]
        assert any(m.startswith("Error detected in BadBackward. Traceback of forward call that caused the error:")
                   and "y = Bad.apply(x)" in m for m in texts), (lib.__name__, texts)


def test_anomaly_mode_is_process_wide_as_in_torch():
    """torch's AnomalyMode is one global switch: set in one thread, it holds in every other, and a node
    made in another thread while it is on keeps its forward traceback."""
    seen = {}
    for lib in (torch, mygrad):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = []
            thread = threading.Thread(target=lambda: lib.autograd.set_detect_anomaly(True, check_nan=False))
            thread.start()
            thread.join()
            result.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
            x = lib.ones(2, requires_grad=True)
            made = []
            thread = threading.Thread(target=lambda: made.append(x * 2))
            thread.start()
            thread.join()
            result.append("traceback_" in made[0].grad_fn.metadata)
            lib.autograd.set_detect_anomaly(False)
            other = []
            thread = threading.Thread(target=lambda: other.append(lib.is_anomaly_enabled()))
            thread.start()
            thread.join()
            result += [other, "traceback_" in (x * 3).grad_fn.metadata]
        seen[lib.__name__] = result
    assert seen["mygrad"] == seen["torch"]
    assert seen["torch"][0] == (True, False)   # the test can tell per-thread from global


# ----- autograd.graph ----------------------------------------------------------------------------------

@scenario
def graph_hooks(t, see):
    calls = []
    x = leaf(t, [1.0, 2.0])
    y = leaf(t, [3.0, 4.0])
    z = x * y
    node = z.grad_fn
    see("name", node.name())
    see("metadata", node.metadata)
    node.metadata["k"] = 1
    see("metadata kept", node.metadata)
    node.register_prehook(lambda gout: calls.append(("pre", gout[0].tolist())))
    node.register_hook(lambda gin, gout: calls.append(("post", [g.tolist() for g in gin])))
    x.register_post_accumulate_grad_hook(lambda p: calls.append(("post-acc x", p.grad.tolist())))
    handle = t.autograd.graph.register_multi_grad_hook(
        (x, y), lambda grads: calls.append(("multi", [None if g is None else g.tolist() for g in grads])))
    z.sum().backward()
    see("calls", sorted(calls, key=str))
    handle.remove()
    calls.clear()
    (x * 2).sum().backward()
    see("after remove", sorted(calls, key=str))
    see.call("post-acc on non-leaf", lambda: z.register_post_accumulate_grad_hook(lambda p: None))
    see("edge", t.autograd.graph.get_gradient_edge(z).node.name())
    anys = []
    t.autograd.graph.register_multi_grad_hook((x, y), lambda g: anys.append(g.tolist()), mode="any")
    (x * 3).sum().backward()  # (only one of them reached: which of several fires first is the engine's order)
    see("any", anys)


@scenario
def saved_tensors_hooks(t, see):
    fn = functions(t)
    packed = []

    def pack(tensor):
        packed.append(tensor.shape)
        return tensor * 1

    def unpack(tensor):
        packed.append("unpack")
        return tensor

    x = leaf(t, [0.5, 1.5])
    with t.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = fn["Exp"].apply(x)
    y.sum().backward()
    see("packed", [str(p) if not isinstance(p, str) else p for p in packed])
    see("grad", x.grad)
    with t.autograd.graph.save_on_cpu():
        y = fn["Cube"].apply(x)
    y.sum().backward()
    see("save_on_cpu grad", x.grad)
    with t.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
        see.call("disabled", lambda: t.autograd.graph.saved_tensors_hooks(pack, unpack).__enter__())


@scenario
def enable_grad_inside_inference_mode_records_nothing(t, see):
    x = leaf(t, [1.5, -2.0])
    with t.inference_mode():
        see("inside", t.is_grad_enabled())
        with t.enable_grad():
            see("enable_grad", t.is_grad_enabled())
            y = x * 2
            see("y", (y.requires_grad, y.is_leaf, y.grad_fn, y.is_inference()))
            with t.inference_mode(False):
                z = x * 2
                see("inference_mode(False)", (t.is_grad_enabled(), z.requires_grad, z.grad_fn))
        t.set_grad_enabled(True)
        see("set_grad_enabled(True)", (t.is_grad_enabled(), (x * 2).requires_grad))
        t.set_grad_enabled(False)
    see("after", (t.is_grad_enabled(), (x * 2).requires_grad))


@scenario
def allow_mutation_on_saved_tensors(t, see):
    G = t.autograd.graph
    with G.allow_mutation_on_saved_tensors() as ctx:
        see("context", type(ctx).__name__)
        x = leaf(t, [1.0, 2.0, 3.0])
        b = x.clone()
        out = (b ** 2).sum()
        b.sin_()                      # b was saved by PowBackward0: backward still sees its old values
        see.call("backward after a mutation", lambda: out.backward())
        see("grad", x.grad)
        w = t.tensor([2.0, 3.0, 4.0])
        y = leaf(t, [1.0, -1.0, 0.5])
        loss = (y * w).sum()
        w.mul_(10)                    # a saved tensor that needs no grad
        e = y.exp()
        e.mul_(2)                     # a saved output, changed in place
        see.call("two graphs", lambda: (loss + e.sum()).backward())
        see("grad y", y.grad)
        z = leaf(t, [1.0, 2.0])
        c = z.clone()
        late = (c * c).sum()
        c.mul_(2)
        c[0].add_(1)                  # through a view, and twice
        see.call("nested", lambda: G.allow_mutation_on_saved_tensors().__enter__())
    see.call("backward after the block", lambda: late.backward())
    q = leaf(t, [1.0, 2.0])
    r = q.clone()
    plain = (r * r).sum()
    r.mul_(2)
    see.call("outside the block: torch's version error", lambda: plain.backward())
    with G.allow_mutation_on_saved_tensors():   # usable again after the first one closed
        u = leaf(t, [3.0])
        v = u.clone()
        again = (v * v).sum()
        v.zero_()
        again.backward()
        see("again", u.grad)


@scenario
def hooked_saved_tensors_skip_the_version_check(t, see):
    x = leaf(t, [1.0, 2.0, 3.0])
    with t.autograd.graph.saved_tensors_hooks(lambda v: v.detach().clone(), lambda v: v):
        b = x.clone()
        out = (b ** 2).sum()
    b.sin_()
    see.call("backward", lambda: out.backward())
    see("grad", x.grad)
    fn = functions(t)
    c = x.clone()
    with t.autograd.graph.saved_tensors_hooks(lambda v: v.detach().clone(), lambda v: v):
        y = fn["Cube"].apply(c)      # a custom Function's save_for_backward goes through the hooks too
    c.mul_(3)
    see.call("custom Function backward", lambda: y.sum().backward())
    see("grad after", x.grad)


# ----- torch.func --------------------------------------------------------------------------------------

@scenario
def func_transforms(t, see):
    fx = t.func
    x = t.tensor([0.5, -1.0, 2.0], dtype=t.float64)
    y = t.tensor([1.5, 2.0, -0.5], dtype=t.float64)

    def f(x, y):
        return (x.sin() * y ** 2).sum()

    see("grad", fx.grad(f)(x, y))
    see("grad argnums", fx.grad(f, argnums=(0, 1))(x, y))
    see("grad_and_value", fx.grad_and_value(f)(x, y))
    see("grad of grad", fx.grad(lambda x: fx.grad(lambda x: (x ** 3).sum())(x).sum())(x))
    see("has_aux", fx.grad(lambda x: ((x ** 2).sum(), x.mean()), has_aux=True)(x))
    out, vjp_fn = fx.vjp(lambda x: x.exp() * 2, x)
    see("vjp", (out, vjp_fn(t.ones(3, dtype=t.float64))))
    see("jvp", fx.jvp(lambda x: x.exp() * x, (x,), (t.ones(3, dtype=t.float64),)))
    see("jacrev", fx.jacrev(lambda x: x.exp() * x.sum())(x))
    see("jacrev argnums", fx.jacrev(lambda x, y: x * y, argnums=(0, 1))(x, y))
    see("jacfwd", fx.jacfwd(lambda x: x ** 2)(x))
    see("hessian", fx.hessian(lambda x: (x ** 3).sum() * x.prod())(x))
    see.call("grad of non-scalar", lambda: fx.grad(lambda x: x * 2)(x))
    see.call("grad of non-tensor", lambda: fx.grad(lambda x: 3.0)(x))
    see.call("old-style Function inside a transform", lambda: fx.grad(lambda x: functions(t)["Exp"].apply(x).sum())(x))
    see("setup_context Function inside a transform", fx.grad(lambda x: functions(t)["Cube"].apply(x).sum())(x))
    w = leaf(t, [1.0, 2.0, 3.0])
    g = fx.grad(lambda x: (x ** 3).sum())(w)
    g.sum().backward()
    see("transform under an outer backward", w.grad)


# ----- the README's worked example ---------------------------------------------------------------------

def test_readme_custom_function_example_runs_in_both_libraries():
    """README "Beyond ops": its example prints the same lines with mygrad as with torch."""
    import contextlib
    import io
    import re
    from pathlib import Path

    from test_tutorial import assert_same_output

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Beyond ops: custom Functions and the functional API", 1)[1].split("\n## ", 1)[0]
    source = section.split("```python\n", 1)[1].split("```", 1)[0]
    outputs = []
    for library in ("torch", "mygrad"):
        code = source
        if library == "torch":
            code = code.replace("import mygrad as torch\n", "import torch\n").replace("from mygrad.", "from torch.")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {"__name__": "__main__"})
        outputs.append(re.sub(r" at 0x[0-9a-f]+", " at 0x...", out.getvalue()))
    assert "SoftplusBackward" in outputs[1]
    assert_same_output(outputs[0], outputs[1])


# ----- the harness catches faults in the custom Function machinery ---------------------------------------

def _harness_failures(label: str) -> dict:
    from conformance import runner
    from conformance.profiles import Profile
    from conformance.records.custom_functions import RECORDS
    record = next(r for r in RECORDS if r.label == label)
    profile = Profile("selftest", examples=10, machine_runs=10, machine_steps=10, shrink_seconds=2.0)
    result = runner.run_case(runner.Case(record, "call", "float64"), profile)
    assert result.crash is None, result.crash
    return {f.check: f for f in result.failures}


def test_correct_custom_functions_pass_the_harness():
    assert _harness_failures("Function (MulAdd, two outputs)") == {}


def test_harness_catches_wrong_custom_function_gradients(monkeypatch):
    from mygrad.autograd import function
    original = function.BackwardCFunction._check_gradients

    def doubled(self, result, create_graph):
        return [None if g is None else g * 2 for g in original(self, result, create_graph)]

    monkeypatch.setattr(function.BackwardCFunction, "_check_gradients", doubled)
    assert "grad" in _harness_failures("Function (Exp)")


def test_harness_catches_a_non_differentiable_output_that_requires_grad(monkeypatch):
    from mygrad.autograd import function
    original = function._wrap_outputs

    def leaky(ctx, args, outputs, executable):
        out = original(ctx, args, outputs, executable)
        for o in out if isinstance(out, tuple) else (out,):
            if executable and o.dtype == mygrad.bool:
                o._requires_grad = True
        return out

    monkeypatch.setattr(function, "_wrap_outputs", leaky)
    assert "flags" in _harness_failures("Function (ReluMask, non-differentiable output)")


def test_harness_catches_a_saved_output_unpacked_without_its_history(monkeypatch):
    from mygrad.autograd import function
    original = function.BackwardCFunction.saved_tensors

    monkeypatch.setattr(function.BackwardCFunction, "saved_tensors",
                        property(lambda self: tuple(t.detach() for t in original.fget(self))))
    assert "double" in _harness_failures("Function (Exp)")


@scenario
def hook_order_around_a_custom_function(t, see):
    """Every hook's call, in order: tensor hooks, node pre/post hooks, retain_grad, post-accumulate and
    multi-grad hooks around a custom Function's node, over two backwards (the second accumulating)."""
    calls = []
    fn = functions(t)
    x, w = leaf(t, [1.0, 2.0]), leaf(t, [0.5, 0.5])
    h = x * w
    y = fn["Exp"].apply(h)
    y.retain_grad()
    h.retain_grad()
    y.register_hook(lambda g: calls.append(("y hook", g.tolist())))
    y.grad_fn.register_prehook(lambda go: calls.append(("pre", [g.tolist() for g in go])))
    y.grad_fn.register_hook(lambda gi, go: calls.append(("post", [g.tolist() for g in gi], [g.tolist() for g in go])))
    x.register_post_accumulate_grad_hook(lambda p: calls.append(("post-acc x", p.grad.tolist())))
    w.register_post_accumulate_grad_hook(lambda p: calls.append(("post-acc w", p.grad.tolist())))
    t.autograd.graph.register_multi_grad_hook(
        (x, w, h), lambda gs: calls.append(("multi", [None if g is None else g.tolist() for g in gs])))
    h.register_hook(lambda g: calls.append(("h hook", g.tolist())))
    (y * 2).sum().backward(retain_graph=True)
    see("first backward", calls)
    see("retained", (y.grad, h.grad))
    calls.clear()
    y.sum().backward()
    see("second backward", calls)
    see("accumulated", (y.grad, h.grad, x.grad, w.grad))
    calls.clear()
    (x * 3).sum().backward()  # only x is reached: the multi-grad hook gets None for the others
    see("partial", calls)


@scenario
def saved_tensors_hooks_on_built_in_ops(t, see):
    calls = []

    def pack(tensor):
        calls.append(("pack", tuple(tensor.shape), tensor.tolist()))
        return tensor.detach().clone()

    def unpack(tensor):
        calls.append(("unpack", tensor.tolist()))
        return tensor

    x = leaf(t, [0.5, 1.5])
    w = leaf(t, [2.0, -1.0])
    with t.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = (x.exp() * w).sum()
        z = x + w  # saves nothing
        q = (t.div(x, w) + x.sin() * x.pow(2) + t.nn.functional.softplus(w)).sum()
    see("packed", calls)
    calls.clear()
    q.backward()
    see("unpacked, more ops", calls)
    x.grad = w.grad = None
    calls.clear()
    calls.clear()
    y.backward()
    see("unpacked", calls)
    see("grads", (x.grad, w.grad))
    see("no hooks outside", (x * w).grad_fn.name())
    x.grad = None
    with t.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = (x.sin() * x).sum()
        g, = t.autograd.grad(y, x, create_graph=True)
    calls.clear()
    g.sum().backward()
    see("double backward through packed tensors", (x.grad, len(calls) > 0))
    with t.autograd.graph.save_on_cpu():
        y = (x.tanh() * w).sum()
    x.grad = None
    y.backward()
    see("save_on_cpu", x.grad)
    see("add saves nothing", z.grad_fn.name())


@scenario
def function_outputs_that_are_views(t, see):
    """An output that is a view of an input (made in forward, or the input returned as is) may not be
    written in place: torch refuses, naming the custom Function, and prints a stale one's grad_fn as Invalid."""
    F = t.autograd.Function

    class Flat(F):
        @staticmethod
        def forward(ctx, x):
            return x.view(-1)

        @staticmethod
        def backward(ctx, g):
            return g.view(2, 2)

    class Same(F):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = leaf(t, [[1.0, 2.0], [3.0, 4.0]])
    h = x * 1
    y = Flat.apply(h)
    see("view output", (y, y._base is h, y.grad_fn.name()))
    (y * 2).sum().backward()
    see("grad", x.grad)
    see.call("in place on it", lambda: y.mul_(2))
    w = x * 1
    o = Same.apply(w)
    see("input returned as is", (o is w, o._base is w, o.grad_fn.name()))
    see.call("in place on that", lambda: o.add_(1))
    with t.no_grad():
        o.add_(1)
    see("printed after a no_grad write", repr(o))
    w.add_(1)
    see.call("its grad_fn after the base changed", lambda: o.grad_fn)


@scenario
def save_on_cpu_keeps_the_tensor_itself(t, see):
    """save_on_cpu packs ``tensor.cpu()``, the very tensor on a CPU: an in-place edit after saving reaches
    the backward, and no version check refuses it; with pin_memory it packs a copy."""
    for pin in (False, True):
        x = t.tensor([1.5, -0.5], dtype=t.float64, requires_grad=True)
        with t.autograd.graph.save_on_cpu(pin_memory=pin):
            y = x.exp()
            z = x * x
        with t.no_grad():
            y.mul_(0.5)
            x.mul_(1.0)
        see.call(f"pin_memory={pin}: exp's backward", lambda: (y * 1).sum().backward())
        see(f"pin_memory={pin}: x.grad", x.grad)
        x.grad = None
        see.call(f"pin_memory={pin}: mul's backward after x was edited", lambda: z.sum().backward())
        see(f"pin_memory={pin}: x.grad again", x.grad)


@scenario
def nodes_torch_defines_in_cpp_carry_their_namespace_in_name(t, see):
    x = t.ones(3, requires_grad=True)
    y = x * 1
    y[0] = 2.0
    z = t.zeros(3)
    z.copy_(x)
    see("names", (y.grad_fn.name(), z.grad_fn.name(), type(y.grad_fn).__name__, type(z.grad_fn).__name__))
