"""The harness's fast strategies make the same choices, and so draw the same examples, as the Hypothesis
strategies they stand for (conformance/strategies.py): the speed-up must not change what is tested, nor
how a failure shrinks.  Each pair is drawn from the same seeded random source and compared."""
import random

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.control import BuildContext
from hypothesis.extra import numpy as hnp
from hypothesis.internal.conjecture.data import ConjectureData

from conformance import strategies as S


def _draw(strategy, seed: int):
    data = ConjectureData(random=random.Random(seed), max_choices=8192)
    with BuildContext(data, is_final=False, wrapped_test=None):
        value = data.draw(strategy)
    return value, tuple(data.choices)


def _same(fast, reference, seeds=range(60)):
    for seed in seeds:
        (a, ca), (b, cb) = _draw(fast, seed), _draw(reference, seed)
        assert ca == cb, f"seed {seed}: choices differ"
        assert repr(a) == repr(b), f"seed {seed}: {a!r} != {b!r}"


DOMAINS = [S.real(), S.positive(), S.nonzero(), S.open_unit(), S.real(-8.0, 8.0, special=(0.0, 6.0, -0.0)),
           S.hostile(S.real()), S.hostile(S.nonzero(2.0, 0.5, special=(1.0,)))]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int64", "uint8", "bool"])
@pytest.mark.parametrize("domain", DOMAINS, ids=repr)
def test_arrays_draw_as_hypothesis_arrays(dtype, domain):
    for shape in [(), (1,), (3, 4), (2, 0), S.shapes()]:
        elements = domain.elements(dtype)
        reference = hnp.arrays(S.NP_DTYPES[dtype], shape, elements=elements)
        _same(S.arrays(dtype, shape, domain), reference, seeds=range(25))


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("max_dims", [0, 2, 4])
def test_broadcastable_shapes_draw_as_hypothesis(n, max_dims):
    reference = hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=max_dims, max_side=S.MAX_SIDE)
    _same(S._BroadcastableShapes(n, max_dims, S.MAX_SIDE), reference)


@pytest.mark.parametrize("ndim", [1, 2, 4])
def test_signed_dims_draw_as_hypothesis(ndim):
    reference = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).flatmap(
        lambda ds: st.tuples(*[st.sampled_from([d, d - ndim]) for d in ds]))
    _same(S._SignedDims(ndim), reference)


def test_a_signed_zero_special_point_is_its_own_domain():
    """-0.0 == 0.0, but a domain whose special point is -0.0 draws -0.0: strategies cached by domain
    must not hand one the other's."""
    plus, minus = S.real(special=(0.0,)), S.real(special=(-0.0,))
    assert plus != minus
    first = S.arrays("float64", (3,), plus)
    assert S.arrays("float64", (3,), minus) is not first
    drawn = {repr(float(v)) for seed in range(200) for v in np.asarray(_draw(S.arrays("float64", (3,), minus), seed)[0])}
    assert "-0.0" in drawn
