"""``torch.special``: the special functions under torch's names (the same ops as their torch.* spellings,
so the same nodes: ``special.expit`` is sigmoid, ``special.gammaln`` lgamma, ``special.psi`` digamma)."""
from __future__ import annotations

from .nn._activations import log_softmax, softmax
from .ops.elementwise import xlogy
from .ops.reductions import logsumexp
from .ops.unary import (digamma, erf, erfc, erfinv, exp2, expm1, lgamma, log1p, polygamma, round, sigmoid,
                        sinc)

expit, gammaln, psi = sigmoid, lgamma, digamma

__all__ = ["digamma", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "log1p", "log_softmax",
           "logsumexp", "polygamma", "psi", "round", "sinc", "softmax", "xlogy"]
