"""Tensor printing checked against torch: the same tensor must give the very same repr string.

Each case is built in torch, carried over to mygrad, and both reprs are compared exactly.
A torch leaf becomes a mygrad leaf (``Tensor._make``); a torch non-leaf becomes a stand-in
with the attributes ``tensor_repr`` reads, carrying the name of torch's grad_fn.
"""
import contextlib
import math
import types

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from mygrad import _dtype
from mygrad._tensor import Tensor
from mygrad._tensor_str import scalar_type_name, set_printoptions, tensor_repr, type_name

FLOATS = [np.float32, np.float64, np.float16]
DTYPES = FLOATS + [np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]


class _Node:
    def __init__(self, name):
        self._name = name

    def name(self):
        return self._name


def from_torch(t: torch.Tensor):
    """The mygrad counterpart of a torch tensor (a stand-in object for a non-leaf)."""
    data = t.detach().numpy().copy()
    if t.grad_fn is None:
        mine = Tensor._make(data, t.requires_grad, None)
        assert repr(mine) == tensor_repr(mine)
        return mine
    return types.SimpleNamespace(_data=data, dtype=_dtype.from_numpy_dtype(data.dtype), requires_grad=True,
                                 grad_fn=_Node(type(t.grad_fn).__name__), is_leaf=False)


def check(t: torch.Tensor) -> str:
    expected = repr(t)
    assert tensor_repr(from_torch(t)) == expected
    return expected


def check_array(a: np.ndarray, grad: str = "none"):
    """Compare the array as a plain tensor, and (floats only) as a grad leaf and as a non-leaf."""
    t = torch.from_numpy(np.ascontiguousarray(a).copy())
    check(t)
    if a.dtype.kind == "f":
        leaf = t.clone().requires_grad_()
        check(leaf)
        check(leaf * 1)          # MulBackward0, values unchanged (keeps -0.0 and nan)
        check(leaf.unsqueeze(0))  # a longer name, one more dimension


@contextlib.contextmanager
def options(default_dtype=None, **kwargs):
    """Set print options (and the default dtype) in both libraries; restore torch's defaults after."""
    try:
        torch.set_printoptions(**kwargs)
        set_printoptions(**kwargs)
        if default_dtype is not None:
            torch.set_default_dtype(getattr(torch, default_dtype))
            _dtype.set_default_dtype(getattr(_dtype, default_dtype))
        yield
    finally:
        torch.set_printoptions(profile="default")
        set_printoptions(profile="default")
        torch.set_default_dtype(torch.float32)
        _dtype.set_default_dtype(_dtype.float32)


# ----- generated arrays -------------------------------------------------------------------------
SPECIAL = [0.0, -0.0, math.nan, math.inf, -math.inf, 0.1, -0.1, 1e-5, 1e-45, 5e-324, 1e8, 1e9, 1e38,
           1e300, 65504.0, 9.99995, 99999.5, 123456789.0, 0.5, 2.5]
float_values = st.one_of(
    st.integers(-1000, 1000).map(float),                               # int mode
    st.floats(-10, 10),                                                # fixed mode
    st.floats(allow_nan=True, allow_infinity=True),                    # anything, mostly sci mode
    st.sampled_from(SPECIAL),
    st.integers(-20, 20).map(lambda k: 10.0 ** k),                     # ratios around 1000, 1e8, 1e-4
)
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)


@st.composite
def arrays(draw, dtypes=DTYPES, shape=shapes):
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    shape = draw(shape)
    if dtype.kind == "f":
        # Build in float64 and round: huge values become inf in float16/float32, as torch.tensor would.
        a = draw(hnp.arrays(np.float64, shape, elements=float_values))
        with np.errstate(over="ignore"):
            return a.astype(dtype)
    if dtype.kind == "b":
        return draw(hnp.arrays(dtype, shape))
    info = np.iinfo(dtype)
    small = st.integers(max(info.min, -100), min(info.max, 100))
    return draw(hnp.arrays(dtype, shape, elements=st.one_of(small, st.integers(info.min, info.max))))


@settings(max_examples=1000, deadline=None)
@given(arrays())
def test_generated_arrays_print_like_torch(a):
    check_array(a)


@settings(max_examples=300, deadline=None)
@given(arrays(dtypes=FLOATS + [np.int64, np.bool_]),
       st.integers(0, 8), st.sampled_from([0, 5, 20, 1000, math.inf]), st.integers(0, 4),
       st.integers(10, 140), st.sampled_from([None, True, False]),
       st.sampled_from([None, "default", "short", "full"]))
def test_printoptions_like_torch(a, precision, threshold, edgeitems, linewidth, sci_mode, profile):
    with options(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth,
                 sci_mode=sci_mode, profile=profile):
        check_array(a)


@settings(max_examples=100, deadline=None)
@given(arrays(dtypes=[np.float32, np.float64, np.float16, np.int64, np.int32]))
def test_default_float64_like_torch(a):
    with options(default_dtype="float64"):
        check_array(a)


