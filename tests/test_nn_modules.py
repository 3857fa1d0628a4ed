"""The nn.Module API, nn.Parameter, the containers and nn.init against torch, as paired scenarios
(see paired.py): registration and naming, state_dict and load_state_dict (keys, values, errors,
the returned keys), reprs of nested modules, hooks, train/eval, dtype conversion, errors.  Layer
forwards and gradients are the conformance records' (conformance/records/modules.py).  nn.init's
random draws are NumPy's, so they are checked for their bounds and statistics in mygrad alone; the
deterministic inits, fans, gains and errors against torch."""
from __future__ import annotations

import copy
import math
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import mygrad
from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


def net(t):
    """A module with a parameter, a persistent and a non-persistent buffer, a nested Sequential used
    twice (shared), a None parameter and a plain attribute."""
    nn = t.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.act = nn.ReLU()
            self.head = nn.Sequential(nn.Linear(4, 2, bias=False), nn.Tanh())
            self.alias = self.head
            self.scale = nn.Parameter(t.ones(2))
            self.register_parameter("unused", None)
            self.register_buffer("shift", t.zeros(2))
            self.register_buffer("cache", t.ones(1), persistent=False)
            self.note = "plain"

        def forward(self, x):
            return self.head(self.act(self.fc(x))) * self.scale + self.shift
    return Net()


def fixed(t, module, seed=0):
    """``module`` with parameters from NumPy (the same numbers in both libraries)."""
    rng = np.random.default_rng(seed)
    with t.no_grad():
        for p in module.parameters():
            p.copy_(t.tensor(rng.uniform(-1, 1, tuple(p.shape)), dtype=p.dtype))
    return module


@scenario
def registration_and_naming(t, see):
    m = net(t)
    see("repr", repr(m))
    see("named_parameters", [n for n, _ in m.named_parameters()])
    see("named_parameters no dedup", [n for n, _ in m.named_parameters(remove_duplicate=False)])
    see("named_parameters prefix", [n for n, _ in m.named_parameters(prefix="model")])
    see("named_parameters no recurse", [n for n, _ in m.named_parameters(recurse=False)])
    see("named_buffers", [n for n, _ in m.named_buffers()])
    see("named_children", [n for n, _ in m.named_children()])
    see("named_modules", [n for n, _ in m.named_modules()])
    see("named_modules no dedup", [n for n, _ in m.named_modules(remove_duplicate=False)])
    see("named_modules prefix", [n for n, _ in m.named_modules(prefix="root")])
    see("modules", [type(x).__name__ for x in m.modules()])
    see("children", [type(x).__name__ for x in m.children()])
    see("parameter count", len(list(m.parameters())))
    see("buffers", len(list(m.buffers())))
    see("is Parameter", [isinstance(p, t.nn.Parameter) for p in m.parameters()])
    see("is Tensor", isinstance(m.scale, t.Tensor))
    see("getattr", [m.unused is None, m.note, type(m.fc).__name__])
    see.call("missing attribute", lambda: m.nothing)
    see("dir", [k for k in dir(m) if k in ("fc", "scale", "shift", "note", "unused")])
    see("get_submodule", type(m.get_submodule("head.0")).__name__)
    see("get_parameter", tuple(m.get_parameter("head.0.weight").shape))
    see.call("get_submodule missing", lambda: m.get_submodule("head.5"))
    see.call("get_parameter not one", lambda: m.get_parameter("act"))
    see("get_buffer", tuple(m.get_buffer("shift").shape))


@scenario
def registration_rules(t, see):
    nn = t.nn
    m = net(t)
    see.call("tensor to a parameter", lambda: setattr(m, "scale", t.ones(2)))
    see.call("non-leaf parameter", lambda: m.register_parameter("p", t.nn.Parameter(t.ones(2)) * 2))
    see.call("register_parameter a tensor", lambda: m.register_parameter("q", t.ones(1)))
    see.call("dotted parameter name", lambda: m.register_parameter("a.b", None))
    see.call("empty buffer name", lambda: m.register_buffer("", None))
    see.call("existing attribute", lambda: m.register_buffer("note", t.ones(1)))
    see.call("buffer of a list", lambda: m.register_buffer("lst", [1, 2]))
    see.call("module name not a string", lambda: m.add_module(3, nn.ReLU()))
    see.call("not a module", lambda: m.add_module("x", 3))
    see.call("assign non-module to child", lambda: setattr(m, "act", 3))
    see.call("assign non-tensor to buffer", lambda: setattr(m, "shift", 3))
    see.call("parameter before __init__", lambda: _early(t))
    m.shift = t.full((2,), 5.0)
    see("buffer reassigned", [n for n, _ in m.named_buffers()] + [float(m.shift[0])])
    m.act = None
    see("child set to None", [n for n, _ in m.named_children()])
    del m.scale
    see("deleted parameter", [n for n, _ in m.named_parameters()])
    m.scale = "now a plain attribute"
    see("plain attribute", m.scale)
    m.fc = nn.Parameter(t.zeros(1))
    see("module replaced by a parameter", ([n for n, _ in m.named_children()], [n for n, _ in m.named_parameters()]))
    m.register_module("extra", nn.Identity())
    see("registered module", [n for n, _ in m.named_children()])


