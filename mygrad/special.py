"""``torch.special``: the special functions under torch's names (the same ops as their torch.* spellings,
so the same nodes: ``special.expit`` is sigmoid, ``special.gammaln`` lgamma, ``special.psi`` digamma)."""
from ._missing import module_getattr as _module_getattr
from .nn._activations import log_softmax, softmax
from .ops.elementwise import xlogy
from .ops.reductions import logsumexp
from .ops.unary import (  # type: ignore[attr-defined]  # (unary makes its ops from a table)
           digamma,
           digamma as psi,
           erf,
           erfc,
           erfinv,
           exp2,
           expm1,
           lgamma as gammaln,
           log1p,
           logit,
           polygamma,
           round,
           sigmoid as expit,
           sinc,
)

__all__ = ["digamma", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "log1p", "log_softmax", "logit",
           "logsumexp", "polygamma", "psi", "round", "sinc", "softmax", "xlogy"]

__getattr__ = _module_getattr(__name__, 'special')  # a torch name mygrad lacks: an AttributeError that says so
