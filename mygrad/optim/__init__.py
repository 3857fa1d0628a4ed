"""torch.optim: optimizers over parameter groups, and ``lr_scheduler``."""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Adamax", "Optimizer", "RMSprop", "lr_scheduler"]

from .._missing import module_getattr as _module_getattr

__getattr__ = _module_getattr(__name__, "optim")  # a torch name mygrad lacks: an AttributeError that says so
