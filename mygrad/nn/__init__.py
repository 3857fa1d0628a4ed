"""torch.nn: ``Module``, ``Parameter``, the layers and losses, ``init`` and the functional interface."""
from .._missing import module_getattr as _module_getattr
from . import functional, init
from .modules import (BCELoss, BCEWithLogitsLoss, Bilinear, CELU, CosineEmbeddingLoss, CosineSimilarity,
                      CrossEntropyLoss, Dropout, ELU, Embedding, Flatten, GELU, GLU, GaussianNLLLoss,
                      Hardshrink, Hardsigmoid, Hardswish, Hardtanh, HingeEmbeddingLoss, HuberLoss, Identity,
                      KLDivLoss, L1Loss, LeakyReLU, Linear, LogSigmoid, LogSoftmax, MSELoss, MarginRankingLoss,
                      Mish, Module, ModuleDict, ModuleList, MultiLabelSoftMarginLoss, NLLLoss, NLLLoss2d, PReLU,
                      PairwiseDistance, ParameterDict, ParameterList, PoissonNLLLoss, RReLU, ReLU, ReLU6, SELU,
                      Sequential, SiLU, Sigmoid, SmoothL1Loss, SoftMarginLoss, Softmax, Softmax2d, Softmin,
                      Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold, TripletMarginLoss, Unflatten)
from .modules import (BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, InstanceNorm1d, InstanceNorm2d,
                      LayerNorm, RMSNorm)
from .modules import AlphaDropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout
from .modules.conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .modules.pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool1d,
                              AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d)
from .modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .modules.padding import CircularPad1d, CircularPad2d, CircularPad3d
from .modules.normalization import LocalResponseNorm
from .modules.loss import MultiLabelMarginLoss, MultiMarginLoss
from .modules.sparse import EmbeddingBag
from .parameter import Buffer, Parameter
from . import utils

__all__ = ["functional", "init", "Parameter", "Buffer", "Module", "Sequential", "ModuleList", "ModuleDict",
           "ParameterList", "ParameterDict", "Identity", "Linear", "Bilinear", "Flatten", "Unflatten",
           "Dropout", "Embedding", "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus", "Sigmoid", "Tanh",
           "Softmax", "LogSoftmax", "Softmax2d", "Threshold", "Hardtanh", "ReLU6", "RReLU", "SELU", "CELU",
           "Hardsigmoid", "Hardswish", "Hardshrink", "Softshrink", "PReLU", "Mish", "LogSigmoid", "Softsign",
           "Tanhshrink", "Softmin", "GLU", "L1Loss", "MSELoss", "NLLLoss", "NLLLoss2d", "CrossEntropyLoss",
           "BCELoss", "BCEWithLogitsLoss", "HuberLoss", "SmoothL1Loss", "SoftMarginLoss", "KLDivLoss",
           "PoissonNLLLoss", "GaussianNLLLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
           "CosineEmbeddingLoss", "MultiLabelSoftMarginLoss", "TripletMarginLoss", "PairwiseDistance",
           "CosineSimilarity", "LayerNorm", "GroupNorm", "RMSNorm", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
           "InstanceNorm1d", "InstanceNorm2d", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout",
           "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "MaxPool1d", "MaxPool2d",
           "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
           "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
__all__ += ["CircularPad1d", "CircularPad2d", "CircularPad3d"]
__all__ += ["LocalResponseNorm"]
__all__ += ["MultiMarginLoss", "MultiLabelMarginLoss"]
__all__ += ["EmbeddingBag"]
__getattr__ = _module_getattr(__name__, 'nn')  # a torch name mygrad lacks: an AttributeError that says so
