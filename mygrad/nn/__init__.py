"""torch.nn: ``Module``, ``Parameter``, the layers and losses, ``init`` and the functional interface."""
from __future__ import annotations

from . import functional, init
from .modules import (ELU, GELU, BCELoss, BCEWithLogitsLoss, Bilinear, CrossEntropyLoss, Dropout, Embedding,
                      Flatten, Identity, L1Loss, LeakyReLU, Linear, LogSoftmax, Module, ModuleDict, ModuleList,
                      MSELoss, NLLLoss, NLLLoss2d, ParameterDict, ParameterList, ReLU, Sequential, Sigmoid, SiLU, Softmax,
                      Softmax2d, Softplus, Tanh, Unflatten)
from .parameter import Buffer, Parameter

__all__ = ["functional", "init", "Parameter", "Buffer", "Module", "Sequential", "ModuleList", "ModuleDict",
           "ParameterList", "ParameterDict", "Identity", "Linear", "Bilinear", "Flatten", "Unflatten", "Dropout",
           "Embedding", "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus", "Sigmoid", "Tanh", "Softmax",
           "LogSoftmax", "L1Loss", "MSELoss", "NLLLoss", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss",
           "Softmax2d", "NLLLoss2d"]
