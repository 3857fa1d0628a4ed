"""torch.broadcast_tensors / broadcast_shapes and torch.Size arithmetic, side by side with torch."""
from __future__ import annotations

from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


@scenario
def broadcast_tensors_outputs_and_graph(t, see):
    a = t.zeros(3, requires_grad=True)
    b = t.ones(2, 3, requires_grad=True)
    x, y = t.broadcast_tensors(a, b)
    see("outputs", (x, y))
    see("same object when already broadcast", y is b)
    see("a view of its input", x._base is a)
    (x * y).sum().backward()
    see("grads", (a.grad, b.grad))
    see("one tensor", t.broadcast_tensors(a * 1)[0])
    see.call("a list", lambda: t.broadcast_tensors([t.zeros(2, 1), t.zeros(3)]))


@scenario
def broadcast_errors(t, see):
    see.call("mismatch", lambda: t.broadcast_tensors(t.zeros(2), t.zeros(3)))
    see.call("a number", lambda: t.broadcast_tensors(t.zeros(2), 1.0))
    see.call("shapes mismatch", lambda: t.broadcast_shapes((2,), (3,)))


@scenario
def broadcast_shapes(t, see):
    for shapes in [((2, 1), (3,)), (), ((4, 1, 3), (5, 1), (1,)), (2, (3, 1))]:
        result = t.broadcast_shapes(*shapes)
        see(f"broadcast_shapes{shapes}", repr(result))


@scenario
def size_arithmetic_keeps_size(t, see):
    s = t.Size([2, 3])
    for label, value in [("size + tuple", s + (4,)), ("tuple + size", (1,) + s), ("slice", s[1:]),
                         ("repeat", s * 2), ("index", s[0]), ("numel", s.numel())]:
        see(label, repr(value))


@scenario
def return_types_namespace(t, see):
    r = t.sort(t.tensor([3.0, 1.0, 2.0]))
    see("isinstance", isinstance(r, t.return_types.sort))
    see("fields", (r.values, r.indices, r.n_fields, r.n_sequence_fields, r.n_unnamed_fields))
    see("from a sequence", repr(t.return_types.sort((r[1], r[0]))))
    see("attributes", sorted(a for a in dir(r) if not a.startswith("__")))
    see("repr", repr(r))
    see("aminmax", t.return_types.aminmax.n_fields)
    see("unknown", hasattr(t.return_types, "no_such_type"))  # (an AttributeError naming each library's module)
