"""torch.nn's functional interface (``mygrad.nn.functional``, usually imported as ``F``)."""
from __future__ import annotations

from . import functional
from . import utils

__all__ = ["functional"]
