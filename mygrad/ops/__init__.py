"""Op families; each module defines its ops' forwards and derivatives and attaches its Tensor methods."""
from __future__ import annotations

from . import (
           broadcasting,
           clamping,
           copy,
           cumulative,
           elementwise,
           indexing,
           join,
           layout,
           linalg,
           predicates,
           random,
           reductions,
           rounding,
           scatter_gather,
           shape,
           sorting,
           special_math,
           statistics,
           unary,
)
from .broadcasting import *  # noqa: F401,F403
from .clamping import *  # noqa: F401,F403
from .copy import *  # noqa: F401,F403
from .cumulative import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .join import *  # noqa: F401,F403
from .layout import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .predicates import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .rounding import *  # noqa: F401,F403
from .scatter_gather import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403
from .special_math import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .unary import *  # noqa: F401,F403

__all__ = [*clamping.__all__, *copy.__all__, *elementwise.__all__, *indexing.__all__, *join.__all__,
           *linalg.__all__, *random.__all__, *reductions.__all__, *rounding.__all__, *shape.__all__, *unary.__all__,
           *sorting.__all__, *scatter_gather.__all__, *cumulative.__all__, *predicates.__all__, *layout.__all__,
           *statistics.__all__, *special_math.__all__,
           *broadcasting.__all__]
