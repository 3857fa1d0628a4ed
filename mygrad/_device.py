"""Devices, honestly: mygrad computes on the CPU only.  ``torch.device`` objects parse and print as
torch's; asking for CUDA raises the error a CPU-only torch build raises, instead of quietly returning a
CPU tensor."""
from __future__ import annotations

import functools

_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
          "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
NO_CUDA = "Torch not compiled with CUDA enabled"


class device:  # noqa: N801  (torch's name)
    """``torch.device('cpu')``, ``device('cuda', 1)``, ``device('cpu:0')``."""

    __slots__ = ("type", "index")

    type: str
    index: int | None

    def __init__(self, type: str | device, index: int | None = None):  # noqa: A002  (torch's argument name)
        if isinstance(type, device):
            if index is None:
                index = type.index
            type = type.type
        if isinstance(type, int):
            type, index = "cuda", type
        kind, _, number = str(type).partition(":")
        if kind not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: "
                               f"{type}")
        self.type = kind
        self.index = int(number) if number else index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(where) -> None:
    """Accept the CPU in any spelling; anything else is a device this build does not have."""
    if where is None:
        return
    if isinstance(where, int) and not isinstance(where, bool):
        raise RuntimeError("Cannot access accelerator device when none is available.")
    kind = device(where).type
    if kind == "cuda":
        raise AssertionError(NO_CUDA)
    if kind != "cpu":
        raise RuntimeError(f"Could not run on the {kind} backend: mygrad computes on the CPU only")


def on_cpu(factory):
    """A factory's ``device=`` argument checked before anything is made."""
    @functools.wraps(factory)
    def make(*args, **kwargs):
        check_device(kwargs.pop("device", None))
        return factory(*args, **kwargs)
    return make
