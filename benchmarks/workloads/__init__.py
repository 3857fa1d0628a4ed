"""The workloads, in table order."""
from .chains import B3, B4
from .cnn import B8
from .cnn_training import B6
from .conformance_speed import B5
from .network import B1, B2
from .recurrent import B7

WORKLOADS = [B1, B2, B3, B4, B5, B6, B7, B8]


def find_case(key: str, index: int, size: str):
    """A case by its workload's key and its position in that workload's cases."""
    workload = next(w for w in WORKLOADS if w.key == key)
    return workload.cases(size)[index]