def _raises(thunk) -> str | None:
    try:
        thunk()
    except Exception as exc:  # noqa: BLE001 - the class is what is compared
        return type(exc).__name__
    return None


def _early(t):
    class Early(t.nn.Module):
        def __init__(self):
            self.w = t.nn.Parameter(t.ones(1))
            super().__init__()
    return Early()


@scenario
def tied_parameters(t, see):
    nn = t.nn
    enc, dec = nn.Linear(3, 2), nn.Linear(2, 3)
    model = nn.Sequential(enc, nn.Tanh(), dec)
    model.extra = nn.Linear(3, 2, bias=False)
    model.extra.weight = enc.weight  # tied
    fixed(t, model)
    see("parameters de-duplicated", [n for n, _ in model.named_parameters()])
    see("all names", [n for n, _ in model.named_parameters(remove_duplicate=False)])
    see("state_dict has both", list(model.state_dict().keys()))
    see("tied in state_dict", model.state_dict()["extra.weight"])
    x = t.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=t.float32)
    (model(x).sum() + model.extra(x).sum()).backward()
    see("tied grad accumulates", enc.weight.grad)
    sd = {k: v * 0 + 1 for k, v in model.state_dict().items()}
    model.load_state_dict(sd)
    see("loaded into the tied parameter", (enc.weight, model.extra.weight is enc.weight))
    model.fc = nn.Linear(1, 1)
    model.fc = nn.Parameter(t.ones(1))
    see("parameter replaces a child", ([n for n, _ in model.named_children()], "fc" in dict(model.named_parameters())))
    model.register_buffer("fc2", t.ones(1))
    model.fc2 = nn.Parameter(t.zeros(1))
    see("parameter replaces a buffer", ([n for n, _ in model.named_buffers()], "fc2" in dict(model.named_parameters())))


@scenario
def buffers_by_assignment(t, see):
    nn = t.nn

    class WithBuffers(nn.Module):
        def __init__(self):
            super().__init__()
            self.kept = nn.Buffer(t.ones(2))
            self.scratch = nn.Buffer(t.zeros(1), persistent=False)
            self.plain = t.ones(3)

    m = WithBuffers()
    see("buffers", [n for n, _ in m.named_buffers()])
    see("state_dict", list(m.state_dict().keys()))
    see("plain tensor is no buffer", m.plain)
    see("isinstance", [isinstance(m.kept, nn.Buffer), isinstance(m.kept, t.Tensor), isinstance(t.ones(1), nn.Buffer)])
    see("ops give tensors", m.kept * 2)
    m.scratch = nn.Buffer(t.ones(1))
    see("reassigned persistent", list(m.state_dict().keys()))
    see.call("before __init__", lambda: _early_buffer(t))


def _early_buffer(t):
    class Early(t.nn.Module):
        def __init__(self):
            self.b = t.nn.Buffer(t.ones(1))
            super().__init__()
    return Early()


@scenario
def state_dict_round_trip(t, see):
    m = fixed(t, net(t))
    sd = m.state_dict()
    see("keys", list(sd.keys()))
    see("values", list(sd.values()))
    see("types", [type(v).__name__ for v in sd.values()])
    see("metadata", dict(sd._metadata))
    see("keep_vars", [v.requires_grad for v in m.state_dict(keep_vars=True).values()])
    see("prefix", list(m.state_dict(prefix="p.").keys()))
    other = net(t)
    see("load", repr(other.load_state_dict(sd)))
    see("loaded", list(other.state_dict().values()))
    see("parameters are still the module's", other.fc.weight is dict(other.named_parameters())["fc.weight"])
    x = t.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=t.float32)
    see("same output", [m(x), other(x)])
    missing = OrderedDict((k, v) for k, v in sd.items() if k != "fc.bias")
    see.call("missing key", lambda: other.load_state_dict(missing))
    see.call("unexpected key", lambda: other.load_state_dict({**sd, "fc.extra": t.ones(1), "zz.w": t.ones(1)}))
    see.call("both", lambda: other.load_state_dict({**missing, "bogus": t.ones(1)}))
    see.call("size mismatch", lambda: other.load_state_dict({**sd, "fc.weight": t.ones(3, 4)}))
    see.call("not a tensor", lambda: other.load_state_dict({**sd, "fc.bias": [1, 2, 3, 4]}))
    see.call("not a mapping", lambda: other.load_state_dict([1, 2]))
    result = other.load_state_dict({**missing, "bogus": t.ones(1)}, strict=False)
    see("non-strict", (result.missing_keys, result.unexpected_keys, repr(result)))
    see("non-strict all matched", repr(other.load_state_dict(sd, strict=False)))
    seen_hooks = []

    def rename(module, state_dict, prefix, *rest):
        seen_hooks.append(("pre", type(module).__name__, prefix))
        if prefix + "old_bias" in state_dict:
            state_dict[prefix + "bias"] = state_dict.pop(prefix + "old_bias")
    other.fc.register_load_state_dict_pre_hook(rename)
    other.register_load_state_dict_post_hook(lambda module, keys: seen_hooks.append(("post", list(keys[0]))))
    renamed = OrderedDict((k.replace("fc.bias", "fc.old_bias"), v) for k, v in sd.items())
    see("pre hook renames a key", repr(other.load_state_dict(renamed)))
    see("hooks ran", seen_hooks)
    w = t.nn.Parameter(t.zeros(4, 3))
    other.load_state_dict({**sd, "fc.weight": w}, assign=True)
    see("assign keeps the given parameter", other.fc.weight is w)
    before = other.fc.bias
    other.load_state_dict(sd)
    see("copy keeps the parameter object", other.fc.bias is before)
    see("version bumped by the copy", other.fc.bias._version > 0)


