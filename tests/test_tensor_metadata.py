"""The tensor metadata and dtype shorthands torch has (issue 13), observed side by side with torch (see
paired.py): storage_offset, itemsize, nbytes, is_cpu, layout (torch.strided), output_nr, get_device, and
byte/char/short."""
from __future__ import annotations

from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


def _tensors(t):
    """A leaf, views with offsets (slice, column, transpose, expand, diagonal, a view of a detached
    slice), outputs of multi-output ops (which output each is) and plain op outputs."""
    x = t.arange(12.0).reshape(3, 4).requires_grad_()
    return {
        "leaf": x, "rows": x[1:], "column": x[:, 1], "transposed": x.t(), "detached slice": x.detach()[2:],
        "expanded": x[None].expand(2, 3, 4), "diagonal": x.diagonal(1), "flat tail": x.view(-1)[5:],
        "max values": x.max(0)[0], "max indices": x.max(0)[1], "split 1": x.split(2)[1], "unbind 3": x.unbind(1)[3],
        "sum": x.sum(), "clone of a slice": x[1:].clone(), "int": t.tensor([1, 2, 3]), "bool": t.tensor([True]),
        "double": t.zeros(2, 2, dtype=t.float64), "empty": t.zeros(0, 3),
    }


@scenario
def metadata(t, see):
    for label, x in _tensors(t).items():
        see(label, (x.storage_offset(), x.itemsize, x.nbytes, x.is_cpu, repr(x.layout), x.output_nr,
                    x.get_device()))
    see("layout is torch.strided", t.zeros(1).layout is t.strided)
    see("strided prints", (repr(t.strided), str(t.strided)))
    see.call("layout instances", lambda: t.layout())


@scenario
def dtype_shorthands(t, see):
    for source in (t.tensor([1.5, -2.7, 0.0, 127.0]), t.tensor([3, -4, 0]), t.tensor([True, False]),
                   t.tensor([0.5, 2.0], requires_grad=True)):
        for name in ("byte", "char", "short"):
            see.call(f"{source.dtype} .{name}()", lambda s=source, n=name: getattr(s, n)())
            out = getattr(source, name)()
            see(f"{source.dtype} .{name}() requires_grad", out.requires_grad)
    same = t.tensor([1, 2], dtype=t.uint8)
    see("byte() of uint8 is itself", same.byte() is same)


@scenario
def new_empty_strided(t, see):
    """Sizes, strides, dtype, flags and storage of ``new_empty_strided`` (its values are uninitialised in
    torch: not compared)."""
    x = t.ones(2, 3, dtype=t.float64)
    for size, stride, kwargs in [((2, 3), (1, 2), {}), ((4,), (3,), {"dtype": t.int32}), ((0, 2), (2, 1), {}),
                                 ((2, 2), (0, 1), {"requires_grad": True}), ((), (), {})]:
        out = x.new_empty_strided(size, stride, **kwargs)
        see(f"{size} {stride}", (tuple(out.shape), out.stride(), out.dtype, out.requires_grad, out.is_leaf,
                                 out.storage_offset(), out.is_contiguous()))
    see.call("mismatched lengths", lambda: x.new_empty_strided((2, 3), (1,)))
