"""Forward kernels that stay silent on floating-point events, as torch's do.

NumPy warns on ``log(0)``, ``0/0``, ``sqrt(-1)`` or an overflowing ``exp``; torch returns the
inf/nan without a word.  ``np.errstate`` costs about a microsecond per use, more than the
kernels themselves on small tensors, so the wrapper sets NumPy's error-state context variable
directly where this NumPy has it (2.x), and falls back to ``np.errstate`` elsewhere.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

import numpy as np

try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
except ImportError:  # NumPy 1.x: no context variable to set
    _extobj_contextvar = None


def quiet(kernel: Callable) -> Callable:
    """``kernel`` run with every floating-point warning turned off."""
    if _extobj_contextvar is None:
        return np.errstate(all="ignore")(kernel)
    ignore = _make_extobj(all="ignore")
    enter, leave = _extobj_contextvar.set, _extobj_contextvar.reset

    @wraps(kernel)
    def run(*args, **kwargs):
        token = enter(ignore)
        try:
            return kernel(*args, **kwargs)
        finally:
            leave(token)
    return run
