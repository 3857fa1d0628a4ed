"""A missing attribute that torch has is reported as such: ``mygrad.fft`` or ``x.stft`` raise an
AttributeError saying the name is a torch API mygrad does not provide yet, not a bare missing attribute."""
from __future__ import annotations

from ._torch_api import NAMES


def _message(owner: str, name: str, torch_spelling: str) -> str:
    return f"{owner} has no attribute '{name}': {torch_spelling} is a torch API mygrad does not provide yet"


def module_getattr(module: str, namespace: str):
    """A module-level ``__getattr__`` for the mygrad module that mirrors ``torch.<namespace>``."""
    known = NAMES.get(namespace, frozenset())
    prefix = "torch." + (namespace + "." if namespace else "")

    def __getattr__(name: str):
        if name in known:
            raise AttributeError(_message(f"module '{module}'", name, prefix + name))
        raise AttributeError(f"module '{module}' has no attribute '{name}'")
    return __getattr__


def tensor_getattr(self, name: str):
    """``Tensor.__getattr__``: reached only when normal lookup fails (never on a present attribute)."""
    if name[:1] != "_" and name in NAMES["Tensor"]:
        raise AttributeError(_message("'Tensor' object", name, f"Tensor.{name}"))
    raise AttributeError(f"'Tensor' object has no attribute '{name}'")
