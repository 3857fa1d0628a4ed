"""Records for the shape family: views and reshapes (view, reshape, flatten, squeeze, unsqueeze, expand,
transposes, permute, movedim), the reshaping copies (flip, roll, repeat), and joining and splitting
(cat, stack, split, chunk, unbind).

Each strategy draws a shape and arguments that fit it: a target shape with the same number of
elements (sometimes with -1, sometimes not fitting), dims in range and negative, sizes to expand to,
split sizes that add up (and now and then do not, for torch's refusal).  Inputs that are not
contiguous are drawn through the call form (a permuted tensor), since that decides whether reshape
is a view (ViewBackward0 / ReshapeAliasBackward0) or a copy (UnsafeViewBackward0 over CloneBackward0).
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import MAX_SIDE, arrays, grad_flags, shapes, tensor_lists

VIEW_FORMS = ("method",)   # torch has no torch.view / torch.expand / torch.repeat functions


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _factors(n: int) -> list:
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out + ([n] if n > 1 else [])


@st.composite
def _target_shape(draw, shape: tuple) -> tuple:
    """A shape with as many elements as ``shape``: its prime factors spread over 0-4 dims, sometimes one
    dim given as -1, now and then a shape that does not fit (torch's error)."""
    numel = _numel(shape)
    if draw(st.integers(0, 15)) == 0:
        return tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    ndim = draw(st.integers(1 if numel != 1 else 0, 4))
    if numel == 0:
        dims = [draw(st.integers(0, 3)) for _ in range(ndim)]
        dims[draw(st.integers(0, ndim - 1))] = 0
    else:
        dims = [1] * ndim
        for f in _factors(numel):
            dims[draw(st.integers(0, ndim - 1))] *= f
    if dims and numel and draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


def _one(dtype: str, extra, min_dims: int = 0, max_dims: int = 4, min_side: int = 0, ties: bool = False):
    """One tensor and the further arguments ``extra(shape)`` draws for it (a tuple of args, a dict of kwargs)."""
    def make(x):
        return extra(x.shape).map(lambda ak: Example((TensorArg(x),) + tuple(ak[0]), dict(ak[1])))
    return arrays(dtype, shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side)).flatmap(make)


def _args(*strategies):
    return st.tuples(st.tuples(*strategies), st.just({}))


def _dim(ndim: int, extra: int = 0):
    """A dim for a tensor of ``ndim`` dims (``extra`` more for ops that add one), negative too."""
    n = max(ndim + extra, 1)
    return st.integers(-n, n - 1)


def reshapes(shape_as_tuple: bool = False):
    def build(dtype):
        return _one(dtype, lambda shape: _target_shape(shape).map(
            lambda target: ((target,) if shape_as_tuple else target, {})))
    return build


def permuted(extra):
    """A tensor with a drawn permutation of its dims (applied by the call form, to get a non-contiguous
    input) and what ``extra(permuted shape)`` draws."""
    def build(dtype):
        def make(x):
            def with_perm(perm):
                shape = tuple(x.shape[p] for p in perm)
                return extra(shape).map(lambda ak: Example((TensorArg(x), tuple(perm)) + tuple(ak[0]), dict(ak[1])))
            return st.permutations(range(x.ndim)).flatmap(with_perm)
        return arrays(dtype, shapes(min_dims=2, max_dims=4)).flatmap(make)
    return build


def _flatten_args(shape):
    if not shape:
        return st.just(((), {}))
    return st.one_of(st.just(((), {})), st.tuples(_dim(len(shape)), _dim(len(shape))).map(
        lambda se: ((), {"start_dim": se[0], "end_dim": se[1]})))


def _squeeze_args(shape):
    n = len(shape)
    return st.one_of(st.just(((), {})), _dim(n).map(lambda d: ((d,), {})),
                     st.lists(st.integers(0, max(n - 1, 0)), max_size=max(n, 1), unique=True).map(
                         lambda ds: ((tuple(ds),), {})) if n else st.just((((),), {})))