@scenario
def train_eval_grad_and_apply(t, see):
    nn = t.nn
    m = fixed(t, net(t))
    see("training", [x.training for x in m.modules()])
    see("eval returns self", m.eval() is m)
    see("after eval", [x.training for x in m.modules()])
    m.train()
    see("after train", [x.training for x in m.modules()])
    see.call("train(non-bool)", lambda: m.train(1))
    x = t.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=t.float32)
    out = m(x)
    out.sum().backward()
    see("grads", [p.grad for p in m.parameters()])
    m.zero_grad(set_to_none=False)
    see("zeroed", [p.grad for p in m.parameters()])
    m.zero_grad()
    see("set to none", [p.grad for p in m.parameters()])
    m.requires_grad_(False)
    see("requires_grad_", [p.requires_grad for p in m.parameters()])
    see("frozen output", m(x))
    names = []
    m.apply(lambda mod: names.append(type(mod).__name__))
    see("apply order", names)
    drop = nn.Dropout(0.5)
    see("dropout eval is identity", drop.eval()(x))


@scenario
def dtype_conversion(t, see):
    m = fixed(t, net(t))
    x = t.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=t.float64)
    m.fc.weight.grad = t.ones(4, 3)
    weight = m.fc.weight
    see("double returns self", m.double() is m)
    see("dtypes", [p.dtype for p in m.parameters()] + [b.dtype for b in m.buffers()])
    see("same parameter object", m.fc.weight is weight)
    see("grad converted", m.fc.weight.grad.dtype)
    see("float64 output", m(x))
    m.float()
    see("float", [p.dtype for p in m.parameters()])
    m.half()
    see("half", [p.dtype for p in m.parameters()])
    m.to(t.float64)
    see("to dtype", [p.dtype for p in m.parameters()])
    m.to("cpu")
    m.to("cpu", t.float32)
    see("to cpu and dtype", [p.dtype for p in m.parameters()])
    m.to(t.zeros(1, dtype=t.float64))
    see("to tensor", [p.dtype for p in m.parameters()])
    see.call("to integer dtype", lambda: m.to(t.int64))
    see.call("to cuda", lambda: m.to("cuda"))
    see.call("to unknown device", lambda: m.to("xyz"))
    see("cpu returns self", m.cpu() is m)
    see("device cpu", t.nn.Linear(2, 2, device="cpu").weight.dtype)
    see("device object", (t.nn.Linear(2, 2, device=t.device("cpu")).weight.device.type, m.to(t.device("cpu")) is m))
    see.call("to cuda device object", lambda: m.to(t.device("cuda", 0)))
    see.call("device cuda", lambda: t.nn.Linear(2, 2, device="cuda"))
    see.call("device unknown", lambda: t.nn.Embedding(2, 2, device="xyz"))
    linear = t.nn.Linear(2, 3, dtype=t.float64)
    see("factory dtype", [p.dtype for p in linear.parameters()])


@scenario
def forward_hooks(t, see):
    nn = t.nn
    m = nn.Linear(2, 2)
    calls = []

    def pre(mod, args):
        calls.append(("pre", type(mod).__name__, len(args)))
        return (args[0] * 2,)

    def pre_single(mod, args):
        calls.append(("pre single",))
        return args[0] + 1  # not a tuple: wrapped in one

    def post(mod, args, out):
        calls.append(("post", tuple(out.shape)))
        return out * 0

    def post_kwargs(mod, args, kwargs, out):
        calls.append(("post kwargs", sorted(kwargs)))

    x = t.ones(1, 2)
    h1 = m.register_forward_pre_hook(pre)
    h2 = m.register_forward_pre_hook(pre_single, prepend=True)
    h3 = m.register_forward_hook(post)
    h4 = m.register_forward_hook(post_kwargs, with_kwargs=True)
    see("hooked output", m(x))
    see("calls", calls)
    h3.remove()
    h1.remove()
    with h2:
        pass
    see("after removal", float(m(x).detach().sum() == m.forward(x).detach().sum()))
    h4.remove()
    see("forward not defined", None)
    see.call("no forward", lambda: nn.Module()(x))
    see.call("ModuleList is not callable", lambda: nn.ModuleList([nn.ReLU()])(x))
    see.call("ParameterList call", lambda: nn.ParameterList()(x))


