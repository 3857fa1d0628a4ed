"""Tensor printing, character for character as torch prints.

Programs compare printed output with torch's, so this follows the algorithm of
torch/_tensor_str.py: one format for the whole tensor, chosen from the values that
will be shown (integers-as-floats print as ``1.``, a wide range switches to
scientific notation), rows wrapped at the line width, big tensors summarised with
``...``, then the ``dtype=`` / ``grad_fn=`` / ``requires_grad=`` suffixes.  Float
values are formatted as Python floats (doubles), as torch does via ``.item()``.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np

from . import _dtype


class _PrintOptions:
    """torch's PRINT_OPTS: module-level state that set_printoptions edits."""

    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self):
        self.precision, self.threshold, self.edgeitems, self.linewidth = 4, 1000, 3, 80
        self.sci_mode = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {  # precision, threshold, edgeitems, linewidth
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """torch.set_printoptions: a profile first, then explicit options; sci_mode is always reset."""
    if profile in _PROFILES:  # torch ignores an unknown profile name
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = _PROFILES[profile]
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current options, as keyword arguments for set_printoptions."""
    return {name: getattr(PRINT_OPTS, name) for name in _PrintOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ----- element format -------------------------------------------------------------------------
class _Formatter:
    """One format and width for every element, decided from the values that will be shown."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        if not self.floating:
            self.width = max([1] + [len(str(v)) for v in set(values.tolist())])
            return
        finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if finite.size == 0:  # only zeros, nan and inf: torch keeps int mode, width 1
            return
        magnitudes = np.abs(finite)
        lo, hi = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        # int mode appends "." to every finite value, hence the extra column.
        spec, extra = ((f".{PRINT_OPTS.precision}e", 0) if self.sci_mode else
                       (".0f", 1) if self.int_mode else (f".{PRINT_OPTS.precision}f", 0))
        self.width = max(1, max(len(format(v, spec)) for v in set(finite.tolist())) + extra)

    def format(self, value) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = format(value, f"{self.width}.{PRINT_OPTS.precision}e")
        elif self.int_mode:
            text = format(value, ".0f") + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = format(value, f".{PRINT_OPTS.precision}f")
        return text.rjust(self.width)


def _shown_values(a: np.ndarray) -> np.ndarray:
    """The elements a summary shows, flattened: torch sizes the format from these alone."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a.reshape(1)
    if a.ndim == 1:
        # With edgeitems=0, a[-0:] is the whole vector, as in torch.
        return np.concatenate((a[:e], a[-e:])) if a.shape[0] > 2 * e else a
    if not e:
        return a[:0].reshape(-1)
    rows = [a[i] for i in range(e)] + [a[i] for i in range(len(a) - e, len(a))] if len(a) > 2 * e else a
    return np.concatenate([_shown_values(r) for r in rows])


# ----- layout ---------------------------------------------------------------------------------
def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    e = PRINT_OPTS.edgeitems
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.width + 2)))
    if summarize and not e:
        items = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        items = ([fmt.format(v) for v in a[:e].tolist()] + [" ..."]
                 + [fmt.format(v) for v in a[-e:].tolist()])
    else:
        items = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    """Rows of an n-d tensor are separated by n-1 newlines, each nested one column deeper."""
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    e, n = PRINT_OPTS.edgeitems, len(a)
    if summarize and n > 2 * e:
        rows = ([_nested_str(a[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                + [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(n - e, n)])
    else:
        rows = [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _tensor_str(a: np.ndarray, indent: int) -> str:
    summarize = a.size > PRINT_OPTS.threshold
    fmt = _Formatter(_shown_values(a) if summarize else a.reshape(-1))
    return _nested_str(a, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    """Append ``, suffix`` items, moving one to its own line when it would pass the line width."""
    parts = [text]
    # torch's count: one more than the last line's length (and +2 when there is no newline).
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"


def tensor_repr(t) -> str:
    """repr(t) as torch prints the same tensor."""
    a = t._data
    prefix = "tensor("
    indent = len(prefix)
    dtype, default = t.dtype, _dtype.get_default_dtype()
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:  # the shape of an empty tensor is only implied by "[]" when it is (0,)
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype.name != default.name:  # no elements to tell an int tensor apart
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype.name not in (default.name, "int64", "bool"):
            suffixes.append(f"dtype={dtype!r}")
        body = _tensor_str(a, indent)
    try:
        grad_fn = getattr(t, "grad_fn", None)
        name = None if grad_fn is None else grad_fn.name()
    except RuntimeError:  # a view whose history cannot be re-derived (torch prints it so too)
        grad_fn, name = True, "Invalid"
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{name}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    from .autograd import forward_ad
    tangent = forward_ad.tangent_of(t) if forward_ad.levels else None
    if tangent is not None:  # a dual tensor (forward-mode AD) shows its tangent, as torch's does
        suffixes.append(f"tangent={tensor_repr(tangent)}")
    return _add_suffixes(prefix + body, suffixes, indent)


# ----- type names used in error messages ------------------------------------------------------
_LEGACY = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
           "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def type_name(np_dtype) -> str:
    """torch's legacy tensor type string, e.g. float32 -> 'torch.FloatTensor'."""
    return f"torch.{_LEGACY[np.dtype(np_dtype).name]}Tensor"


def scalar_type_name(dtype) -> str:
    """torch's ScalarType name for a mygrad dtype, e.g. float32 -> 'Float'."""
    return _LEGACY[dtype.name]
