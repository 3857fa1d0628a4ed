"""torch.nn: ``Module``, ``Parameter``, the layers and losses, ``init`` and the functional interface."""
from __future__ import annotations

from . import functional
from . import init
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter

__all__ = ["functional", "init", "Parameter", "Buffer", *_modules_all]
