"""torch.nn's modules, one file per family as in torch."""
from __future__ import annotations

from . import (
           activation,
           batchnorm,
           container,
           conv,
           distance,
           dropout,
           flatten,
           instancenorm,
           linear,
           loss,
           normalization,
           padding,
           pooling,
           rnn,
           sparse,
           transformer,
)
from .activation import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import Module
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403

__all__ = (["Module"] + container.__all__ + linear.__all__ + flatten.__all__ + dropout.__all__ + sparse.__all__
           + activation.__all__ + loss.__all__ + distance.__all__ + batchnorm.__all__
           + instancenorm.__all__ + normalization.__all__
           + conv.__all__ + pooling.__all__ + rnn.__all__ + transformer.__all__ + padding.__all__)
