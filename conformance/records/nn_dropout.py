"""Records for the channel-wise and alpha dropouts (``F.dropout1d/2d/3d``, ``F.alpha_dropout``,
``F.feature_alpha_dropout``) and their modules.

A random mask cannot match torch's generator, so the records are the deterministic forms: eval mode
(any p; the input itself), p=0 (the input itself) and p=1 (times a zero scalar, MulBackward0), also
in place on a clone.  Inputs of every rank are drawn, so the rank errors (dropout1d) are compared, and
ranks the 2d/3d forms only warn about.  ``tests/test_nn_dropout_family.py`` checks the masks'
statistics in training mode against torch's and that the gradient is the mask's scaling.
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, real
from .modules import _module_example, module_call
from .nn import _call

F = "nn.functional"
_RANKS = {"dropout1d": (1, 4), "dropout2d": (2, 5), "dropout3d": (3, 5), "alpha_dropout": (0, 3),
          "feature_alpha_dropout": (1, 4)}
_MODULES = {"Dropout1d": "dropout1d", "Dropout2d": "dropout2d", "Dropout3d": "dropout3d",
            "AlphaDropout": "alpha_dropout", "FeatureAlphaDropout": "feature_alpha_dropout"}


def _input(dtype: str, name: str):
    """Mostly the ranks the function takes; now and then one rank below or above (errors, warnings)."""
    lo, hi = _RANKS[name]
    ranks = st.one_of(st.integers(lo + 1, hi - 1), st.integers(lo, hi)) if hi - lo > 1 else st.integers(lo, hi)
    return ranks.flatmap(lambda r: st.lists(st.integers(1, 3), min_size=r, max_size=r)).flatmap(
        lambda shape: arrays(dtype, tuple(shape), real()))


def dropout_example(name: str, training: bool):
    """eval mode with any p, or training with p in {0, 1}."""
    ps = [0.0, 0.3, 1.0] if not training else [0.0, 1.0]

    def build(dtype: str):
        return st.tuples(_input(dtype, name), st.sampled_from(ps)).map(
            lambda xp: Example((TensorArg(xp[0]),), {"p": xp[1], "training": training}))
    return build


def dropout_module(module: str, training: bool):
    name = _MODULES[module]
    ps = [0.0, 0.3, 1.0] if not training else [0.0, 1.0]

    def build(dtype: str):
        return st.tuples(_input(dtype, name), st.sampled_from(ps), st.booleans()).map(
            lambda xpi: _module_example(module, (TensorArg(xpi[0]),), options={"p": xpi[1], "inplace": xpi[2]},
                                        train=training, clone=True))
    return build


RECORDS = []
for _name in _RANKS:
    RECORDS += [
        Record(_name, dropout_example(_name, False), namespace=F, forms=("function",), label=f"F.{_name} (eval)"),
        Record(_name, dropout_example(_name, True), namespace=F, forms=("function", "call"),
               call=_call(_name, inplace=True), label=f"F.{_name} (p=0, p=1)"),
    ]
for _module in _MODULES:
    RECORDS += [
        Record(_module, dropout_module(_module, False), forms=("call",), namespace="nn", call=module_call,
               label=f"nn.{_module} (eval)", output="tuple"),
        Record(_module, dropout_module(_module, True), forms=("call",), namespace="nn", call=module_call,
               label=f"nn.{_module} (p=0, p=1)", output="tuple"),
    ]
