"""Records for the ``torch.*`` aliases of nn.functional ops (mygrad/ops/aten_aliases.py).

Each reuses the nn.functional record's example and calls ``torch.<name>`` with ATen's argument order:
the drawn F-style arguments are bound to the ``nn.functional`` signature (mygrad's, torch's C functions
have none to inspect) and passed on as the
ATen operator takes them (weight first for ``embedding``, every norm argument positional, ``reduction``
as an int, ``train`` for dropout).  Where the signature is nn.functional's, the record calls
``torch.<name>`` directly.
"""
from __future__ import annotations

import dataclasses
import inspect

from ..registry import Record
from . import (
    ctc,
    modules,
    nn,
    nn_activations,
    nn_conv,
    nn_dropout,
    nn_losses,
    nn_more,
    nn_norm,
    nn_pooling,
    nn_resample,
)

_F_RECORDS = {r.label: r for m in (ctc, modules, nn, nn_activations, nn_conv, nn_dropout, nn_losses, nn_more, nn_norm,
                                   nn_pooling, nn_resample) for r in m.RECORDS}
_CODES = {"none": 0, "mean": 1, "sum": 2}


def _same(name: str, label: str | None = None) -> Record:
    """torch.<name> is nn.functional's function: the F record, called at torch.*."""
    source = _F_RECORDS[label or f"F.{name}"]
    return dataclasses.replace(source, namespace="", forms=("function",), call=None,
                               label=f"torch.{(label or name).removeprefix('F.')}")


