"""torch.save / torch.load in a format of mygrad's own: a zip of a JSON manifest and .npy arrays.

Layout of a file written by ``save``::

    mygrad/manifest.json    {"format": "mygrad-save", "version": 1, "object": <node>}
    mygrad/tensors/<i>.npy  one array per distinct tensor (NumPy's .npy, never pickled)
    mygrad/pickles/<i>.pkl  only for objects outside the types below

A node is JSON for ``None``, ``bool``, ``int``, ``str`` and finite ``float``; every other value is
an object with one tag: ``{"float": "nan"|"inf"|"-inf"}``, ``{"tensor": i, "requires_grad": b,
"parameter": b}``, ``{"list": [...]}``, ``{"tuple": [...]}``, ``{"set": [...]}``, ``{"dict":
[[key, value], ...], "ordered": b}`` (keys are nodes too: optimizer state is keyed by ints),
``{"bytes": "<base64>"}``, ``{"complex": [re, im]}``, ``{"size": [...]}``, ``{"dtype": name}``,
``{"pickle": i, "global": "module.qualname"}`` (the pickle's tensors are references into the
tensor table; "global" names the object's class for readers of the manifest).

Loading the JSON and .npy parts executes nothing.  These are the types torch's
``weights_only=True`` loading accepts; any other object is pickled on save (its tensors still go
to .npy files) and, as in torch 2.13, loading it needs ``weights_only=False`` (arbitrary code
execution: trusted files only) or its class in ``add_safe_globals``; otherwise ``load`` raises
``pickle.UnpicklingError`` with torch's message.  A tensor saved twice is loaded as one object;
views are saved as copies (torch would keep their shared storage).  Gradients and graphs are not
saved: a non-leaf tensor comes back as a leaf with its ``requires_grad``, as in torch.
mygrad cannot read files written by torch.save, and torch cannot read mygrad's.
"""
from __future__ import annotations

import base64
import collections
import io
import json
import math
import os
import pickle
import zipfile
from typing import Any

import numpy as np

from . import _dtype
from ._tensor import Size, Tensor

__all__ = ["add_safe_globals", "clear_safe_globals", "get_safe_globals", "load", "save"]

_FORMAT, _VERSION, _ROOT = "mygrad-save", 1, "mygrad/"
_SAFE_GLOBALS: list = []


def add_safe_globals(safe_globals: list) -> None:
    """Allow these classes/functions in pickled parts of a file loaded with ``weights_only=True``."""
    _SAFE_GLOBALS.extend(safe_globals)


def get_safe_globals() -> list:
    return list(_SAFE_GLOBALS)


def clear_safe_globals() -> None:
    _SAFE_GLOBALS.clear()


def _qualified(obj) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


class _Writer:
    def __init__(self, protocol: int) -> None:
        self.protocol = protocol
        self.arrays: list[np.ndarray] = []
        self.pickles: list[bytes] = []
        self.tensor_ids: dict[int, int] = {}
        self._keep: list = []  # keeps saved tensors alive so that ids stay unique

    def tensor(self, t: Tensor) -> int:
        index = self.tensor_ids.get(id(t))
        if index is None:
            index = self.tensor_ids[id(t)] = len(self.arrays)
            self.arrays.append(t._data)  # np.save writes any layout; 0-d stays 0-d
            self._keep.append(t)
        return index

    def node(self, obj: Any):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int) and type(obj) is int:
            return obj
        if type(obj) is float:
            return obj if math.isfinite(obj) else {"float": repr(obj)}
        if isinstance(obj, Tensor):
            return {"tensor": self.tensor(obj), "requires_grad": obj.requires_grad,
                    "parameter": type(obj).__name__ == "Parameter"}
        if isinstance(obj, _dtype.dtype):
            return {"dtype": str(obj).split(".")[-1]}
        if isinstance(obj, Size):
            return {"size": list(obj)}
        if type(obj) is list:
            return {"list": [self.node(v) for v in obj]}
        if type(obj) is tuple:
            return {"tuple": [self.node(v) for v in obj]}
        if type(obj) is set:
            return {"set": [self.node(v) for v in obj]}
        if type(obj) in (dict, collections.OrderedDict):
            return {"dict": [[self.node(k), self.node(v)] for k, v in obj.items()],
                    "ordered": type(obj) is collections.OrderedDict}
        if type(obj) is bytes:
            return {"bytes": base64.b64encode(obj).decode("ascii")}
        if type(obj) is complex:
            return {"complex": [self.node(obj.real), self.node(obj.imag)]}
        return {"pickle": self.pickle(obj), "global": _qualified(obj)}

    def pickle(self, obj: Any) -> int:
        """``obj`` pickled (the protocol ``save`` was given; torch's default 2), its tensors as references."""
        buffer = io.BytesIO()
        writer = self

        class TensorPickler(pickle.Pickler):
            def persistent_id(self, o):
                if isinstance(o, Tensor):
                    return "tensor", writer.tensor(o), o.requires_grad, type(o).__name__ == "Parameter"
                return None

        TensorPickler(buffer, protocol=self.protocol).dump(obj)
        self.pickles.append(buffer.getvalue())
        return len(self.pickles) - 1