@scenario
def hook_order_kwargs_and_always_call(t, see):
    nn = t.nn
    order = []

    class Boom(nn.Module):
        def forward(self, x, scale=1.0):
            if scale < 0:
                raise ValueError("negative scale")
            return x * scale

    m = Boom()
    m.register_forward_pre_hook(lambda mod, args: order.append("pre a"))
    m.register_forward_pre_hook(lambda mod, args: order.append("pre b"), prepend=True)

    def pre_kwargs(mod, args, kwargs):
        order.append(("pre kwargs", sorted(kwargs)))
        return args, {**kwargs, "scale": kwargs.get("scale", 1.0) * 2}
    m.register_forward_pre_hook(pre_kwargs, with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: order.append("post a"))
    m.register_forward_hook(lambda mod, args, out: order.append("post b"), prepend=True)
    m.register_forward_hook(lambda mod, args, out: order.append(("always", out is None)), always_call=True)
    see("scaled by the kwargs hook", m(t.ones(2), scale=3.0))
    see("order", order)
    order.clear()
    see.call("forward raises", lambda: m(t.ones(2), scale=-1.0))
    see("always_call ran", order)
    bad = nn.Identity()
    bad.register_forward_pre_hook(lambda mod, args, kwargs: 3, with_kwargs=True)
    see.call("pre hook returning a non-pair", lambda: bad(t.ones(1)))


@scenario
def full_backward_hooks(t, see):
    nn = t.nn
    m = fixed(t, nn.Linear(2, 2))
    log = []
    m.register_full_backward_hook(lambda mod, gi, go: log.append(("hook", list(gi), list(go))))
    m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", list(go))))
    x = t.tensor([[1.0, -1.0]], requires_grad=True)
    out = m(x)
    see("output node", (out, graph_names(out.grad_fn), out._base is not None))
    out.sum().backward()
    see("hooks saw", log)
    see("grads", (x.grad, m.weight.grad))
    log.clear()
    see.call("no input requires grad: the hook fires at the outputs", lambda: m(t.ones(1, 2)).sum().backward())
    see("then", log)
    doubled = fixed(t, nn.Sequential(nn.Linear(2, 2), nn.Tanh()))
    doubled[0].register_full_backward_hook(lambda mod, gi, go: tuple(g * 10 for g in gi))
    x = t.tensor([[1.0, 2.0]], requires_grad=True)
    doubled(x).sum().backward()
    see("replaced grad_input", x.grad)
    zeroed = fixed(t, nn.Linear(2, 2))
    zeroed.register_full_backward_pre_hook(lambda mod, go: (go[0] * 0,))
    x = t.ones(1, 2, requires_grad=True)
    zeroed(x).sum().backward()
    see("replaced grad_output", (x.grad, zeroed.bias.grad))
    bad = nn.Linear(2, 2)
    bad.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    see.call("wrong number of grad_input", lambda: bad(t.ones(1, 2, requires_grad=True)).sum().backward())
    with t.no_grad():
        see("under no_grad", m(t.ones(1, 2)).grad_fn is None)


def graph_names(node, depth=3):
    if node is None or depth == 0:
        return None if node is None else type(node).__name__
    return type(node).__name__, tuple(graph_names(n, depth - 1) for n, _ in node.next_functions)


@scenario
def module_pickle_round_trip(t, see):
    nn = t.nn
    m = fixed(t, nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2), nn.Softmax(dim=1)))
    m.register_buffer("count", t.tensor(3))
    back = pickle.loads(pickle.dumps(m))
    see("state", list(back.state_dict().values()))
    see("types", [type(p).__name__ for p in back.parameters()])
    see("buffer", back.count)
    x = t.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=t.float32)
    see("same output", back(x))
    see("repr", repr(back))


@scenario
def sequential(t, see):
    nn = t.nn
    s = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    fixed(t, s)
    see("repr", repr(s))
    see("len", len(s))
    see("index", [type(s[0]).__name__, type(s[-1]).__name__])
    see("slice", repr(s[1:]))
    see("slice type", type(s[::2]).__name__)
    see.call("out of range", lambda: s[3])
    x = t.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=t.float32)
    see("forward", s(x))
    s.append(nn.Sigmoid())
    s.insert(0, nn.Identity())
    s.extend([nn.Tanh()])
    see("grown", repr(s))
    see("insert non-module", _raises(lambda: s.insert(0, 3)))  # (its message names the library's Module)
    see.call("insert out of range", lambda: s.insert(9, nn.ReLU()))
    s[1] = nn.Linear(3, 4)
    del s[0]
    see("renumbered", [n for n, _ in s.named_children()])
    see("pop", type(s.pop(-1)).__name__)
    named = nn.Sequential(OrderedDict([("first", nn.ReLU()), ("second", nn.Tanh())]))
    see("OrderedDict", repr(named))
    see("state_dict keys", list(s.state_dict().keys()))
    see("add", repr(nn.Sequential(nn.ReLU()) + nn.Sequential(nn.Tanh())))
    see("mul", repr(nn.Sequential(nn.ReLU()) * 2))
    see.call("add non-Sequential", lambda: nn.Sequential() + 3)
    see("iteration", [type(x).__name__ for x in s])


