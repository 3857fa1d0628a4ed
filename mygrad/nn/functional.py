"""``torch.nn.functional``: activations, softmax, linear, dropout and the losses, with torch's
signatures, results, gradients and graphs (composite where torch's are composite)."""
from __future__ import annotations

from ._activations import (elu, gelu, leaky_relu, log_softmax, relu, sigmoid, silu, softmax, softplus,
                           tanh)
from ._conv import (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, fold,
                    unfold)
from ._dropout import dropout
from ._linear import linear
from ._padding import pad
from ._resample import interpolate, one_hot, pixel_shuffle, pixel_unshuffle, upsample
from ._pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool2d, avg_pool1d,
                       avg_pool2d, avg_pool3d, lp_pool1d, lp_pool2d, max_pool1d, max_pool2d, max_pool3d, max_unpool2d)
from ._losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss,
                      mse_loss, nll_loss)

__all__ = ["relu", "leaky_relu", "elu", "gelu", "silu", "softplus", "sigmoid", "tanh", "softmax",
           "log_softmax", "linear", "dropout", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy",
           "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "unfold", "fold",
           "pad", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d", "lp_pool1d",
           "lp_pool2d", "max_unpool2d", "interpolate", "upsample", "pixel_shuffle", "pixel_unshuffle", "one_hot"]
