"""The workloads, in table order."""
from .chains import B3, B4
from .conformance_speed import B5
from .network import B1, B2

WORKLOADS = [B1, B2, B3, B4, B5]