def save(obj: Any, f, pickle_module=None, pickle_protocol: int = 2, _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Write ``obj`` (tensors, state dicts, optimizer state, nested containers) to a path or binary file."""
    writer = _Writer(pickle_protocol)
    manifest = {"format": _FORMAT, "version": _VERSION, "object": writer.node(obj)}
    target = os.fspath(f) if isinstance(f, (str, os.PathLike)) else f
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(_ROOT + "manifest.json", json.dumps(manifest, allow_nan=False))
        for i, array in enumerate(writer.arrays):
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            archive.writestr(f"{_ROOT}tensors/{i}.npy", buffer.getvalue())
        for i, blob in enumerate(writer.pickles):
            archive.writestr(f"{_ROOT}pickles/{i}.pkl", blob)


_WEIGHTS_ONLY_HELP = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, \x1b[1mdo those "
    "steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In PyTorch 2.6, we changed the "
    "default value of the `weights_only` argument in `torch.load` from `False` to `True`. Re-running "
    "`torch.load` with `weights_only` set to `False` will likely succeed, but it can result in arbitrary code "
    "execution. Do it only if you got the file from a trusted source.\n\t(2) Alternatively, to load with "
    "`weights_only=True` please check the recommended steps in the following error message.\n\tWeightsUnpickler "
    "error: Unsupported global: GLOBAL {name} was not an allowed global by default. Please use "
    "`torch.serialization.add_safe_globals([{name}])` or the `torch.serialization.safe_globals([{name}])` "
    "context manager to allowlist this global if you trust this class/function.\n\nCheck the documentation of "
    "torch.load to learn more about types accepted by default with weights_only "
    "https://pytorch.org/docs/stable/generated/torch.load.html.")


class _Reader:
    def __init__(self, archive: zipfile.ZipFile, weights_only: bool) -> None:
        self.archive = archive
        self.weights_only = weights_only
        self.tensors: dict[int, Tensor] = {}

    def tensor(self, index: int, requires_grad: bool, parameter: bool = False) -> Tensor:
        t = self.tensors.get(index)
        if t is None:
            with self.archive.open(f"{_ROOT}tensors/{index}.npy") as fh:
                array = np.load(io.BytesIO(fh.read()), allow_pickle=False)
            t = Tensor._make(array, bool(requires_grad), None)
            if parameter:
                from . import nn
                make = getattr(nn, "Parameter", None)
                if make is not None:
                    t = make(t, requires_grad=bool(requires_grad))
            self.tensors[index] = t
        return t

    def node(self, node: Any):
        if not isinstance(node, dict):
            return node
        if "tensor" in node:
            return self.tensor(node["tensor"], node["requires_grad"], node.get("parameter", False))
        if "float" in node:
            return float(node["float"])
        if "list" in node:
            return [self.node(v) for v in node["list"]]
        if "tuple" in node:
            return tuple(self.node(v) for v in node["tuple"])
        if "set" in node:
            return {self.node(v) for v in node["set"]}
        if "dict" in node:
            kind = collections.OrderedDict if node.get("ordered") else dict
            return kind((self.node(k), self.node(v)) for k, v in node["dict"])
        if "bytes" in node:
            return base64.b64decode(node["bytes"])
        if "complex" in node:
            return complex(*(self.node(v) for v in node["complex"]))
        if "size" in node:
            return Size(node["size"])
        if "dtype" in node:
            return _dtype_named(node["dtype"])
        if "pickle" in node:
            return self.unpickle(node["pickle"], node["global"])
        raise pickle.UnpicklingError(f"unknown node in a mygrad file: {sorted(node)}")

    def unpickle(self, index: int, name: str):
        """A pickled part; under ``weights_only`` only allowlisted globals may be looked up, and the
        first other one is refused by name, as torch's weights-only unpickler does."""
        reader = self
        allowed = {f"{g.__module__}.{g.__qualname__}": g for g in _SAFE_GLOBALS}

        class TensorUnpickler(pickle.Unpickler):
            def persistent_load(self, pid):
                _, i, requires_grad, parameter = pid
                return reader.tensor(i, requires_grad, parameter)

            def find_class(self, module, qualname):
                if reader.weights_only:
                    key = f"{module}.{qualname}"
                    if key not in allowed:
                        raise pickle.UnpicklingError(_WEIGHTS_ONLY_HELP.format(name=key))
                    return allowed[key]
                return super().find_class(module, qualname)

        with self.archive.open(f"{_ROOT}pickles/{index}.pkl") as fh:
            return TensorUnpickler(io.BytesIO(fh.read())).load()


def _dtype_named(name: str):
    import mygrad
    return getattr(mygrad, name)


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args) -> Any:
    """Read what ``save`` wrote.  ``weights_only`` defaults to True (torch >= 2.6); ``map_location``
    may only name the CPU, the one device mygrad has."""
    if weights_only is None:
        weights_only = os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0") not in ("1", "y", "yes", "true")
    source = os.fspath(f) if isinstance(f, (str, os.PathLike)) else f
    try:
        archive = zipfile.ZipFile(source, "r")
    except zipfile.BadZipFile as exc:
        raise RuntimeError("not a file written by mygrad.save (mygrad reads only its own format, not torch's)") from exc
    with archive:
        try:
            manifest = json.loads(archive.read(_ROOT + "manifest.json"))
        except KeyError as exc:
            raise RuntimeError("not a file written by mygrad.save (mygrad reads only its own format, not "
                               "torch's)") from exc
        if manifest.get("format") != _FORMAT or manifest.get("version") != _VERSION:
            raise RuntimeError(f"unsupported mygrad file format {manifest.get('format')!r} version "
                               f"{manifest.get('version')!r}")
        return _Reader(archive, bool(weights_only)).node(manifest["object"])