def _ones_shapes(min_dims=0):
    """Shapes rich in size-1 dims (squeeze and expand have something to act on)."""
    return st.lists(st.sampled_from([1, 1, 2, 3, 0]), min_size=min_dims, max_size=4).map(tuple)


def _with_ones(dtype, extra):
    return _ones_shapes().flatmap(lambda shape: arrays(dtype, shape)).flatmap(
        lambda x: extra(x.shape).map(lambda ak: Example((TensorArg(x),) + tuple(ak[0]), dict(ak[1]))))


def _expand_sizes(shape):
    """Sizes to expand to: size-1 dims grow (or stay), others keep their size or say -1; up to two new
    leading dims; now and then a size that does not match (torch's error)."""
    per_dim = [st.sampled_from([1, 2, 3, -1]) if n == 1 else st.sampled_from([n, -1, n, n + 1 if n else 1])
               for n in shape]
    lead = st.lists(st.integers(0, 3), max_size=2)
    return st.tuples(lead, st.tuples(*per_dim)).map(lambda lp: (tuple(lp[0]) + tuple(lp[1]), {}))


def expands(as_tensor: bool = False):
    def build(dtype):
        def make(x):
            def done(sizes_kw):
                sizes = sizes_kw[0]
                if as_tensor:
                    if -1 in sizes:
                        sizes = tuple(x.shape[i - (len(sizes) - x.ndim)] if s == -1 else s
                                      for i, s in enumerate(sizes))
                    return st.tuples(arrays(dtype, sizes), grad_flags(2)).map(
                        lambda of: Example((TensorArg(x, of[1][0]), TensorArg(of[0], of[1][1]))))
                return st.just(Example((TensorArg(x), sizes)))
            return _expand_sizes(x.shape).flatmap(done)
        return _ones_shapes().flatmap(lambda shape: arrays(dtype, shape)).flatmap(make)
    return build


def _two_dims(shape):
    return _args(_dim(len(shape)), _dim(len(shape)))


def _permutation(shape):
    n = len(shape)
    return st.permutations(range(n)).flatmap(
        lambda p: st.tuples(*[st.sampled_from([d, d - n]) for d in p])).map(lambda p: ((p,), {}))


def _movedim_args(shape):
    n = len(shape)
    if not n:
        return st.just(((0, 0), {}))
    single = st.tuples(_dim(n), _dim(n)).map(lambda sd: (sd, {}))
    many = st.integers(1, n).flatmap(lambda k: st.tuples(
        st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True),
        st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))).map(
        lambda sd: ((tuple(sd[0]), tuple(sd[1])), {}))
    return st.one_of(single, many)


def _flip_dims(shape):
    n = len(shape)
    return st.lists(st.integers(0, max(n - 1, 0)), max_size=n, unique=True).map(lambda ds: ((tuple(ds),), {}))


def _roll_args(shape):
    n = len(shape)
    flat = st.integers(-5, 5).map(lambda s: ((s,), {}))
    if not n:
        return flat
    along = st.lists(st.tuples(st.integers(-5, 5), _dim(n)), min_size=1, max_size=n).map(
        lambda sd: ((tuple(s for s, _ in sd), tuple(d for _, d in sd)), {}))
    return st.one_of(flat, along)


def _repeats(shape):
    return st.lists(st.integers(0, 3), min_size=len(shape), max_size=len(shape) + 2).map(
        lambda r: (tuple(r), {}))


def _split_args(shape):
    """split_size (an int, 0 only where torch allows it) or sizes along a dim (summing to its size,
    now and then not), with the dim."""
    n = len(shape)

    def for_dim(d):
        size = shape[d]
        sections = st.lists(st.integers(0, size), min_size=1, max_size=4).map(
            lambda parts: parts if sum(parts) == size else parts + [size - sum(parts)]
            if size - sum(parts) >= 0 else parts)
        return st.one_of(st.integers(1 if size else 0, MAX_SIDE + 1), sections).map(lambda s: ((s, d), {}))
    return st.integers(-n, n - 1).flatmap(for_dim)


