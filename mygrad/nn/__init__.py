"""torch.nn's functional interface (``mygrad.nn.functional``, usually imported as ``F``)."""
from .._missing import module_getattr as _module_getattr

from . import functional

__all__ = ["functional"]

__getattr__ = _module_getattr(__name__, 'nn')  # a torch name mygrad lacks: an AttributeError that says so