@scenario
def module_list_and_dict(t, see):
    nn = t.nn
    ml = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2)])
    see("repr compressed", repr(ml))
    see("empty", repr(nn.ModuleList()))
    see("slice", repr(ml[1:3]))
    ml.append(nn.Tanh())
    ml.extend([nn.Sigmoid()])
    ml.insert(1, nn.Identity())
    see("grown", [type(x).__name__ for x in ml])
    del ml[0]
    see("renumbered", [n for n, _ in ml.named_children()])
    see.call("out of range", lambda: ml[10])
    see.call("extend non-iterable", lambda: ml.extend(3))
    see("params", [n for n, _ in ml.named_parameters()])
    see("add", len(ml + nn.ModuleList([nn.ReLU()])))
    md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(1, 1)})
    see("dict repr", repr(md))
    md["c"] = nn.Tanh()
    md.update([("d", nn.Sigmoid())])
    see("keys", list(md.keys()))
    see("contains", ["a" in md, "z" in md])
    see("pop", type(md.pop("b")).__name__)
    see("len", len(md))
    see.call("update with a bad element", lambda: md.update([("x", nn.ReLU(), 1)]))
    see.call("update with a non-iterable", lambda: md.update(3))
    see("param names", [n for n, _ in md.named_parameters()])


@scenario
def parameter_containers(t, see):
    nn = t.nn
    pl = nn.ParameterList([nn.Parameter(t.ones(2, 3)), t.zeros(3, dtype=t.float64)])
    pl.append(t.ones(1))
    pl.extend([nn.Parameter(t.ones(2), requires_grad=False)])
    see("list repr", repr(pl))
    see("list types", [isinstance(p, nn.Parameter) for p in pl])
    see("list names", [n for n, _ in pl.named_parameters()])
    see("list slice", len(pl[1:]))
    see.call("list out of range", lambda: pl[7])
    see.call("extend with a tensor", lambda: pl.extend(t.ones(2)))
    pd = nn.ParameterDict({"b": t.ones(2), "a": nn.Parameter(t.zeros(1))})
    see("dict repr", repr(pd))
    pd["c"] = t.ones(3)
    pd.update(OrderedDict([("z", t.ones(1)), ("y", t.ones(1))]))
    see("dict keys", list(pd.keys()))
    see("dict names", [n for n, _ in pd.named_parameters()])
    see("pop", pd.pop("a"))
    see("get", [pd.get("zz") is None, isinstance(pd.get("b"), nn.Parameter)])
    see("popitem", pd.popitem()[0])
    see.call("non-string key", lambda: pd[3])
    see("setdefault", pd.setdefault("n", t.ones(1)))
    see("or", list((pd | nn.ParameterDict({"q": t.ones(1)})).keys()))
    see("state_dict", list(nn.ParameterDict({"w": t.ones(1)}).state_dict().keys()))


@scenario
def parameter_itself(t, see):
    nn = t.nn
    p = nn.Parameter(t.tensor([1.0, 2.0]))
    see("repr", repr(p))
    see("repr no grad", repr(nn.Parameter(t.ones(2, dtype=t.float64), requires_grad=False)))
    see("empty", repr(nn.Parameter()))
    see("flags", [p.requires_grad, p.is_leaf, p.grad_fn is None])
    see("ops give Tensors", [type(p * 2).__name__, type(p.clone()).__name__, type(p.detach()).__name__,
                             type(p.data).__name__])
    with t.no_grad():
        see("in place keeps the Parameter", type(p.add_(1)).__name__)
    see("under no_grad", t.no_grad()(lambda: nn.Parameter(t.ones(1)).requires_grad)())
    see.call("integer requires grad", lambda: nn.Parameter(t.tensor([1, 2])))
    base = t.ones(2)
    shared = nn.Parameter(base)
    base.add_(1)
    see("shares memory and version", (shared, shared._version))
    out = (p * p).sum()
    out.backward()
    see("grad", p.grad)
    see("graph", type(out.grad_fn.next_functions[0][0].next_functions[0][0]).__name__)
    see("deepcopy", copy.deepcopy(p))
    see("pickle", pickle.loads(pickle.dumps(p)))
    with t.no_grad():
        see.call("in place on a parameter with grad mode on", lambda: None)
    see.call("in place with grad", lambda: p.add_(1))


