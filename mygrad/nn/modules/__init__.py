"""torch.nn's modules, one file per family as in torch."""
from __future__ import annotations

from . import (
           activation,
           container,
           distance,
           dropout,
           flatten,
           linear,
           loss,
           rnn,
           sparse,
)
from .activation import *
from .container import *
from .distance import *
from .dropout import *
from .flatten import *
from .linear import *
from .loss import *
from .module import Module
from .rnn import *
from .sparse import *

__all__ = (["Module"] + container.__all__ + linear.__all__ + flatten.__all__ + dropout.__all__ + sparse.__all__
           + activation.__all__ + loss.__all__ + distance.__all__
           + rnn.__all__)
