"""``torch.nn.functional``: activations, softmax, linear, dropout and the losses, with torch's
signatures, results, gradients and graphs (composite where torch's are composite)."""
from .._missing import module_getattr as _module_getattr
from ..ops._errors import check_tensor_inputs as _check_tensor_inputs

from ._activations import (celu, celu_, elu, elu_, gelu, glu, gumbel_softmax, hardshrink, hardsigmoid, hardswish,
                           hardtanh, hardtanh_, leaky_relu, leaky_relu_, log_softmax, logsigmoid, mish, prelu, relu,
                           relu6, relu_, rrelu, rrelu_, selu, selu_, sigmoid, silu, softmax, softmin, softplus,
                           softshrink, softsign, tanh, tanhshrink, threshold, threshold_)
from ._dropout import alpha_dropout, dropout, dropout1d, dropout2d, dropout3d, feature_alpha_dropout
from ._bilinear import bilinear
from ._attention import scaled_dot_product_attention
from ._multihead import multi_head_attention_forward
from ._embedding import embedding
from ._linear import linear
from ._normalization import batch_norm, group_norm, instance_norm, layer_norm, normalize, rms_norm
from ._conv import (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, fold,
                    unfold)
from ._padding import pad
from ._local_response_norm import local_response_norm
from ._pdist import pdist
from ._losses_margin import multi_margin_loss, multilabel_margin_loss
from ._embedding_bag import embedding_bag
from ._grid import affine_grid, grid_sample
from ._ctc import ctc_loss
from ._resample import interpolate, one_hot, pixel_shuffle, pixel_unshuffle, upsample
from ._pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool2d, avg_pool1d,
                       avg_pool2d, avg_pool3d, lp_pool1d, lp_pool2d, max_pool1d, max_pool2d, max_pool3d, max_unpool2d)
from ._losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cosine_embedding_loss,
                      cosine_similarity, cross_entropy, gaussian_nll_loss, hinge_embedding_loss, huber_loss, kl_div,
                      l1_loss, margin_ranking_loss, mse_loss, multilabel_soft_margin_loss, nll_loss,
                      pairwise_distance, poisson_nll_loss, smooth_l1_loss, soft_margin_loss, triplet_margin_loss)

__all__ = ["relu", "leaky_relu", "elu", "gelu", "silu", "softplus", "sigmoid", "tanh", "softmax",
           "log_softmax", "relu_", "leaky_relu_", "elu_", "selu", "selu_", "celu", "celu_", "hardtanh", "hardtanh_",
           "relu6", "hardshrink", "softshrink", "threshold", "threshold_", "hardsigmoid", "hardswish", "rrelu",
           "rrelu_", "prelu", "mish", "logsigmoid", "softsign", "tanhshrink", "softmin", "glu", "gumbel_softmax",
           "linear", "dropout", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy", "huber_loss", "smooth_l1_loss",
           "soft_margin_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "cosine_embedding_loss", "multilabel_soft_margin_loss", "pairwise_distance",
           "triplet_margin_loss", "cosine_similarity", "embedding", "bilinear",
           "layer_norm", "batch_norm", "group_norm", "instance_norm", "rms_norm", "normalize",
           "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
           "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "unfold", "fold",
           "pad", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d", "lp_pool1d",
           "lp_pool2d", "max_unpool2d", "interpolate", "upsample", "pixel_shuffle", "pixel_unshuffle", "one_hot",
           "scaled_dot_product_attention", "multi_head_attention_forward",
           "local_response_norm", "pdist", "multi_margin_loss", "multilabel_margin_loss", "embedding_bag",
           "affine_grid", "grid_sample", "ctc_loss"]

# torch's argument check: a non-tensor named where the op needed a tensor (torch's F functions written in
# Python, which fail in whatever their code does first, are left as they are)
_check_tensor_inputs(globals(), __all__, unchecked=(
    "normalize", "dropout1d", "dropout2d", "dropout3d", "interpolate", "upsample", "instance_norm", "sigmoid", "tanh",
    "softsign", "tanhshrink", "glu", "gaussian_nll_loss", "group_norm", "adaptive_avg_pool2d", "adaptive_max_pool2d",
    "lp_pool1d", "lp_pool2d", "softmax", "log_softmax", "softmin", "gumbel_softmax", "multi_head_attention_forward",
    "local_response_norm", "multi_margin_loss", "batch_norm", "affine_grid", "grid_sample", "embedding_bag",
    "multilabel_soft_margin_loss"),
    python=True)   # (torch's F functions are Python: some read an attribute of a tensor argument first)
__getattr__ = _module_getattr(__name__, 'nn.functional')  # a torch name mygrad lacks: an AttributeError that says so