@scenario
def module_copy_and_layers_repr(t, see):
    nn = t.nn
    m = fixed(t, net(t))
    c = copy.deepcopy(m)
    see("deepcopy values", list(c.state_dict().values()))
    see("deepcopy is new", c.fc.weight is not m.fc.weight)
    see("deepcopy shares the alias", c.head is c.alias)
    see("reprs", [repr(x) for x in (
        nn.Linear(2, 3, bias=False), nn.Bilinear(2, 3, 4), nn.Bilinear(1, 1, 1, bias=False),
        nn.Identity(54, unused="x"), nn.Flatten(0, 2), nn.Unflatten(1, (2, 2)),
        nn.Dropout(0.2, inplace=True), nn.ReLU(True), nn.LeakyReLU(0.2, True), nn.ELU(0.5), nn.GELU("tanh"),
        nn.SiLU(inplace=True), nn.Softplus(2, 10), nn.Sigmoid(), nn.Tanh(), nn.Softmax(-1), nn.LogSoftmax(),
        nn.MSELoss(), nn.L1Loss(reduction="sum"), nn.NLLLoss(), nn.CrossEntropyLoss(label_smoothing=0.1),
        nn.BCELoss(), nn.BCEWithLogitsLoss(pos_weight=t.ones(2)), nn.Softmax2d())])
    see.call("NLLLoss2d is deprecated", lambda: nn.NLLLoss2d(ignore_index=1).ignore_index)
    see("more reprs", [repr(x) for x in (
        nn.Threshold(0.1, 20), nn.Threshold(0.1, 2.0, True), nn.Hardtanh(), nn.Hardtanh(-2, 3.5, True), nn.ReLU6(),
        nn.ReLU6(True), nn.RReLU(), nn.RReLU(0.1, 0.3, True), nn.SELU(), nn.SELU(True), nn.CELU(), nn.CELU(2.0, True),
        nn.Hardsigmoid(True), nn.Hardswish(), nn.Hardshrink(), nn.Softshrink(0.3), nn.PReLU(), nn.PReLU(3, 0.1),
        nn.Mish(True), nn.LogSigmoid(), nn.Softsign(), nn.Tanhshrink(), nn.Softmin(1), nn.GLU(), nn.HuberLoss(),
        nn.SmoothL1Loss(beta=0.5), nn.SoftMarginLoss(), nn.KLDivLoss(log_target=True), nn.PoissonNLLLoss(),
        nn.GaussianNLLLoss(), nn.MarginRankingLoss(0.5), nn.HingeEmbeddingLoss(), nn.CosineEmbeddingLoss(),
        nn.MultiLabelSoftMarginLoss(weight=t.ones(3)), nn.TripletMarginLoss(), nn.PairwiseDistance(),
        nn.CosineSimilarity(0))])
    see("settings", [(m.reduction, m.delta) for m in [nn.HuberLoss("sum", 2)]] +
        [(m.lower, m.upper, m.inplace) for m in [nn.RReLU()]] + [(m.norm, m.eps, m.keepdim) for m in [nn.PairwiseDistance(1)]])
    see("PReLU initialised", nn.PReLU(3, 0.1).weight)
    see("PReLU parameters", [n for n, _ in nn.PReLU().named_parameters()])
    see.call("Hardtanh max <= min", lambda: nn.Hardtanh(1.0, 1.0))
    see.call("Hardtanh deprecated keyword", lambda: nn.Hardtanh(min_value=-2.0).min_val)
    see.call("TripletMarginLoss margin", lambda: nn.TripletMarginLoss(margin=0.0))
    see.call("HuberLoss delta type", lambda: nn.HuberLoss(delta="1"))
    see.call("GaussianNLLLoss keyword-only", lambda: nn.GaussianNLLLoss(True))
    see("MultiLabelSoftMarginLoss weight buffer", [n for n, _ in nn.MultiLabelSoftMarginLoss(weight=t.ones(2)).named_buffers()])
    see("RReLU in eval mode", nn.RReLU().eval()(t.tensor([-2.0, 3.0])))
    see.call("dropout p out of range", lambda: nn.Dropout(1.5))
    see.call("unflatten bad size", lambda: nn.Unflatten(1, 4))
    see.call("unflatten bad element", lambda: nn.Unflatten(1, (2, 2.0)))
    see.call("unflatten bad product", lambda: nn.Unflatten(1, (3, 2))(t.ones(2, 4)))
    see.call("linear wrong input", lambda: nn.Linear(3, 2)(t.ones(2, 4)))
    see("legacy reductions", [nn.MSELoss(size_average=a, reduce=b).reduction
                              for a in (None, True, False) for b in (None, True, False)])
    see.call("legacy warns", lambda: nn.L1Loss(size_average=False).reduction)
    see("loss buffers", [n for n, _ in nn.BCEWithLogitsLoss(weight=t.ones(2), pos_weight=t.ones(2)).named_buffers()])
    see("loss state_dict", list(nn.CrossEntropyLoss(weight=t.ones(3)).state_dict().keys()))
    see("softmax implicit dim", t.no_grad()(lambda: nn.Softmax()(t.ones(2, 3)))())


