"""``torch.nn.functional``: activations, softmax, linear, dropout and the losses, with torch's
signatures, results, gradients and graphs (composite where torch's are composite)."""
from __future__ import annotations

from ._activations import (elu, gelu, leaky_relu, log_softmax, relu, sigmoid, silu, softmax, softplus,
                           tanh)
from ._dropout import dropout
from ._bilinear import bilinear
from ._embedding import embedding
from ._linear import linear
from ._losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss,
                      mse_loss, nll_loss)

__all__ = ["relu", "leaky_relu", "elu", "gelu", "silu", "softplus", "sigmoid", "tanh", "softmax",
           "log_softmax", "linear", "dropout", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy", "embedding", "bilinear"]
