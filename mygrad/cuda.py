"""``torch.cuda`` as a CPU-only torch build reports it: nothing available, nothing to seed."""
from ._device import NO_CUDA as _NO_CUDA
from ._missing import module_getattr as _module_getattr


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Accepted and ignored, as torch does without CUDA."""


def manual_seed_all(seed: int) -> None:
    """Accepted and ignored, as torch does without CUDA."""


def current_device() -> int:
    raise AssertionError(_NO_CUDA)


def synchronize(device=None) -> None:
    raise AssertionError(_NO_CUDA)


__all__ = ["is_available", "device_count", "is_initialized", "manual_seed", "manual_seed_all", "current_device",
           "synchronize"]

__getattr__ = _module_getattr(__name__, 'cuda')  # a torch name mygrad lacks: an AttributeError that says so