@scenario
def linear_initialisation_shapes_and_extras(t, see):
    nn = t.nn
    m = nn.Linear(5, 3)
    see("shapes", [tuple(p.shape) for p in m.parameters()])
    see("flags", [(p.requires_grad, p.is_leaf, p.dtype) for p in m.parameters()])
    see("no bias", m.__class__(5, 3, bias=False).bias is None)
    see("zero in", [tuple(p.shape) for p in nn.Linear(0, 2).parameters()])
    see("reset_parameters exists", callable(m.reset_parameters))


@scenario
def embedding(t, see):
    nn, F = t.nn, t.nn.functional
    for dtype in (t.float32, t.float64):
        w = t.tensor(np.random.default_rng(0).uniform(-2, 2, (5, 3)), dtype=dtype, requires_grad=True)
        idx = t.tensor([[0, 2, 2], [4, 1, 0]])
        out = F.embedding(idx, w, max_norm=1.0, norm_type=2.0)
        see("max_norm renormalises the rows looked up, in place", (w.detach(), w._version, out))
        out.backward(t.ones(2, 3, 3, dtype=dtype))
        see("max_norm grad", w.grad)
    e = nn.Embedding(5, 2, padding_idx=-2)
    see("padding row zeroed", (e.padding_idx, e.weight[3]))
    see("repr", [repr(nn.Embedding(3, 2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True)), repr(e)])
    pre = nn.Embedding.from_pretrained(t.tensor([[1.0, 2.0], [3.0, 4.0]]), padding_idx=0)
    see("from_pretrained", (pre.weight, pre.weight.requires_grad, repr(pre)))
    see("from_pretrained unfrozen", nn.Embedding.from_pretrained(t.ones(2, 2), freeze=False).weight.requires_grad)
    out = pre(t.tensor([1, 0, 1]))
    see("lookup", out)
    see.call("from_pretrained 1-d", lambda: nn.Embedding.from_pretrained(t.ones(3)))
    see.call("padding out of range", lambda: nn.Embedding(3, 2, padding_idx=3))
    see.call("weight of the wrong shape", lambda: nn.Embedding(3, 2, _weight=t.ones(2, 2)))
    see.call("float indices", lambda: e(t.tensor([0.0])))
    see.call("index out of range", lambda: e(t.tensor([5])))
    see("state_dict", list(e.state_dict().keys()))


# ----- nn.init -----------------------------------------------------------------------------------

@scenario
def init_deterministic_and_errors(t, see):
    init = t.nn.init
    for name in ("linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu", "conv_transpose3d"):
        see(f"gain {name}", init.calculate_gain(name))
    see("gain leaky 0.2", init.calculate_gain("leaky_relu", 0.2))
    see("gain leaky int", init.calculate_gain("leaky_relu", 1))
    see.call("gain leaky bool", lambda: init.calculate_gain("leaky_relu", True))
    see.call("gain unknown", lambda: init.calculate_gain("swish"))
    for shape in ((3, 4), (2, 3, 5), (4, 2, 3, 3), (1, 1)):
        see(f"fans {shape}", init._calculate_fan_in_and_fan_out(t.empty(*shape)))
    see.call("fans 1-d", lambda: init._calculate_fan_in_and_fan_out(t.empty(3)))
    see.call("xavier 1-d", lambda: init.xavier_uniform_(t.empty(3)))
    see.call("kaiming bad mode", lambda: init.kaiming_uniform_(t.empty(2, 2), mode="fan_avg"))
    see.call("kaiming 1-d", lambda: init.kaiming_normal_(t.empty(3)))
    see.call("kaiming zero-element", lambda: init.kaiming_uniform_(t.empty(0, 3)).shape)
    w = t.nn.Parameter(t.empty(3, 4))
    see("constant_", init.constant_(w, 0.5))
    see("ones_", init.ones_(t.empty(2, 2)))
    see("zeros_", init.zeros_(w))
    see("zeros_ keeps the object", init.zeros_(w) is w)
    see("eye_", init.eye_(t.empty(3, 5)))
    see.call("eye_ 3-d", lambda: init.eye_(t.empty(2, 2, 2)))
    see("dirac_", init.dirac_(t.empty(4, 2, 3)))
    see("dirac_ groups", init.dirac_(t.empty(4, 2, 3, 3), groups=2))
    see.call("dirac_ 2-d", lambda: init.dirac_(t.empty(2, 2)))
    see.call("dirac_ groups", lambda: init.dirac_(t.empty(3, 2, 3), groups=2))
    see.call("orthogonal_ 1-d", lambda: init.orthogonal_(t.empty(3)))
    see("init keeps requires_grad and leaf", (w.requires_grad, w.is_leaf, w.grad_fn))
    see.call("trunc_normal_ far mean warns", lambda: init.trunc_normal_(t.empty(2), mean=10.0).shape)
    see.call("sparse_ 3-d", lambda: init.sparse_(t.empty(2, 2, 2), 0.5))
    see.call("deprecated name", lambda: init.constant(t.empty(2), 3.0))
    see("all names", sorted(n for n in init.__all__))


