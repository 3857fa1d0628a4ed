"""torch.distributions.ExponentialFamily: distributions given by natural parameters and a log normalizer
(Normal, Bernoulli), whose KL divergence and entropy follow from the Bregman divergence of the normalizer."""
from __future__ import annotations

from .. import autograd
from .._tensor import Tensor
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    @property
    def _natural_params(self) -> tuple:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError

    def entropy(self):
        """The Bregman divergence of the log normalizer, differentiated by autograd.grad as torch's."""
        result = -self._mean_carrier_measure
        params = [p.detach().requires_grad_() for p in self._natural_params]
        normalizer = self._log_normalizer(*params)
        gradients = autograd.grad(normalizer.sum(), params, create_graph=True)
        result += normalizer
        for p, g in zip(params, gradients, strict=True):
            result -= (p * g).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
