"""Generated code you can read: every function mygrad builds from text goes through ``define``.

A node class's ``apply`` and ``release`` (``node.py``), its ``attach`` and ``record``
(``ops/_define.py``) and the lambdas of its formulas are written as Python source from the
class's formulas and compiled.  ``define`` registers that source with ``linecache`` under a
stable file name (``<generated MulBackward0.apply>``), so a traceback through it shows the
line that failed, ``inspect.getsource`` and pdb read it, and ``SOURCES`` keeps it for::

    python -m mygrad.autograd.codegen MulBackward0     # print every generated function of a node
"""
from __future__ import annotations

import linecache
import types
from typing import Any

# owner (a node class's name) -> kind ("apply", "release", "attach", "record", "self", ...) -> source
SOURCES: dict[str, dict[str, str]] = {}


def filename(owner: str, kind: str) -> str:
    """The file name tracebacks and pdb show for a generated function."""
    return f"<generated {owner}.{kind}>"


def register(owner: str, kind: str, source: str) -> str:
    """Put ``source`` where linecache (tracebacks, pdb, inspect) finds it; returns its file name.
    An mtime of None tells ``linecache.checkcache`` that there is no file to compare against."""
    name = filename(owner, kind)
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    SOURCES.setdefault(owner, {})[kind] = source
    return name


def define(owner: str, kind: str, source: str, namespace: dict[str, Any]) -> types.FunctionType:
    """Compile ``source`` (one ``def``) with ``namespace`` as its globals and return the function."""
    code = compile(source, register(owner, kind, source), "exec")
    local: dict[str, Any] = {}
    exec(code, namespace, local)  # noqa: S102  (the source is ours, built from formulas declared in mygrad)
    (function,) = local.values()
    return function  # type: ignore[no-any-return]


def expression(owner: str, kind: str, params: tuple[str, ...], text: str) -> types.CodeType:
    """The code of ``lambda <params>: (<text>)``, registered as ``owner.kind``; its globals are bound
    by whoever makes functions of it (one code, two namespaces: arrays and tensors)."""
    source = f"lambda {', '.join(params)}: ({text})\n"
    module = compile(source, register(owner, kind, source), "eval")
    return next(c for c in module.co_consts if isinstance(c, types.CodeType))
