"""Records for mygrad/ops/tensor_misc.py: detach, ravel, fill, scalar_tensor and the predicates."""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, LibAttr, Record, TensorArg
from ..strategies import arrays, real, shapes, unary

SMALL = st.sampled_from([(), (1,), (1, 1), (2,), (0,), (1, 2)])
ALL_DTYPES = ("float32", "float64", "int64", "int32", "uint8", "bool")


def one_element(dtype: str):
    """Mostly one-element tensors (is_nonzero's domain), and some that torch refuses."""
    return SMALL.flatmap(lambda shape: arrays(dtype, shape, real(special=(0.0, -0.0)))).map(
        lambda x: Example((TensorArg(x, False),)))


def pairs(dtype: str):
    return st.tuples(arrays(dtype, shapes(max_dims=2)), arrays(dtype, shapes(max_dims=2)), st.booleans()).map(
        lambda t: Example((TensorArg(t[0], False), TensorArg(t[1] if not t[2] else t[0], False))))


def fill_args(dtype: str):
    """A tensor and a number, or a tensor and a 0-d (sometimes not 0-d: torch's error) tensor value."""
    @st.composite
    def draw(draw):
        x = draw(arrays(dtype, shapes(max_dims=3)))
        kind = draw(st.integers(0, 4))
        if kind < 2:
            return Example((TensorArg(x, draw(st.booleans())), draw(st.sampled_from([2.5, -1, 0.0]))))
        value = draw(arrays(dtype, () if kind < 4 else (1,)))
        return Example((TensorArg(x, draw(st.booleans())), TensorArg(value, True)))
    return draw()


@st.composite
def _scalars(draw):
    value = draw(st.sampled_from([3, -2.5, True, 0.0]))
    kwargs = draw(st.sampled_from([{}, {"dtype": LibAttr("float64")}, {"dtype": LibAttr("int64")},
                                   {"requires_grad": True}]))
    return Example((value,), kwargs)


PREDICATE = dict(forms=("function", "method"), grad=False, output="scalar", dtypes=ALL_DTYPES)

RECORDS = [
    Record("ravel", unary(), forms=("function", "method")),
    Record("detach", unary(), forms=("function",), grad=False),
    Record("fill", fill_args, forms=("function",)),
    Record("scalar_tensor", lambda dtype: _scalars(), forms=("function",), grad=False, dtypes=("float32",)),
    Record("is_nonzero", one_element, **PREDICATE),
    Record("is_same_size", pairs, **PREDICATE),
    Record("is_signed", unary(), **PREDICATE),
    Record("is_inference", unary(), **PREDICATE),
    Record("is_complex", unary(), **PREDICATE),
    Record("is_conj", unary(), **PREDICATE),
    Record("is_neg", unary(), **PREDICATE),
    Record("conj", unary(), forms=("function", "method")),
    Record("resolve_conj", unary(), forms=("function", "method")),
    Record("resolve_neg", unary(), forms=("function", "method")),
]
