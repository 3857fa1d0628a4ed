"""as_strided_scatter into a region whose elements overlap in memory: the value written last is torch's, as
its copy iterates the region (TensorIterator's dimension order), for every geometry drawn here."""
import random

import numpy as np
import pytest
import torch

import mygrad


def _geometries(count: int, seed: int = 0):
    rng = random.Random(seed)
    found = []
    while len(found) < count:
        ndim = rng.randint(1, 3)
        size = [rng.randint(1, 4) for _ in range(ndim)]
        stride = [rng.randint(1, 4) for _ in range(ndim)]
        offset = rng.randint(0, 3)
        positions = {offset + sum(i * s for i, s in zip(index, stride)) for index in np.ndindex(*size)}
        if len(positions) < int(np.prod(size)):   # (only regions that overlap themselves)
            found.append((size, stride, offset, rng.random() < 0.5))
    return found


@pytest.mark.parametrize("size, stride, offset, as_bool", _geometries(40))
def test_overlapping_region_keeps_torchs_last_write(size, stride, offset, as_bool):
    need = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
    base = np.zeros(need + 2)
    src = np.arange(1, int(np.prod(size)) + 1, dtype=np.float64).reshape(size)
    src = src % 2 == 0 if as_bool else src
    expected = torch.as_strided_scatter(torch.tensor(base), torch.tensor(src), size, stride, offset)
    got = mygrad.as_strided_scatter(mygrad.tensor(base), mygrad.tensor(src), size, stride, offset)
    assert got.tolist() == expected.tolist()
