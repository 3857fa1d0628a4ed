"""torch.nn's functional interface (``mygrad.nn.functional``, usually imported as ``F``)."""
from __future__ import annotations

from . import functional

__all__ = ["functional"]
