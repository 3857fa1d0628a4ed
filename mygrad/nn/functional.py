"""``torch.nn.functional``: activations, softmax, linear, dropout and the losses, with torch's
signatures, results, gradients and graphs (composite where torch's are composite)."""
from .._missing import module_getattr as _module_getattr

from ._activations import (celu, celu_, elu, elu_, gelu, glu, gumbel_softmax, hardshrink, hardsigmoid, hardswish,
                           hardtanh, hardtanh_, leaky_relu, leaky_relu_, log_softmax, logsigmoid, mish, prelu, relu,
                           relu6, relu_, rrelu, rrelu_, selu, selu_, sigmoid, silu, softmax, softmin, softplus,
                           softshrink, softsign, tanh, tanhshrink, threshold, threshold_)
from ._dropout import dropout
from ._bilinear import bilinear
from ._embedding import embedding
from ._linear import linear
from ._losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cosine_embedding_loss,
                      cosine_similarity, cross_entropy, gaussian_nll_loss, hinge_embedding_loss, huber_loss, kl_div,
                      l1_loss, margin_ranking_loss, mse_loss, multilabel_soft_margin_loss, nll_loss,
                      pairwise_distance, poisson_nll_loss, smooth_l1_loss, soft_margin_loss, triplet_margin_loss)

__all__ = ["relu", "leaky_relu", "elu", "gelu", "silu", "softplus", "sigmoid", "tanh", "softmax",
           "log_softmax", "relu_", "leaky_relu_", "elu_", "selu", "selu_", "celu", "celu_", "hardtanh", "hardtanh_",
           "relu6", "hardshrink", "softshrink", "threshold", "threshold_", "hardsigmoid", "hardswish", "rrelu",
           "rrelu_", "prelu", "mish", "logsigmoid", "softsign", "tanhshrink", "softmin", "glu", "gumbel_softmax", "linear", "dropout", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy", "huber_loss", "smooth_l1_loss",
           "soft_margin_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "cosine_embedding_loss", "multilabel_soft_margin_loss", "pairwise_distance",
           "triplet_margin_loss", "cosine_similarity", "embedding", "bilinear"]

__getattr__ = _module_getattr(__name__, 'nn.functional')  # a torch name mygrad lacks: an AttributeError that says so
