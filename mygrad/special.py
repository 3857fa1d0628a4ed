"""``torch.special``: the special functions under torch's names (the same ops as their torch.* spellings,
so the same nodes: ``special.expit`` is sigmoid, ``special.gammaln`` lgamma, ``special.psi`` digamma)."""
from ._missing import module_getattr as _module_getattr
from .nn._activations import log_softmax, softmax
from .ops._errors import check_tensor_inputs as _check_tensor_inputs
from .ops.elementwise import xlogy
from .ops.reductions import logsumexp
from .ops.special_math import entr, erfcx, i0, i0e, i1, i1e, log_ndtr, mvlgamma as multigammaln, ndtr, ndtri, xlog1py
from .ops.unary import (
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

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammaln", "i0", "i0e", "i1",
           "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri",
           "polygamma",
           "psi", "round", "sinc", "softmax", "xlog1py", "xlogy"]

_check_tensor_inputs(globals(), __all__, "special_", ("input",))  # torch's argument check of the input
__getattr__ = _module_getattr(__name__, 'special')  # a torch name mygrad lacks: an AttributeError that says so
