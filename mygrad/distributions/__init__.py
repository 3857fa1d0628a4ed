"""torch.distributions: Normal, Bernoulli, Categorical, Uniform, Independent and kl_divergence, with
torch's parameters, shapes, validation errors and reparameterised gradients (samples come from NumPy's
generator, so their values differ from torch's; everything computed from given values matches)."""
from .._missing import module_getattr as _module_getattr
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "ExponentialFamily", "Independent", "MultivariateNormal",
           "Normal", "Uniform", "constraints", "kl_divergence", "register_kl"]

# a torch name mygrad lacks (Beta, Gamma, ...): an AttributeError that says so
__getattr__ = _module_getattr(__name__, "distributions")
