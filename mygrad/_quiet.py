"""Forward kernels that stay silent on floating-point events, as torch's do.

NumPy warns on ``log(0)``, ``0/0``, ``sqrt(-1)`` or an overflowing ``exp``; torch returns the
inf/nan without a word.  ``np.errstate`` costs about a microsecond per use, more than the
kernels themselves on small tensors, so ``enter``/``leave`` set NumPy's error-state context
variable directly where this NumPy has it (2.x), and fall back to ``np.seterr`` elsewhere.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import numpy as np

try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj  # type: ignore[attr-defined]
except ImportError:  # NumPy 1.x: no context variable to set
    _extobj_contextvar = None

if _extobj_contextvar is not None:
    IGNORE = _make_extobj(all="ignore")
    enter, leave = _extobj_contextvar.set, _extobj_contextvar.reset  # enter(IGNORE) -> token; leave(token)
    current = _extobj_contextvar.get  # the state in force, to enter again later (engine.as_user)
else:
    IGNORE = {"all": "ignore"}

    def enter(state):
        return np.seterr(**state)

    def leave(previous) -> None:
        np.seterr(**previous)

    current = np.geterr


def quiet(kernel: Callable) -> Callable:
    """``kernel`` run with every floating-point warning turned off."""
    @wraps(kernel)
    def run(*args, **kwargs):
        token = enter(IGNORE)
        try:
            return kernel(*args, **kwargs)
        finally:
            leave(token)
    return run
