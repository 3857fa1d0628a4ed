"""torch.return_types: the named tuples ops with several results return (``sort`` gives ``values`` and
``indices``, ``aminmax`` gives ``min`` and ``max``), printed as torch prints them.  Each op family makes its
own with ``return_type``; they are collected here under torch's names, for ``isinstance`` checks and pickling."""
from __future__ import annotations

from typing import Any

_TYPES: dict = {}


def return_type(name: str, fields: tuple = ("values", "indices")) -> type:
    """The ``torch.return_types.<name>`` class (made once): a tuple with a property per field and torch's
    structseq attributes (``n_fields``...), built from one sequence as torch's (or from the fields)."""
    if name in _TYPES:
        return _TYPES[name]

    def __new__(cls, *values):
        if len(values) == 1 and len(fields) != 1:
            values = tuple(values[0])
        if len(values) != len(fields):
            raise TypeError(f"torch.return_types.{name}() takes a {len(fields)}-sequence ({len(values)}-sequence "
                            "given)")
        return tuple.__new__(cls, values)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self, strict=True))
        return f"torch.return_types.{name}(\n{body})"

    namespace: dict[str, Any] = {"__slots__": (), "__new__": __new__, "__repr__": __repr__, "__module__": __name__,
                 "__reduce__": lambda self: (type(self), (tuple(self),)),
                 "n_fields": len(fields), "n_sequence_fields": len(fields), "n_unnamed_fields": 0}
    namespace.update({field: property(lambda self, i=i: self[i])  # type: ignore[misc]
                      for i, field in enumerate(fields)})
    _TYPES[name] = type(name, (tuple,), namespace)
    return _TYPES[name]


def __getattr__(name: str) -> type:
    try:
        return _TYPES[name]
    except KeyError:
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'") from None


def __dir__() -> list:
    return sorted(_TYPES)