def _chunk_args(shape):
    return st.tuples(st.integers(1, 5), _dim(len(shape))).map(lambda cd: (cd, {}))


def _dim_only(shape):
    return _dim(len(shape)).map(lambda d: ((d,), {}))


def _unsqueeze_dim(shape):
    return _dim(len(shape), extra=1).map(lambda d: ((d,), {}))


def one(extra, min_dims: int = 0, max_dims: int = 4, min_side: int = 0):
    return lambda dtype: _one(dtype, extra, min_dims, max_dims, min_side)


def with_ones(extra):
    return lambda dtype: _with_ones(dtype, extra)


def _none(shape):
    return st.just(((), {}))


RECORDS = [
    Record("view", reshapes(), forms=VIEW_FORMS),
    Record("view", reshapes(shape_as_tuple=True), forms=VIEW_FORMS, label="view (tuple)"),
    Record("view", permuted(lambda shape: _target_shape(shape).map(lambda t: ((t,), {}))), forms=("call",),
           call=lambda lib, x, perm, shape: x.permute(perm).view(shape), label="view (permuted)"),
    Record("reshape", reshapes(shape_as_tuple=True)),
    Record("reshape", reshapes(), forms=VIEW_FORMS, label="reshape (sizes)"),
    Record("reshape", permuted(lambda shape: _target_shape(shape).map(lambda t: ((t,), {}))), forms=("call",),
           call=lambda lib, x, perm, shape: x.permute(perm).reshape(shape), label="reshape (permuted)"),
    Record("flatten", one(_flatten_args)),
    Record("flatten", permuted(_flatten_args), forms=("call",),
           call=lambda lib, x, perm, **kw: x.permute(perm).flatten(**kw), label="flatten (permuted)"),
    Record("squeeze", with_ones(_squeeze_args)),
    Record("unsqueeze", one(_unsqueeze_dim)),
    Record("expand", expands(), forms=VIEW_FORMS),
    Record("expand_as", expands(as_tensor=True), forms=VIEW_FORMS),
    Record("broadcast_to", expands()),
    Record("t", one(_none, max_dims=2)),
    Record("transpose", one(_two_dims)),
    Record("swapaxes", one(_two_dims)),
    Record("permute", one(_permutation)),
    Record("movedim", one(_movedim_args)),
    Record("T", one(_none, max_dims=2), forms=("call",), call=lambda lib, x: x.T),
    Record("mT", one(_none, min_dims=2), forms=("call",), call=lambda lib, x: x.mT),
    Record("contiguous", permuted(lambda shape: st.just(((), {}))), forms=("call",),
           call=lambda lib, x, perm: x.permute(perm).contiguous()),
    Record("clone", one(_none)),
    Record("clone", permuted(lambda shape: st.just(((), {}))), forms=("call",),
           call=lambda lib, x, perm: x.permute(perm).clone(), label="clone (permuted)"),
    Record("flip", one(_flip_dims)),
    Record("roll", one(_roll_args)),
    Record("repeat", one(_repeats, max_dims=3), forms=VIEW_FORMS),
    Record("tile", one(_repeats, max_dims=3), forms=VIEW_FORMS, label="tile (sizes)"),
    Record("tile", one(lambda shape: _repeats(shape).map(lambda rk: ((rk[0],), {})), max_dims=3)),
    Record("cat", tensor_lists()),
    Record("stack", tensor_lists(along_dim=False, new_dim=True)),
    Record("split", one(_split_args, min_dims=1), output="tuple"),
    Record("chunk", one(_chunk_args, min_dims=1), output="tuple"),
    Record("unbind", one(_dim_only, min_dims=1), output="tuple"),
]