def _values(t):
    return np.asarray(t.detach().numpy(), dtype=np.float64)


@pytest.mark.parametrize("dtype", [mygrad.float32, mygrad.float64])
def test_init_bounds_and_statistics(dtype):
    """Random inits in mygrad: the bounds and moments torch documents, from torch's fan and gain."""
    init = mygrad.nn.init
    mygrad.manual_seed(0)
    w = mygrad.empty(400, 300, dtype=dtype)
    fan_in, fan_out = 300, 400
    bound = math.sqrt(6 / (fan_in + fan_out))
    v = _values(init.xavier_uniform_(w))
    assert w.dtype == dtype and np.abs(v).max() <= bound and abs(v.std() - bound / math.sqrt(3)) < 0.02 * bound
    v = _values(init.xavier_normal_(w, gain=2.0))
    assert abs(v.std() - 2 * math.sqrt(2 / (fan_in + fan_out))) < 0.01 * v.std() * 5
    gain = math.sqrt(2 / (1 + 5))
    bound = gain * math.sqrt(3 / fan_in)
    v = _values(init.kaiming_uniform_(w, a=math.sqrt(5)))
    assert np.abs(v).max() <= bound and v.max() > 0.99 * bound
    v = _values(init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"))
    assert abs(v.std() - math.sqrt(2) / math.sqrt(fan_out)) < 0.02 * v.std()
    v = _values(init.uniform_(w, -0.5, 2.0))
    assert v.min() >= -0.5 and v.max() <= 2.0 and abs(v.mean() - 0.75) < 0.01
    v = _values(init.normal_(w, 3.0, 0.5))
    assert abs(v.mean() - 3.0) < 0.01 and abs(v.std() - 0.5) < 0.01
    for mean, std, a, b in ((0.0, 1.0, -2.0, 2.0), (0.0, 1.0, 1.0, 1.5), (1.0, 0.1, 0.9, 1.3)):
        v = _values(init.trunc_normal_(w, mean, std, a, b))
        assert v.min() >= a and v.max() <= b and v.std() > 0
    v = _values(init.sparse_(mygrad.empty(10, 400, dtype=dtype), 0.25, std=0.5))
    assert ((v == 0).sum(axis=0) >= 3).all() and abs(v[v != 0].std() - 0.5) < 0.03
    q = _values(init.orthogonal_(mygrad.empty(3, 5, dtype=dtype), gain=2.0))
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-5)
    q = _values(init.orthogonal_(mygrad.empty(6, 2, 2, dtype=dtype)).reshape(6, 4))
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)


def test_init_is_reproducible_and_uses_the_generator():
    init = mygrad.nn.init
    mygrad.manual_seed(3)
    a = _values(mygrad.nn.Linear(4, 3).weight)
    mygrad.manual_seed(3)
    b = _values(mygrad.nn.Linear(4, 3).weight)
    assert np.array_equal(a, b) and np.abs(a).max() <= 1 / math.sqrt(4)
    g1, g2 = mygrad.Generator().manual_seed(7), mygrad.Generator().manual_seed(7)
    assert np.array_equal(_values(init.normal_(mygrad.empty(5), generator=g1)),
                          _values(init.normal_(mygrad.empty(5), generator=g2)))


def test_linear_default_initialisation_bounds():
    """torch's Linear and Bilinear: weight and bias in U(-1/sqrt(in), 1/sqrt(in)) (in1 for Bilinear)."""
    mygrad.manual_seed(0)
    m = mygrad.nn.Linear(50, 400)
    bound = 1 / math.sqrt(50)
    w, b = _values(m.weight), _values(m.bias)
    assert np.abs(w).max() <= bound and w.max() > 0.98 * bound and np.abs(b).max() <= bound
    m = mygrad.nn.Bilinear(25, 4, 300)
    bound = 1 / math.sqrt(25)
    w, b = _values(m.weight), _values(m.bias)
    assert w.shape == (300, 25, 4) and np.abs(w).max() <= bound and w.max() > 0.98 * bound
    assert np.abs(b).max() <= bound


def test_init_does_not_record_and_bumps_the_version():
    w = mygrad.nn.Parameter(mygrad.empty(3, 3))
    before = w._version
    mygrad.nn.init.kaiming_uniform_(w)
    assert w.grad_fn is None and w.requires_grad and w._version > before


def test_dropout_module_follows_training_flag():
    mygrad.manual_seed(0)
    d = mygrad.nn.Dropout(0.5)
    x = mygrad.ones(1000)
    out = _values(d(x))
    assert set(np.unique(out)) <= {0.0, 2.0} and 0.4 < (out == 0).mean() < 0.6
    d.eval()
    assert d(x) is x or np.array_equal(_values(d(x)), _values(x))


def test_legacy_loss_arguments_warn():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert mygrad.nn.MSELoss(size_average=False).reduction == "sum"
    assert any("size_average and reduce args will be deprecated" in str(w.message) for w in caught)
