"""torch.utils.data: datasets, samplers, batching (``DataLoader``) and ``random_split``."""

from ._collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (
           ConcatDataset,
           Dataset,
           IterableDataset,
           Subset,
           TensorDataset,
           random_split,
)
from .sampler import (
           BatchSampler,
           RandomSampler,
           Sampler,
           SequentialSampler,
           SubsetRandomSampler,
)

__all__ = [
           "BatchSampler",
           "ConcatDataset",
           "DataLoader",
           "Dataset",
           "IterableDataset",
           "RandomSampler",
           "Sampler",
           "SequentialSampler",
           "Subset",
           "SubsetRandomSampler",
           "TensorDataset",
           "default_collate",
           "default_convert",
           "random_split",
]

from ..._missing import module_getattr as _module_getattr

__getattr__ = _module_getattr(__name__, "utils.data")  # a torch name mygrad lacks: an AttributeError that says so
