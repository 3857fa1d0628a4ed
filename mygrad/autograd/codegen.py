"""``python -m mygrad.autograd.codegen MulBackward0 [...]``: print the code generated for node classes
(``apply``, ``release``, ``attach``, ``record`` and the formula lambdas), as tracebacks and pdb show it."""
from __future__ import annotations

import sys

from ..ops._define import recorder
from ._source import SOURCES, filename
from .node import FormulaNode, generate_apply, generate_release


def node_classes() -> dict[str, type[FormulaNode]]:
    """Every node class made by ``derivative``, by name (the latest one of a name)."""
    found: dict[str, type[FormulaNode]] = {}
    stack: list[type[FormulaNode]] = [FormulaNode]
    child: type[FormulaNode]
    while stack:
        for child in stack.pop().__subclasses__():
            found[child.__name__] = child
            stack.append(child)
    return found


def source(name: str) -> str:
    """Every generated function of the node class ``name`` (generating what was not yet), as one text."""
    cls = node_classes().get(name)
    if cls is None:
        raise KeyError(f"no node class named {name!r}")
    recorder(cls)
    if "apply" not in SOURCES.get(name, {}):  # (generated on a node's first backward)
        cls.apply = generate_apply(cls)  # type: ignore[method-assign]
    if "release" not in SOURCES.get(name, {}):
        cls.release = generate_release(cls)  # type: ignore[method-assign]
    parts = SOURCES.get(name, {})
    return "\n".join(f"# {filename(name, kind)}\n{text}" for kind, text in parts.items())


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    if not names:
        print("usage: python -m mygrad.autograd.codegen NODE [NODE ...]   (e.g. MulBackward0)", file=sys.stderr)
        return 2
    for name in names:
        try:
            print(source(name))
        except KeyError as error:
            print(error.args[0], file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
