"""Records for ``torch.nn`` modules: each builds the module in both libraries, gives it the same weights,
runs it, and returns what a user sees.

A module example carries the module's name and constructor arguments (``module``, ``args``,
``options``; tensor-valued options such as a loss's ``weight`` as top-level keyword tensors), the
``train``/eval mode, and its tensors: the inputs first, then the parameters, drawn as
``TensorArg(..., parameter=True)`` leaves.  The call loads the parameters with
``load_state_dict(..., assign=True)`` under torch's key names, so the leaves *are* the module's
parameters and every check applies to them as to inputs: their gradients (grad), the
AccumulateGrad edges below the output (graph), the flags, no_grad and double backward.  The call
returns ``(output, repr(module), the state_dict's keys, *the state_dict's values)``: the repr and the
keys are compared as strings (value), the values as tensors (values, flags, aliasing: torch's
state_dict detaches, sharing memory with the parameters).  Modules whose forward draws random numbers
are recorded where the draw cannot matter (Dropout in eval mode, p=0 and p=1).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import Domain, arrays, grad_flags, real, shapes, unary
from .nn import (
    ALPHAS,
    KINK,
    LINEAR_BLAS,
    LOGITS,
    NAN_GRAD_BY_POSITION,
    PROBABILITY,
    SLOPES,
    binary_targets,
    class_targets,
    pairs,
)
from .nn_activations import RECORDS as _ACTIVATION_RECORDS
from .nn_losses import RECORDS as _LOSS_RECORDS

SIDE = st.integers(1, 4)
TRAIN = st.booleans()
WEIGHTS = real(-1.0, 1.0, special=())


def module_call(lib, *tensors, module: str, args: tuple = (), options: dict | None = None, params: tuple = (),
                inputs: int = 1, train: bool = True, clone: bool = False, **tensor_options):
    """Build ``lib.nn.<module>(*args, **options, **tensor_options)``, assign the parameter leaves through
    ``load_state_dict(strict=True, assign=True)``, set the mode, call it on the inputs (cloned first
    with ``clone``, so an in-place module sees a non-leaf), and return what the checks compare."""
    m = getattr(lib.nn, module)(*args, **(options or {}), **tensor_options)
    if params:
        m.load_state_dict(dict(zip(params, tensors[inputs:])), strict=True, assign=True)
    m.train(train)
    xs = [x.clone() if clone else x for x in tensors[:inputs]]
    out = m(*xs)
    state = m.state_dict()
    return (out, repr(m), " ".join(state), *state.values())


def _record(module: str, example, label: str | None = None, **fields) -> Record:
    return Record(module, example, forms=("call",), namespace="nn", call=module_call, label=label or f"nn.{module}",
                  output="tuple", **fields)


def _module_example(module: str, tensors: tuple, args: tuple = (), options: dict | None = None,
                    params: tuple = (), inputs: int = 1, train: bool = True, clone: bool = False,
                    tensor_options: dict | None = None) -> Example:
    kwargs = {"module": module, "args": args, "options": options or {}, "params": params, "inputs": inputs,
              "train": train, "clone": clone, **(tensor_options or {})}
    return Example(tuple(tensors), kwargs)


# ----- layers with parameters -------------------------------------------------------------------

def linear_module():
    """x (*, in) with 0 to 2 batch dims, weight (out, in) and bias (out,) or none, train or eval."""
    def build(dtype: str):
        def make(sizes):
            batch, n_in, n_out, bias, train, flags, bad = sizes
            parts = [arrays(dtype, (*batch, n_in + bad)).map(lambda a: TensorArg(a, flags[0])),
                     arrays(dtype, (n_out, n_in), WEIGHTS).map(lambda a: TensorArg(a, flags[1], parameter=True))]
            if bias:
                parts.append(arrays(dtype, (n_out,), WEIGHTS).map(lambda a: TensorArg(a, flags[2], parameter=True)))
            return st.tuples(*parts).map(lambda ts: _module_example(
                "Linear", ts, (n_in, n_out), {"bias": bias, "dtype": _Dtype(dtype)},
                ("weight", "bias")[:len(ts) - 1], train=train))
        return st.tuples(st.lists(st.integers(0, 3), max_size=2), SIDE, SIDE, st.booleans(), TRAIN,
                         grad_flags(3), st.sampled_from([0] * 9 + [1])).flatmap(make)
    return build


def hooked_linear_call(lib, x, weight, bias=None, *, hooks: str, train: bool = True):
    """``Linear`` with full backward hooks: a pre-hook halving grad_output and/or a hook doubling grad_input
    (the inputs and output then pass through BackwardHookFunctionBackward nodes)."""
    m = lib.nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None, dtype=weight.dtype)
    m.load_state_dict({"weight": weight, **({"bias": bias} if bias is not None else {})}, assign=True)
    if hooks in ("pre", "both"):
        m.register_full_backward_pre_hook(lambda module, grad_output: tuple(g * 0.5 for g in grad_output))
    if hooks in ("post", "both"):
        m.register_full_backward_hook(
            lambda module, grad_input, grad_output: tuple(None if g is None else g * 2 for g in grad_input))
    m.train(train)
    out = m(x)
    state = m.state_dict()
    return (out, repr(m), " ".join(state), *state.values())


def hooked_linear():
    def build(dtype: str):
        return st.tuples(linear_module()(dtype), st.sampled_from(["pre", "post", "both"])).map(
            lambda eh: Example(eh[0].args, {"hooks": eh[1], "train": eh[0].kwargs["train"]}))
    return build


ACTIVATIONS = ("ReLU", "Tanh", "GELU", "SiLU", "Sigmoid")


def mlp_call(lib, x, w0, b0, w1, b1, *, activation: str, p: float, train: bool):
    """A two-layer network as people write it: Sequential(Linear, activation, Dropout, Linear), its
    parameters loaded under the keys ``0.weight`` ... ``3.bias``; returns what ``module_call`` returns."""
    nn = lib.nn
    model = nn.Sequential(nn.Linear(w0.shape[1], w0.shape[0]), getattr(nn, activation)(), nn.Dropout(p),
                          nn.Linear(w1.shape[1], w1.shape[0]))
    model.load_state_dict({"0.weight": w0, "0.bias": b0, "3.weight": w1, "3.bias": b1}, assign=True)
    model.train(train)
    out = model(x)
    state = model.state_dict()
    return (out, repr(model), " ".join(state), *state.values())


def mlp():
    """x (batch, in) with batch 0 to 4; hidden and output sizes 1 to 4; dropout p=0 when training
    (a random mask cannot match torch's), any p in eval mode."""
    def build(dtype: str):
        def make(sizes):
            n, n_in, hidden, n_out, activation, train, p = sizes
            param = lambda shape: arrays(dtype, shape, WEIGHTS).map(lambda a: TensorArg(a, True, parameter=True))
            return st.tuples(arrays(dtype, (n, n_in)).map(TensorArg), param((hidden, n_in)), param((hidden,)),
                             param((n_out, hidden)), param((n_out,))).map(
                lambda ts: Example(ts, {"activation": activation, "p": p if not train else 0.0, "train": train}))
        return st.tuples(st.integers(0, 4), SIDE, SIDE, SIDE, st.sampled_from(ACTIVATIONS), TRAIN,
                         st.sampled_from([0.0, 0.5])).flatmap(make)
    return build


def _bilinear_parts(dtype: str):
    """x1 (*, in1) and x2 (*, in2) of one batch shape (0 to 2 dims; now and then mismatched, or with
    a wrong feature size, so torch's errors are checked), weight (out, in1, in2), bias (out,) or none."""
    def make(sizes):
        batch, n1, n2, n_out, bias, bad, flags = sizes
        shape1, shape2 = (*batch, n1), (*batch, n2)
        if bad == 1:
            shape2 = (*batch, n2 + 1)
        elif bad == 2 and batch:
            shape2 = (batch[0] + 1, *batch[1:], n2)
        parts = [arrays(dtype, shape1).map(lambda a: TensorArg(a, flags[0])),
                 arrays(dtype, shape2).map(lambda a: TensorArg(a, flags[1])),
                 arrays(dtype, (n_out, n1, n2), WEIGHTS).map(lambda a: TensorArg(a, flags[2], parameter=True))]
        if bias:
            parts.append(arrays(dtype, (n_out,), WEIGHTS).map(lambda a: TensorArg(a, flags[3], parameter=True)))
        return st.tuples(*parts)
    return st.tuples(st.lists(st.integers(0, 3), max_size=2), SIDE, SIDE, SIDE, st.booleans(),
                     st.sampled_from([0] * 8 + [1, 2]), grad_flags(4)).flatmap(make)


def bilinear_function():
    def build(dtype: str):
        return _bilinear_parts(dtype).map(lambda ts: Example(tuple(
            TensorArg(t.array, t.requires_grad) for t in ts)))
    return build


def bilinear_module():
    def build(dtype: str):
        return st.tuples(_bilinear_parts(dtype), TRAIN).map(lambda pt: _module_example(
            "Bilinear", pt[0], tuple(pt[0][2].array.shape[1:]) + (pt[0][2].array.shape[0],),
            {"bias": len(pt[0]) == 4, "dtype": _Dtype(dtype)}, ("weight", "bias")[:len(pt[0]) - 2], inputs=2,
            train=pt[1]))
    return build


class _Dtype:
    """A dtype option resolved per library when the module is built (``dtype=torch.float64``)."""
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


def _resolve_options(lib, options: dict) -> dict:
    return {k: getattr(lib, v.name) if isinstance(v, _Dtype) else v for k, v in options.items()}


_plain_call = module_call


def module_call_resolved(lib, *tensors, options: dict | None = None, **kwargs):
    """``module_call`` with dtype options resolved to the library's dtype objects."""
    return _plain_call(lib, *tensors, options=_resolve_options(lib, options or {}), **kwargs)


# ----- parameter-free modules --------------------------------------------------------------------

def activation_module(module: str, domain: Domain, clone: bool = False, **option_strategies):
    """One input of any shape; constructor options drawn from ``option_strategies``."""
    def build(dtype: str):
        return st.tuples(unary(domain)(dtype), st.fixed_dictionaries(option_strategies), TRAIN).map(
            lambda e: _module_example(module, e[0].args, options=e[1], train=e[2], clone=clone))
    return build


def softmax_module(module: str):
    """An input with at least one dim and a ``dim`` within range (now and then None: torch's implicit dim)."""
    def build(dtype: str):
        def make(shape):
            dims = st.one_of(st.integers(-len(shape), len(shape) - 1), st.none())
            return st.tuples(arrays(dtype, shape, LOGITS), dims).map(
                lambda xd: _module_example(module, (TensorArg(xd[0]),), options={"dim": xd[1]}))
        return shapes(min_dims=1).flatmap(make)
    return build


def softmax2d_module():
    """Inputs of 2 to 4 dims (2-d ones are refused, so torch's ValueError is checked)."""
    def build(dtype: str):
        return st.sampled_from([2, 3, 3, 4, 4]).flatmap(lambda d: shapes(min_dims=d, max_dims=d)).flatmap(
            lambda shape: arrays(dtype, shape, LOGITS)).map(
            lambda x: _module_example("Softmax2d", (TensorArg(x),)))
    return build


def flatten_module():
    def build(dtype: str):
        def make(shape):
            n = max(len(shape), 1)
            ends = st.tuples(st.integers(-n, n - 1), st.integers(-n, n - 1))
            return st.tuples(arrays(dtype, shape), ends).map(lambda xe: _module_example(
                "Flatten", (TensorArg(xe[0]),), options={"start_dim": xe[1][0], "end_dim": xe[1][1]}))
        return shapes(min_dims=0).flatmap(make)
    return build


def unflatten_module():
    """A dim split into two factors of its size (one of them sometimes given as -1)."""
    def build(dtype: str):
        def make(shape_dim):
            shape, dim = shape_dim
            size = shape[dim]
            factors = [(a, size // a) for a in range(1, size + 1) if size % a == 0] or [(1, 0)]
            return st.tuples(arrays(dtype, shape), st.sampled_from(factors), st.integers(0, 2)).map(
                lambda xfi: _module_example("Unflatten", (TensorArg(xfi[0]),),
                                            (dim - len(shape) if xfi[2] == 1 else dim,
                                             (-1, xfi[1][1]) if xfi[2] == 2 and xfi[1][1] else xfi[1])))
        return shapes(min_dims=1, min_side=1).flatmap(
            lambda s: st.tuples(st.just(s), st.integers(0, len(s) - 1))).flatmap(make)
    return build


def dropout_module(train: bool, ps: list):
    def build(dtype: str):
        return st.tuples(unary()(dtype), st.sampled_from(ps), st.booleans()).map(
            lambda e: _module_example("Dropout", e[0].args, options={"p": e[1], "inplace": e[2]}, train=train,
                                      clone=True))
    return build


# ----- embedding ---------------------------------------------------------------------------------

def _embedding_parts(dtype: str):
    """(indices, weight, options): int64 (now and then int32) indices of 0 to 2 dims within range (now and
    then one out of range, so torch's IndexError is checked), a (num, dim) weight, ``padding_idx`` (negative
    too), ``scale_grad_by_freq``.  ``max_norm`` is tests/test_nn_modules.py's: its in-place renormalisation
    can differ from torch's by one ulp (torch's norm kernel rounds differently), which the exact mutation
    check would report."""
    def make(sizes):
        num, dim, shape, int32, bad = sizes
        high = num + 1 if bad else num
        indices = st.lists(st.integers(0, high - 1), min_size=int(np.prod(shape)),
                           max_size=int(np.prod(shape))).map(
            lambda v: np.array(v, dtype=np.int32 if int32 else np.int64).reshape(shape))
        options = st.fixed_dictionaries({
            "padding_idx": st.one_of(st.none(), st.integers(-num, num - 1)),
            "scale_grad_by_freq": st.booleans()})
        return st.tuples(indices, arrays(dtype, (num, dim), real(-2.0, 2.0, special=())), options, st.booleans())
    return st.tuples(st.integers(1, 5), st.integers(1, 4), st.lists(st.integers(0, 3), max_size=2).map(tuple),
                     st.sampled_from([False, False, False, True]),
                     st.sampled_from([False] * 9 + [True])).flatmap(make)


def embedding_function():
    def build(dtype: str):
        return _embedding_parts(dtype).map(lambda p: Example(
            (TensorArg(p[0], False), TensorArg(p[1], p[3] or True)), p[2]))
    return build


def embedding_module():
    def build(dtype: str):
        return st.tuples(_embedding_parts(dtype), TRAIN).map(lambda pt: _module_example(
            "Embedding", (TensorArg(pt[0][0], False), TensorArg(pt[0][1], True, parameter=True)),
            tuple(pt[0][1].shape), pt[0][2], ("weight",), train=pt[1]))
    return build


# ----- losses ------------------------------------------------------------------------------------

_TENSOR_OPTIONS = ("weight", "pos_weight")
LEGACY = st.one_of(st.none(), st.tuples(st.sampled_from([None, True, False]), st.sampled_from([None, True, False])))


def loss_module(module: str, builder):
    """A functional loss example turned into the module's: ``reduction`` (or, now and then, the legacy
    ``size_average``/``reduce`` pair), ``ignore_index``/``label_smoothing`` as options, ``weight`` and
    ``pos_weight`` as constructor tensors (buffers)."""
    def build(dtype: str):
        def make(e_legacy):
            e, legacy = e_legacy
            options = {k: v for k, v in e.kwargs.items() if k not in _TENSOR_OPTIONS}
            if legacy is not None:
                options.pop("reduction", None)
                options["size_average"], options["reduce"] = legacy
            tensors = {k: v for k, v in e.kwargs.items() if k in _TENSOR_OPTIONS and v is not None}
            return _module_example(module, e.args, options=options, inputs=2, tensor_options=tensors)
        return st.tuples(builder(dtype), LEGACY).map(make)
    return build


# ----- modules over the functionals of nn_activations.py / nn_losses.py ---------------------------

_FUNCTIONAL = {r.row: r for r in _ACTIVATION_RECORDS + _LOSS_RECORDS}


def _constructor_options(module: str) -> set:
    """The keyword arguments torch's constructor of ``module`` takes (an example's other keywords are
    arguments of the functional only, such as softmin's ``dtype``)."""
    import inspect

    import torch
    return set(inspect.signature(getattr(torch.nn, module).__init__).parameters) - {"self"}


def from_functional(module: str, label: str, clone: bool = False):
    """The functional record ``label``'s examples as ``module``'s: its tensor arguments become the forward's
    inputs, its other positional arguments the constructor's, keywords the constructor's options (tensor
    ones, such as a loss's ``weight``, constructor tensors; ``training`` the module's mode).  With ``clone``
    the module may work in place (``inplace`` drawn), on a clone of the input."""
    example = _FUNCTIONAL[label].example
    accepted = _constructor_options(module)

    def build(dtype: str):
        def make(e_inplace) -> Example:
            e, inplace = e_inplace
            inputs = tuple(a for a in e.args if isinstance(a, TensorArg))
            args = tuple(a for a in e.args if not isinstance(a, TensorArg))
            options = {k: v for k, v in e.kwargs.items() if not isinstance(v, TensorArg) and k in accepted}
            tensors = {k: v for k, v in e.kwargs.items() if isinstance(v, TensorArg) and k in accepted}
            if clone:
                options["inplace"] = inplace
            return _module_example(module, inputs, args, options, inputs=len(inputs),
                                   train=bool(e.kwargs.get("training", True)), clone=clone, tensor_options=tensors)
        return st.tuples(example(dtype), st.booleans()).map(make)
    return build


def _settings(label: str) -> dict:
    """What the functional's record says about checking it (no second order where torch has none, its
    tolerances and dtypes, no hostile values where torch's own results at them are not reproducible): the
    module computes the same thing."""
    r = _FUNCTIONAL[label]
    return {"second_order": r.second_order, "tolerance": r.tolerance, "dtypes": r.dtypes, "grad": r.grad,
            "unchecked": tuple(u for u in r.unchecked if u[0].split(":")[0] == "hostile")}


def prelu_module():
    """PReLU(num_parameters) on an input (N, C, ...) or (C,), its weight a parameter of 1 or C elements."""
    example = _FUNCTIONAL["F.prelu"].example

    def build(dtype: str):
        def make(e: Example) -> Example:
            x, w = e.args
            weight = TensorArg(np.reshape(w.array, (-1,)), w.requires_grad, parameter=True)
            return _module_example("PReLU", (x, weight), (weight.array.size,), params=("weight",))
        return example(dtype).map(make)
    return build


_MODULES_OF_FUNCTIONALS = [
    ("Hardtanh", "F.hardtanh", True), ("ReLU6", "F.relu6", True), ("SELU", "F.selu", True),
    ("CELU", "F.celu", True), ("Hardsigmoid", "F.hardsigmoid", True), ("Hardswish", "F.hardswish", True),
    ("Threshold", "F.threshold", True), ("RReLU", "F.rrelu", True), ("Mish", "F.mish", True),
    ("Hardshrink", "F.hardshrink", False), ("Softshrink", "F.softshrink", False),
    ("LogSigmoid", "F.logsigmoid", False), ("Softsign", "F.softsign", False), ("Tanhshrink", "F.tanhshrink", False),
    ("Softmin", "F.softmin", False), ("GLU", "F.glu", False),
    ("HuberLoss", "F.huber_loss", False), ("SmoothL1Loss", "F.smooth_l1_loss", False),
    ("SoftMarginLoss", "F.soft_margin_loss", False), ("KLDivLoss", "F.kl_div", False),
    ("PoissonNLLLoss", "F.poisson_nll_loss", False), ("GaussianNLLLoss", "F.gaussian_nll_loss", False),
    ("MarginRankingLoss", "F.margin_ranking_loss", False), ("HingeEmbeddingLoss", "F.hinge_embedding_loss", False),
    ("CosineEmbeddingLoss", "F.cosine_embedding_loss", False),
    ("MultiLabelSoftMarginLoss", "F.multilabel_soft_margin_loss", False),
    ("TripletMarginLoss", "F.triplet_margin_loss", False), ("PairwiseDistance", "F.pairwise_distance", False),
    ("CosineSimilarity", "F.cosine_similarity", False),
]


RECORDS = [
    Record("Linear", linear_module(), forms=("call",), namespace="nn", call=module_call_resolved,
           label="nn.Linear", output="tuple"),
    Record("Bilinear", bilinear_module(), forms=("call",), namespace="nn", call=module_call_resolved,
           label="nn.Bilinear", output="tuple"),
    Record("bilinear", bilinear_function(), namespace="nn.functional", forms=("function",), label="F.bilinear"),
    Record("Linear", hooked_linear(), forms=("call",), namespace="nn", call=hooked_linear_call,
           label="nn.Linear (full backward hooks)", output="tuple"),
    Record("Sequential", mlp(), forms=("call",), namespace="nn", call=mlp_call, label="nn.Sequential (MLP)",
           output="tuple", unchecked=LINEAR_BLAS),
    _record("Identity", activation_module("Identity", real())),
    Record("embedding", embedding_function(), namespace="nn.functional", forms=("function",), label="F.embedding"),
    _record("Embedding", embedding_module()),
    _record("Flatten", flatten_module()),
    _record("Unflatten", unflatten_module()),
    _record("Dropout", dropout_module(False, [0.0, 0.3, 1.0]), label="nn.Dropout (eval)"),
    _record("Dropout", dropout_module(True, [0.0, 1.0]), label="nn.Dropout (p=0, p=1)"),
    # activations
    _record("ReLU", activation_module("ReLU", KINK, clone=True, inplace=st.booleans())),
    _record("LeakyReLU", activation_module("LeakyReLU", KINK, clone=True, negative_slope=SLOPES,
                                           inplace=st.booleans())),
    _record("ELU", activation_module("ELU", KINK, clone=True, alpha=ALPHAS, inplace=st.booleans()),
            unchecked=NAN_GRAD_BY_POSITION),
    _record("GELU", activation_module("GELU", real(), approximate=st.sampled_from(["none", "tanh"]))),
    _record("SiLU", activation_module("SiLU", real(-8.0, 8.0), clone=True, inplace=st.booleans())),
    _record("Softplus", activation_module("Softplus", real(-8.0, 8.0), beta=st.sampled_from([1.0, 2, 0.5]),
                                          threshold=st.sampled_from([20.0, 1, 3.0]))),
    _record("Sigmoid", activation_module("Sigmoid", real(-8.0, 8.0))),
    _record("Tanh", activation_module("Tanh", real())),
    _record("Softmax", softmax_module("Softmax")),
    _record("LogSoftmax", softmax_module("LogSoftmax")),
    _record("Softmax2d", softmax2d_module()),
    # losses
    _record("MSELoss", loss_module("MSELoss", pairs())),
    _record("L1Loss", loss_module("L1Loss", pairs())),
    _record("BCELoss", loss_module("BCELoss", binary_targets(PROBABILITY))),
    _record("BCEWithLogitsLoss", loss_module("BCEWithLogitsLoss", binary_targets(LOGITS, pos_weight=True))),
    _record("NLLLoss", loss_module("NLLLoss", class_targets())),
    _record("NLLLoss2d", loss_module("NLLLoss2d", class_targets())),
    _record("CrossEntropyLoss", loss_module("CrossEntropyLoss", class_targets(smoothing=True))),
    _record("PReLU", prelu_module(), **_settings("F.prelu")),
] + [_record(module, from_functional(module, label, clone), **_settings(label))
       for module, label, clone in _MODULES_OF_FUNCTIONALS]
