"""mygrad.save / mygrad.load: round trips of tensors, state dicts, optimizer and scheduler state and
nested containers, the safety of weights_only loading, and the file format as documented in
mygrad/serialization.py.  Where torch's observable behaviour applies (what comes back for each
type, which loads are refused and how), the same program runs with torch.save/torch.load side by
side (paired scenarios); each library reads only its own files."""
from __future__ import annotations

import collections
import io
import json
import pickle
import zipfile

import numpy as np
import pytest
from paired import scenario_suite

import mygrad

scenario, test_matches_torch = scenario_suite()


class Custom:
    """A user class: pickled on save, refused by weights_only loading."""

    def __init__(self, t):
        self.weight = t.ones(2)
        self.note = "kept"


def round_trip(t, obj, **kwargs):
    buffer = io.BytesIO()
    t.save(obj, buffer)
    buffer.seek(0)
    return t.load(buffer, **kwargs)


def tree(value):
    if isinstance(value, dict):
        return (type(value).__name__, tuple((k, tree(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [tree(v) for v in value])
    if isinstance(value, set):
        return ("set", sorted(value))
    return value


@scenario
def containers_and_scalars(t, see):
    x = t.tensor([[1.5, -2.0], [float("nan"), float("inf")]], requires_grad=True)
    obj = {"x": x, "same x": x, "ints": t.arange(4), "bools": t.tensor([True, False]), "half": t.ones(2).half(),
           "double": t.zeros(3, dtype=t.float64), "scalar": t.tensor(3.25), "empty": t.ones(0, 2),
           "nested": [(1, 2.5, "s", None, True), {"deep": [x]}], 3: "int key", (1, 2): "tuple key",
           "od": collections.OrderedDict(b=1, a=2), "set": {3, 1}, "bytes": b"\x00\xff", "complex": 1 + 2j,
           "size": t.Size([2, 3]), "dtype": t.float16, "floats": [float("nan"), float("-inf"), 1e-310]}
    back = round_trip(t, obj)
    see("loaded", tree(back))
    see("shared tensor stays one object", back["x"] is back["same x"] and back["nested"][1]["deep"][0] is back["x"])
    see("leaf that requires grad", (back["x"].is_leaf, back["x"].requires_grad, back["x"].grad))
    y = x * 2
    back = round_trip(t, y)
    see("non-leaf comes back a leaf", (back, back.is_leaf, back.requires_grad, back.grad_fn))
    view = x[0]
    see("view", round_trip(t, view))


@scenario
def optimizer_and_scheduler_state(t, see):
    rng = np.random.default_rng(0)
    ps = [t.tensor(rng.uniform(-1, 1, (3, 2)), dtype=t.float32, requires_grad=True),
          t.tensor(rng.uniform(-1, 1, (2,)), dtype=t.float32, requires_grad=True)]
    opt = t.optim.Adam(ps, lr=0.1, amsgrad=True)
    sched = t.optim.lr_scheduler.StepLR(opt, step_size=2)
    for _ in range(3):
        for p in ps:
            p.grad = t.ones_like(p)
        opt.step()
        sched.step()
    checkpoint = {"model": {"w": ps[0], "b": ps[1]}, "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                  "epoch": 3}
    back = round_trip(t, checkpoint)
    see("checkpoint", tree(back))
    restored = [p.detach().clone().requires_grad_() for p in ps]
    opt2 = t.optim.Adam(restored, lr=0.5)
    opt2.load_state_dict(back["optimizer"])
    see("reloaded optimizer", tree(opt2.state_dict()))
    for o, group in ((opt, ps), (opt2, restored)):
        for p in group:
            p.grad = t.full(tuple(p.shape), 0.5)
        o.step()
    see("same step after reload", (ps, restored))


@scenario
def weights_only(t, see):
    see.call("custom object, weights_only default", lambda: round_trip(t, {"c": Custom(t)}))
    see.call("custom object, weights_only=True", lambda: round_trip(t, [Custom(t)], weights_only=True))
    see.call("custom object, weights_only=False",
             lambda: tree(round_trip(t, {"c": Custom(t)}, weights_only=False)["c"].__dict__))
    see.call("numpy array, weights_only default", lambda: round_trip(t, np.ones(2)))


def test_safe_globals_allow_a_class():
    mygrad.serialization.add_safe_globals([Custom])
    try:
        back = round_trip(mygrad, {"c": Custom(mygrad)})
        assert isinstance(back["c"], Custom) and back["c"].note == "kept"
        assert back["c"].weight.tolist() == [1.0, 1.0]
    finally:
        mygrad.serialization.clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL test_serialization.Custom"):
        round_trip(mygrad, Custom(mygrad))


def test_the_file_is_the_documented_format(tmp_path):
    """A zip of a JSON manifest and .npy files: readable without mygrad, no pickle for plain data."""
    path = tmp_path / "checkpoint.pt"
    w = mygrad.tensor([[1.0, 2.0]], requires_grad=True)
    mygrad.save({"w": w, "steps": [1, 2], "lr": 0.5, "shared": w}, path)
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read("mygrad/manifest.json"))
        array = np.load(io.BytesIO(archive.read("mygrad/tensors/0.npy")), allow_pickle=False)
    assert names == ["mygrad/manifest.json", "mygrad/tensors/0.npy"]
    assert manifest["format"] == "mygrad-save" and manifest["version"] == 1
    assert manifest["object"]["dict"][0] == ["w", {"tensor": 0, "requires_grad": True, "parameter": False}]
    assert manifest["object"]["dict"][1] == ["steps", {"list": [1, 2]}]
    np.testing.assert_array_equal(array, [[1.0, 2.0]])
    assert mygrad.load(str(path))["w"].tolist() == [[1.0, 2.0]]


def test_files_of_other_formats_are_refused(tmp_path):
    import torch
    torch_file = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, torch_file)
    with pytest.raises(RuntimeError, match="not a file written by mygrad.save"):
        mygrad.load(torch_file)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a zip")
    with pytest.raises(RuntimeError, match="not a file written by mygrad.save"):
        mygrad.load(junk)


def test_tensor_values_round_trip_exactly():
    rng = np.random.default_rng(5)
    for dtype in (mygrad.float16, mygrad.float32, mygrad.float64, mygrad.int8, mygrad.uint8, mygrad.int16,
                  mygrad.int32, mygrad.int64, mygrad.bool):
        x = mygrad.tensor(rng.uniform(-100, 100, (3, 4)), dtype=dtype)
        back = round_trip(mygrad, x)
        assert back.dtype == x.dtype and back.shape == x.shape
        np.testing.assert_array_equal(back.numpy(), x.numpy())


@scenario
def parameters_and_modules(t, see):
    p = t.nn.Parameter(t.ones(2, 3))
    frozen = t.nn.Parameter(t.zeros(2), requires_grad=False)
    back = round_trip(t, {"p": p, "frozen": frozen, "again": p})
    see("types", [type(v).__name__ for v in back.values()])
    see("values", [back["p"], back["frozen"]])
    see("flags", [(v.requires_grad, v.is_leaf) for v in back.values()])
    see("shared", back["p"] is back["again"])
    model = t.nn.Sequential(t.nn.Linear(3, 2), t.nn.ReLU())  # initial values are each library's draws

    def same(a, b):
        return list(a) == list(b) and all(bool((a[k] == b[k]).min()) for k in a)

    state = round_trip(t, model.state_dict())
    see("state_dict", [(k, tuple(v.shape), str(v.dtype), type(v).__name__, v.requires_grad) for k, v in state.items()])
    see("state_dict values kept", same(state, model.state_dict()))
    see("load", str(t.nn.Sequential(t.nn.Linear(3, 2), t.nn.ReLU()).load_state_dict(state)))
    try:
        round_trip(t, model)
    except pickle.UnpicklingError as exc:  # names the class by its module: mygrad.nn... or torch.nn...
        see("a whole module, weights_only default", str(exc).replace("mygrad.nn.", "torch.nn."))
    whole = round_trip(t, model, weights_only=False)
    see("a whole module, weights_only=False", (type(whole).__name__, repr(whole), same(whole.state_dict(),
                                                                                      model.state_dict())))
