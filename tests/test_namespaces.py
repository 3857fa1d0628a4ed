"""mygrad's public namespaces hold only names torch's have (plus the few listed here, each with its reason),
and a torch name mygrad lacks raises an AttributeError that says so."""
from __future__ import annotations

import importlib
import types

import pytest
import torch

import mygrad

MIRRORS = ["", "nn", "nn.functional", "linalg", "special", "cuda", "optim", "utils.data", "autograd", "distributions"]

# Names mygrad exports that torch's namespace does not, each on purpose.
INTENDED_EXTRAS: dict = {
    "autograd": {"backends", "engine", "node", "codegen", "_source"},  # the engine's own modules (torch's are C++)
}


def _module(root, namespace: str):
    return importlib.import_module(root.__name__ + (f".{namespace}" if namespace else ""))


def _public(obj) -> set:
    return {n for n in dir(obj) if not n.startswith("_")}


@pytest.mark.parametrize("namespace", MIRRORS, ids=lambda n: n or "torch")
def test_namespace_exports_only_torch_names(namespace):
    mine, theirs = _module(mygrad, namespace), _module(torch, namespace)
    extras = _public(mine) - _public(theirs) - INTENDED_EXTRAS.get(namespace, set())
    modules = {n for n in extras if isinstance(getattr(mine, n), types.ModuleType)
               and getattr(mine, n).__name__.startswith("mygrad.")}
    assert extras - modules == set(), f"mygrad{'.' + namespace if namespace else ''} exports names torch lacks"


def test_tensor_has_only_torch_methods():
    extras = _public(mygrad.Tensor) - _public(torch.Tensor)
    assert extras == set(), f"Tensor attributes torch's Tensor lacks: {sorted(extras)}"


@pytest.mark.parametrize("namespace", MIRRORS, ids=lambda n: n or "torch")
def test_a_torch_name_mygrad_lacks_says_so(namespace):
    mine, theirs = _module(mygrad, namespace), _module(torch, namespace)
    missing = sorted(_public(theirs) - set(dir(mine)))
    if not missing:
        pytest.skip("mygrad has every public name of this torch namespace")
    with pytest.raises(AttributeError, match="is a torch API mygrad does not provide yet"):
        getattr(mine, missing[0])
    with pytest.raises(AttributeError, match=r"has no attribute 'no_such_name'$"):
        getattr(mine, "no_such_name")


def test_a_tensor_method_mygrad_lacks_says_so():
    missing = sorted(_public(torch.Tensor) - set(dir(mygrad.Tensor)))
    with pytest.raises(AttributeError, match="Tensor.* is a torch API mygrad does not provide yet"):
        getattr(mygrad.ones(2), missing[0])


def test_the_list_of_torch_names_is_current():
    """Generated in a fresh process: a submodule another test imported (torch.onnx) would join dir(torch)."""
    import subprocess
    import sys
    from pathlib import Path
    current = Path(mygrad.__file__).with_name("_torch_api.py").read_text()
    fresh = subprocess.run([sys.executable, "-c", "from conformance.torch_api import generate; print(generate(), end='')"],
                           capture_output=True, text=True, check=True, cwd=Path(mygrad.__file__).parent.parent).stdout
    assert current == fresh, "stale: python -m conformance.torch_api --write"