# ----- fixed cases --------------------------------------------------------------------------------
EXAMPLES = [
    (torch.full((2, 2), 0.25, requires_grad=True),
     "tensor([[0.2500, 0.2500],\n        [0.2500, 0.2500]], requires_grad=True)"),
    (torch.tensor(3.1, requires_grad=True) * 1, "tensor(3.1000, grad_fn=<MulBackward0>)"),
    (torch.tensor([1, 2]), "tensor([1, 2])"),
    (torch.tensor([1.0, 2.0], dtype=torch.float64), "tensor([1., 2.], dtype=torch.float64)"),
    (torch.zeros(0, 3), "tensor([], size=(0, 3))"),
    (torch.zeros(0, dtype=torch.int64), "tensor([], dtype=torch.int64)"),
    (torch.tensor([0.1]), "tensor([0.1000])"),
    (torch.tensor([True, False]), "tensor([ True, False])"),
    (torch.tensor([-0.0, 0.0]), "tensor([-0., 0.])"),
    (torch.tensor([math.nan, math.inf]), "tensor([nan, inf])"),
]


@pytest.mark.parametrize("t, text", EXAMPLES, ids=[e[1][:30] for e in EXAMPLES])
def test_documented_examples(t, text):
    assert check(t) == text


@pytest.mark.parametrize("make", [
    lambda: torch.arange(5000),                                   # summarised vector
    lambda: torch.arange(5000.0).reshape(50, 100) / 7,            # summarised matrix, wrapped rows
    lambda: torch.arange(1001.0),                                 # just over the threshold
    lambda: torch.arange(1000.0),                                 # just under: every element shown
    lambda: torch.linspace(-1, 1, 2 * 3 * 400).reshape(2, 3, 400).double(),
    lambda: torch.randn(7, 8, 9, 10, generator=torch.Generator().manual_seed(0)),
    lambda: torch.randn(2000, generator=torch.Generator().manual_seed(1)) * 1e6,
    lambda: torch.tensor([1e-10, 1.0, 1e10], dtype=torch.float64),
    lambda: torch.tensor([1e200, -1e-200], dtype=torch.float64),  # three-digit exponents
    lambda: torch.tensor([123456789.0, 1.0]),                     # int mode switching to sci
    lambda: torch.full((3, 40), 1.5, dtype=torch.float16),
    lambda: torch.tensor(float("nan")),
    lambda: torch.tensor(-0.0, dtype=torch.float64),
    lambda: torch.tensor(True),
    lambda: torch.tensor(7, dtype=torch.uint8),
    lambda: torch.zeros(2, 0, 3, dtype=torch.bool),
    lambda: torch.zeros((), dtype=torch.float16).expand(0),
    lambda: torch.arange(30.0, requires_grad=True).reshape(3, 10).double(),  # ToCopyBackward0 wraps
    lambda: torch.ones(14, dtype=torch.float64, requires_grad=True),          # suffix on its own line
    lambda: torch.ones(13, dtype=torch.float64, requires_grad=True),
])
def test_fixed_cases(make):
    check(make())


def test_set_printoptions_state_and_profiles():
    with options(precision=2):
        assert check(torch.tensor([1.12345])) == "tensor([1.12])"
    with options(threshold=5):
        assert check(torch.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    with options(profile="short"):
        check(torch.arange(3000.0).reshape(30, 100) / 3)
    with options(profile="full"):
        check(torch.arange(1500))
    with options(edgeitems=0, threshold=1):
        check(torch.ones(5, 5))
        check(torch.tensor(2.0))
    with options(sci_mode=True):
        check(torch.tensor([1.0, 2.5]))
        check(torch.zeros(3))  # only zeros: torch never switches to sci mode
    with options(sci_mode=False):
        check(torch.tensor([1e-8, 1e9]))
    with options(linewidth=20, precision=6):
        check(torch.ones(3, 5, dtype=torch.float64, requires_grad=True) * 1)
    # sci_mode is reset by every call, as in torch
    set_printoptions(sci_mode=True)
    set_printoptions(precision=4)
    check(torch.tensor([1.0, 2.5]))


def test_default_dtype_float64_suffixes():
    with options(default_dtype="float64"):
        assert check(torch.tensor([1.0, 2.0])) == "tensor([1., 2.])"
        assert check(torch.tensor([1.0, 2.0], dtype=torch.float32)) == "tensor([1., 2.], dtype=torch.float32)"
        check(torch.zeros(0, dtype=torch.float32))
        check(torch.zeros(0, 2, dtype=torch.float64))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.int64, torch.int32,
                                   torch.int16, torch.int8, torch.uint8, torch.bool])
def test_type_names(dtype):
    legacy = torch.zeros(1, dtype=dtype).type()
    np_dtype = torch.zeros(1, dtype=dtype).numpy().dtype
    assert type_name(np_dtype) == legacy
    assert scalar_type_name(_dtype.from_numpy_dtype(np_dtype)) == legacy[len("torch."):-len("Tensor")]


def test_scalar_type_names_in_torch_messages():
    """The names torch itself uses in a casting error."""
    with pytest.raises(RuntimeError) as info:
        torch.zeros(2, dtype=torch.int64).add_(torch.zeros(2, dtype=torch.float16))
    assert (f"result type {scalar_type_name(_dtype.float16)} can't be cast to the desired output type "
            f"{scalar_type_name(_dtype.int64)}") in str(info.value)
