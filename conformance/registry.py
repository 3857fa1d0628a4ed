"""The op registry: one declarative record per op, the only thing a contributor writes to get an op tested.

A record says how to call the op (its torch name, namespace and call forms) and what inputs it
takes (a strategy from ``strategies.py`` that draws one call's arguments, with shapes and value
domains built in).  It says nothing about expected results: those come from running torch.

    Record("log", unary(domain=positive()), forms=("function", "method", "inplace"))

Records live in ``conformance/records/<family>.py`` as a list named ``RECORDS``.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

FORMS = ("function", "method", "operator", "roperator", "inplace", "call")


@dataclass(frozen=True)
class TensorArg:
    """A tensor argument: its values, and whether the leaf made from it requires grad; ``parameter``
    makes the leaf an ``nn.Parameter`` (module records assign such leaves as a module's parameters,
    so their gradients are compared as inputs' gradients); ``contiguous`` keeps the leaf contiguous
    (never a transposed or strided view) where torch's kernel misreads a non-contiguous one."""
    array: Any
    requires_grad: bool = True
    parameter: bool = False
    contiguous: bool = False


@dataclass(frozen=True)
class LibAttr:
    """An argument that is an attribute of the library, resolved per side: ``LibAttr("float64")``
    becomes ``torch.float64`` for torch and ``mygrad.float64`` for mygrad (dtypes in kwargs)."""
    name: str


@dataclass(frozen=True)
class Example:
    """One call's arguments: tensors as TensorArg (also inside lists/tuples), everything else as is."""
    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    """How to call one op, and what to call it with.

    name        torch's name of the function/method (``add``, ``softmax``, ``max``); also the report's row.
    example     ``example(dtype_name) -> SearchStrategy[Example]``: draws one call's arguments.
    forms       which call forms to check:
                  "function"  ``lib.<namespace>.<name>(*args, **kwargs)``
                  "method"    ``args[0].<name>(*args[1:], **kwargs)``
                  "operator"  ``operator.<operator>(*args)`` (e.g. ``a + b``, ``a + 2``)
                  "roperator" the reflected operator with the Python scalar first (``2 - a``); drawn
                              examples whose second argument is a Python scalar are swapped
                  "inplace"   ``args[0].clone().<name>_(*args[1:], **kwargs)`` (a non-leaf, as torch allows)
                  "call"      ``call(lib, *args, **kwargs)``, for spellings none of the above covers
    namespace   where the function lives: "" (torch.*), "nn.functional", "linalg", "special".
    operator    the ``operator`` module name for the operator forms (``"add"``, ``"truediv"``);
                defaults to ``name``.
    call        ``call(lib, *args, **kwargs)`` for the "call" form (indexing, ``a.T``, ...).
    label       the row name when one op has several records (``max (dim)``); defaults to ``name``.
    dtypes      dtype names to draw inputs of.
    tolerance   per-dtype (rtol, atol) overriding ``checks.TOLERANCES`` (e.g. ill-conditioned ops).
    grad        whether the op is differentiable at all (False: forward, dtype and no-graph checks only).
    second_order whether gradients are checked once more through ``create_graph=True``.
    output      "tensor", "tuple" (several tensors, e.g. ``max(dim)``, ``split``) or "scalar".
    raises      the record draws inputs torch refuses on purpose (error parity): torch raising on
                (nearly) every example is then expected, not a sign of a dead record.
    torch       the torch versions whose behaviour the record describes, as a version specifier
                (``">=2.13"``, ``">=2.10,<2.14"``; empty: every version).  On another installed torch
                the case still runs, but its mismatches are reported as "differs on torch X" and do
                not fail the run (a node renamed, an error class changed between versions).
    reference   for a record made by ``Record.custom``: torch's function (the snippet imports it).
    unchecked   checks the record opts out of, as ``(check name, reason)`` pairs, where torch's own result
                is not reproducible (the report shows them as not applicable and lists the reasons);
                ``("hostile", reason)``: the record draws no hostile values (NaN, ±inf, -0.0, subnormals,
                the extremes), which every other record mixes into its floats now and then;
                ``("hostile: overflow", reason)``: all but the extremes; ``("hostile: non-finite", reason)``:
                only -0.0 and the tiny values; ``("hostile: rounding", reason)``: NaN, ±inf and -0.0;
                ``("hostile: pivoting", reason)``: NaN and -0.0 (``strategies.HOSTILE_SETS``);
                ``("error_inputs: LABEL", reason)``: the derived bad call of that label is not made (torch
                itself crashes on it, or answers at random).
    family      the records module that declares it (``conformance/records/<family>.py``; set by ``all_records``).
    error_inputs bad calls of the record's own, besides those the harness derives from every drawn example
                (``conformance/error_inputs.py``): ``error_inputs(example) -> [(label, Example), ...]``.
    """
    name: str
    example: Callable
    forms: tuple = ("function", "method")
    namespace: str = ""
    operator: str | None = None
    call: Callable | None = None
    label: str | None = None
    dtypes: tuple = ("float32", "float64")
    tolerance: dict | None = None
    grad: bool = True
    second_order: bool = True
    output: str = "tensor"
    raises: bool = False
    torch: str = ""
    reference: Callable | None = None
    unchecked: tuple = ()
    error_inputs: Callable | None = None
    family: str = ""

    def opts_out(self, name: str) -> bool:
        """Whether ``unchecked`` names ``name`` (a check, or "hostile")."""
        return any(check == name for check, _ in self.unchecked)

    @property
    def row(self) -> str:
        return self.label or self.name

    @staticmethod
    def installed_torch() -> str:
        import torch
        return torch.__version__.split("+")[0]

    def supports_torch(self, version: str | None = None) -> bool:
        """Whether ``version`` (default: the installed torch) is one the record describes (``torch``)."""
        if not self.torch:
            return True
        from packaging.specifiers import SpecifierSet
        return SpecifierSet(self.torch).contains(version or self.installed_torch(), prereleases=True)

    @classmethod
    def custom(cls, name: str, example: Callable, reference: Callable, implementation: Callable, **options) -> "Record":
        """A record for your own op: ``reference(*args, **kwargs)`` is torch's answer (written with
        torch), ``implementation(*args, **kwargs)`` the library's own; the harness calls the one of
        the side it runs.  (An op written once against the torch API, ``fn(lib, *args)``, needs no
        pair: use ``Record(name, example, forms=("call",), call=fn)``.)"""
        def call(lib, *args, **kwargs):
            return (reference if lib.__name__ == "torch" else implementation)(*args, **kwargs)
        call.__qualname__ = call.__name__ = f"custom_{name}"
        return cls(name, example, forms=("call",), call=call, reference=reference, **options)


def all_records() -> list[Record]:
    """Every record from every module in ``conformance/records``, in module order."""
    from . import records
    found: list[Record] = []
    for info in sorted(pkgutil.iter_modules(records.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{records.__name__}.{info.name}")
        for record in getattr(module, "RECORDS", []):
            if not record.family:   # (frozen, and the module's own list holds the same object)
                object.__setattr__(record, "family", info.name)
            found.append(record)
    rows = [r.row for r in found]
    duplicates = {r for r in rows if rows.count(r) > 1}
    if duplicates:
        raise ValueError(f"records with the same row name: {sorted(duplicates)} (give them a label)")
    return found


def select(records: list[Record], names: list[str] | None) -> list[Record]:
    """The records whose row or torch name is in ``names`` (all when ``names`` is empty)."""
    if not names:
        return records
    wanted = set(names)
    chosen = [r for r in records if r.row in wanted or r.name in wanted]
    unknown = wanted - {r.row for r in chosen} - {r.name for r in chosen}
    if unknown:
        raise KeyError(f"no record for: {sorted(unknown)}")
    return chosen