def _aten(name: str, label: str, adapt, f_name: str | None = None) -> Record:
    """torch.<name> over the F record ``label``'s examples, the F arguments bound to torch's F signature
    (defaults applied) and turned into the ATen call by ``adapt(lib, bound) -> (args, kwargs)``."""
    source = _F_RECORDS[label]
    import mygrad.nn.functional as mygrad_f  # torch's F signature (its C functions have none to inspect)
    signature = inspect.signature(getattr(mygrad_f, f_name or name))

    def call(lib, *args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        a, k = adapt(lib, bound.arguments)
        return getattr(lib, name)(*a, **k)
    call.__name__ = f"torch_{name}"
    return dataclasses.replace(source, namespace="", forms=("call",), call=call,
                               label=label.replace("F.", "torch.", 1))


def _loss(*names: str, keywords: tuple = ()):
    """(F arguments) -> ATen's positional loss call with ``reduction`` as its int code."""
    def adapt(lib, b):
        return [b[n] if n != "reduction" else _CODES[b[n]] for n in names], {k: b[k] for k in keywords}
    return adapt


def _dropout(feature: bool = False):
    def adapt(lib, b):
        return [b["input"], b["p"], b["training"]], {}
    return adapt


def _norm(lib, b):
    return [b["input"], b["weight"], b["bias"], b["running_mean"], b["running_var"], b["training"],
            b["momentum"], b["eps"], False], {}


def _instance(lib, b):
    return [b["input"], b["weight"], b["bias"], b["running_mean"], b["running_var"], b["use_input_stats"],
            b["momentum"], b["eps"], False], {}


def _embedding(lib, b):
    padding = b["padding_idx"]
    if padding is not None and padding < 0:   # F counts from the end; ATen's -1 means none
        padding += b["weight"].shape[0]
    return [b["weight"], b["input"], -1 if padding is None else padding, b["scale_grad_by_freq"]], {}


def _pool(lib, b):
    stride = b["stride"]
    return [b["input"], b["kernel_size"], () if stride is None else stride, b["padding"], b["dilation"],
            b["ceil_mode"]], {}


def _pad(lib, b):
    return [b["input"], list(b["pad"])], ({} if b["value"] is None else {"value": b["value"]})


def _ntuple(v, n: int) -> list:
    return list(v) if isinstance(v, (tuple, list)) else [v] * n


def _convolution(nd: int, transposed: bool):
    def adapt(lib, b):
        if isinstance(b["padding"], str):   # 'same'/'valid' exist only in F.conv*d; drawn rarely
            return [b["input"], b["weight"], b["bias"], _ntuple(b["stride"], nd), b["padding"],
                    _ntuple(b["dilation"], nd), False, [0] * nd, b["groups"]], {}
        return [b["input"], b["weight"], b["bias"], _ntuple(b["stride"], nd), _ntuple(b["padding"], nd),
                _ntuple(b["dilation"], nd), transposed,
                _ntuple(b["output_padding"], nd) if transposed else [0] * nd, b["groups"]], {}
    return adapt


def _positional(*names: str):
    def adapt(lib, b):
        return [b[n] for n in names], {}
    return adapt


def _aten_inplace(name: str, label: str, adapt, f_name: str | None = None) -> Record:
    """torch.<name>_ on a clone of the first argument (a non-leaf, as torch allows), ATen's arguments."""
    record = _aten(name + "_", label, adapt, f_name=f_name or name)
    inner = record.call

    def call(lib, x, *args, **kwargs):
        return inner(lib, x.clone(), *args, **kwargs)
    call.__name__ = f"torch_{name}_"
    return dataclasses.replace(record, call=call, label=record.label.replace(f"torch.{name}", f"torch.{name}_", 1))


def _activation_inplace(name: str, *names: str) -> Record:
    source = _F_RECORDS[f"F.{name}"]

    def call(lib, x, *args, **kwargs):
        return getattr(lib, name + "_")(x.clone(), *args, **kwargs)
    call.__name__ = f"torch_{name}_"
    return dataclasses.replace(source, namespace="", forms=("call",), call=call, label=f"torch.{name}_")


RECORDS = [
    *[_same(n) for n in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                         "cosine_similarity", "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle",
                         "hardshrink", "avg_pool1d", "adaptive_avg_pool1d", "bilinear")],
    _same("prelu"), _same("prelu", "F.prelu (double)"),
    # activations
    _aten("celu", "F.celu", lambda lib, b: ([b["input"], b["alpha"]], {})),
    _aten("selu", "F.selu", _positional("input")),
    _aten("threshold", "F.threshold", _positional("input", "threshold", "value")),
    _aten("rrelu", "F.rrelu", _positional("input", "lower", "upper", "training")),
    _activation_inplace("celu"), _activation_inplace("threshold"),
    _activation_inplace("selu"),
    _aten_inplace("rrelu", "F.rrelu", _positional("input", "lower", "upper", "training")),
    # dropout: ATen's (input, p, train)
    _aten("dropout", "F.dropout (eval)", _dropout()),
    _aten("dropout", "F.dropout (p=0, p=1)", _dropout()),
    _aten("alpha_dropout", "F.alpha_dropout (eval)", _dropout()),
    _aten("alpha_dropout", "F.alpha_dropout (p=0, p=1)", _dropout()),
    _aten("feature_alpha_dropout", "F.feature_alpha_dropout (eval)", _dropout()),
    _aten("feature_alpha_dropout", "F.feature_alpha_dropout (p=0, p=1)", _dropout()),
    dataclasses.replace(_aten("feature_dropout", "F.dropout2d (p=0, p=1)", _dropout(), f_name="dropout2d"),
                        label="torch.feature_dropout (p=0, p=1)"),
    _aten_inplace("dropout", "F.dropout (p=0, p=1)", _dropout()),
    _aten_inplace("alpha_dropout", "F.alpha_dropout (p=0, p=1)", _dropout()),
    _aten_inplace("feature_alpha_dropout", "F.feature_alpha_dropout (p=0, p=1)", _dropout()),
    dataclasses.replace(_aten_inplace("feature_dropout", "F.dropout2d (p=0, p=1)", _dropout(), f_name="dropout2d"),
                        label="torch.feature_dropout_ (p=0, p=1)"),
    # normalization
    _aten("layer_norm", "F.layer_norm", _positional("input", "normalized_shape", "weight", "bias", "eps")),
    _aten("group_norm", "F.group_norm", _positional("input", "num_groups", "weight", "bias", "eps")),
    _aten("rms_norm", "F.rms_norm", _positional("input", "normalized_shape", "weight", "eps")),
    _aten("batch_norm", "F.batch_norm (training)", _norm),
    _aten("batch_norm", "F.batch_norm (eval)", _norm),
    _aten("instance_norm", "F.instance_norm", _instance),
    # losses: reduction as an int
    _aten("binary_cross_entropy_with_logits", "F.binary_cross_entropy_with_logits",
          _loss("input", "target", "weight", "pos_weight", "reduction")),
    _aten("cosine_embedding_loss", "F.cosine_embedding_loss",
          _loss("input1", "input2", "target", "margin", "reduction")),
    _aten("hinge_embedding_loss", "F.hinge_embedding_loss", _loss("input", "target", "margin", "reduction")),
    _aten("kl_div", "F.kl_div", _loss("input", "target", "reduction", keywords=("log_target",))),
    _aten("kl_div", "F.kl_div (log_target)", _loss("input", "target", "reduction", keywords=("log_target",))),
    dataclasses.replace(_aten("kl_div", "F.kl_div", lambda lib, b: ([b["input"], b["target"], b["reduction"]], {})),
                        label="torch.kl_div (reduction as a string: errors)", raises=True),
    _aten("margin_ranking_loss", "F.margin_ranking_loss",
          _loss("input1", "input2", "target", "margin", "reduction")),
    _aten("poisson_nll_loss", "F.poisson_nll_loss",
          _loss("input", "target", "log_input", "full", "eps", "reduction")),
    _aten("triplet_margin_loss", "F.triplet_margin_loss",
          _loss("anchor", "positive", "negative", "margin", "p", "eps", "swap", "reduction")),
    _aten("ctc_loss", "F.ctc_loss",
          _loss("log_probs", "targets", "input_lengths", "target_lengths", "blank", "reduction", "zero_infinity")),
    # embedding, padding, convolution, pooling
    _aten("embedding", "F.embedding", _embedding),
    dataclasses.replace(_aten("constant_pad_nd", "F.pad (constant)", _pad, f_name="pad"),
                        label="torch.constant_pad_nd"),
    *[dataclasses.replace(_aten("convolution", f"F.conv{t}{n}d", _convolution(n, t == "_transpose"),
                                f_name=f"conv{t}{n}d"), label=f"torch.convolution (conv{t}{n}d)")
      for n in (1, 2, 3) for t in ("", "_transpose")],
    _aten("max_pool1d", "F.max_pool1d", _pool),
    _aten("max_pool2d", "F.max_pool2d", _pool),
    _aten("max_pool3d", "F.max_pool3d", _pool),
    dataclasses.replace(_aten("max_pool1d_with_indices", "F.max_pool1d", _pool, f_name="max_pool1d"),
                        label="torch.max_pool1d_with_indices", output="tuple"),
    dataclasses.replace(_aten("adaptive_max_pool1d", "F.adaptive_max_pool1d",
                              _positional("input", "output_size")), output="tuple"),
]
