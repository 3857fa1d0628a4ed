"""Tensor: one NumPy array plus the autograd state torch keeps beside it.

Operations are not defined here: each op family attaches its function, method and
operator forms (``ops/``), so this file holds only state, the autograd entry points and
the in-place protocol.  Slots keep tensors light: a training step makes thousands.
"""
from __future__ import annotations

import sys
import warnings
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _dtype
from ._tensor_str import scalar_type_name, tensor_repr
from .autograd import backward as _backward, grad_mode
from .autograd.node import AccumulateGrad, OutputRef, _Handle

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't "
    "be populated during autograd.backward(). If you indeed want the .grad field to be populated for a "
    "non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
    "mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for "
    "more information.")
LEAF_ONLY = ("you can only change requires_grad flags of leaf variables. If you want to use a computed "
             "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")


_new = object.__new__


class Size(tuple):
    """torch.Size: a tuple that prints as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


if TYPE_CHECKING:  # the methods the op families attach at import, declared for type checkers
    from ._tensor_methods import TensorMethods
else:
    TensorMethods = object


class Tensor(TensorMethods):
    _data: np.ndarray
    _requires_grad: bool
    grad_fn: Any
    _output_nr: int
    _grad: Tensor | None
    _vc: list
    _base: Tensor | None
    _acc: Any
    _hooks: list | None
    _retains_grad: bool
    _view_meta: tuple

    __slots__ = ("_data", "_requires_grad", "grad_fn", "_output_nr", "_grad", "_vc", "_base",
                 "_acc", "_hooks", "_retains_grad", "__weakref__",
                 "_view_meta")  # set only on views (ops/_views.py); unset elsewhere

    # ----- construction -------------------------------------------------------------------
    def __init__(self, *args):
        """torch.Tensor(data) or torch.Tensor(*sizes): float32 (the default dtype), as torch's legacy constructor."""
        from ._creation import tensor as make
        if len(args) == 1 and not isinstance(args[0], int):
            data = make(args[0], dtype=_dtype.get_default_dtype())._data
        else:
            data = np.empty(tuple(args), dtype=_dtype.get_default_dtype().np)
        made = Tensor._make(data, False, None)  # the state every tensor starts with, set in one place
        for name in _STATE:
            setattr(self, name, getattr(made, name))

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool, grad_fn, output_nr: int = 0, vc=None) -> "Tensor":
        """The constructor ops use: no checks, no copies, no further call (every op makes one)."""
        t = _new(cls)
        t._data = data
        t._requires_grad = requires_grad
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        t._grad = None
        t._vc = [0] if vc is None else vc
        t._base = None
        t._acc = None
        t._hooks = None
        t._retains_grad = False
        return t

    # ----- metadata -----------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    def _wrap_dim(self, dim: int) -> int:
        n = self._data.ndim
        lo, hi = (-1, 0) if n == 0 else (-n, n - 1)
        if not lo <= dim <= hi:
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
        return dim % n if n else 0

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def device(self) -> str:
        return "cpu"

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def stride(self, dim: int | None = None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[self._wrap_dim(dim)]

    @property
    def _version(self) -> int:
        return self._vc[0]

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __hash__(self) -> int:
        return id(self)

    # ----- autograd state -----------------------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self._set_requires_grad(value, "only Tensors of floating point and complex dtype can require gradients")

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self._set_requires_grad(requires_grad, "only Tensors of floating point dtype can require gradients")
        return self

    def _set_requires_grad(self, value, dtype_message):
        value = bool(value)
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(LEAF_ONLY)
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(dtype_message)
        self._requires_grad = value
        if value and _shares_memory(self):
            _track_views()  # its views now require grad too

    @property
    def grad(self):
        # the recorded grad_fn, not re-derived: reading .grad of a stale view is no use of its history
        if self._grad is None and _GRAD_FN_SLOT.__get__(self) is not None and not self._retains_grad:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                                   f"of size '{list(self.shape)}'. Please ensure that the gradient and the tensor "
                                   f"are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_name(value.dtype)}' "
                    f"to a tensor with grad_dtype '{scalar_type_name(self.dtype)}'. The gradient must match the "
                    f"tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
                    f"attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
                    f"Diverging the dtypes of a tensor and its gradient may break downstream systems that assume "
                    f"they match.")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self.grad_fn._hooks_or_new().retain[self._output_nr] = weakref.ref(self)
        self._retains_grad = True

    def register_hook(self, hook):
        """hook(grad) -> Tensor or None, called with the gradient w.r.t. this tensor."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            return _Handle(self._hooks, hook)
        hooks = self.grad_fn._hooks_or_new().tensor.setdefault(self._output_nr, [])
        return _Handle(hooks, hook)

    def _accumulate_node(self) -> AccumulateGrad | None:
        """This leaf's AccumulateGrad: the graph holds it, the tensor only a weak reference, as in torch.
        A view made under no_grad of a tensor that requires grad is such a leaf but has none (torch's edge
        to it is empty)."""
        if self._base is not None:
            return None
        node = self._acc() if self._acc is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._acc = weakref.ref(node)
        return node

    def _accumulate(self, grad, create_graph: bool) -> None:
        """AccumulateGrad's work: add into .grad in place (a first grad is copied, so nothing aliases it).
        A leaf that stopped requiring grad since the graph was built gets nothing, as in torch."""
        if not self._requires_grad:
            return
        if isinstance(grad, Tensor):
            if self._grad is None:
                self._grad = grad if create_graph else Tensor._make(grad._data.astype(self._data.dtype), False, None)
            elif create_graph:
                self._grad = self._grad + grad
            else:
                self._grad._data += grad._data
                self._grad._vc[0] += 1
            return
        if self._grad is None:
            self._grad = Tensor._make(np.array(grad, dtype=self._data.dtype), False, None)
        else:
            target = self._grad._data
            if type(grad) is np.ndarray and grad.dtype is target.dtype:
                target += grad
            else:
                np.add(target, grad, out=target, casting="unsafe")
            self._grad._vc[0] += 1

    def _retain(self, grad) -> None:
        """The retain_grad hook: the first gradient is copied, later ones are added out of place."""
        if not isinstance(grad, Tensor):
            grad = Tensor._make(np.array(grad, dtype=self._data.dtype), False, None)
        elif grad.requires_grad and not grad_mode._state.enabled:
            grad = grad.detach()
        if self._grad is None:
            self._grad = grad.detach().clone() if not grad_mode._state.enabled else grad.clone()
        else:
            self._grad = self._grad + grad

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False, inputs=None) -> None:
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> "Tensor":
        """A new leaf sharing this tensor's memory and version counter."""
        return Tensor._make(self._data, False, None, 0, self._vc)

    def detach_(self) -> "Tensor":
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
                "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
                "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._output_nr = 0
        self._requires_grad = False
        return self

    @property
    def data(self) -> "Tensor":
        """Shares memory but not the version counter: edits through .data go unnoticed (torch's escape hatch)."""
        return Tensor._make(self._data, False, None)

    @data.setter
    def data(self, value: "Tensor") -> None:
        self._data = value._data

    # ----- conversion ---------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data if dtype is None else self._data.astype(dtype)

    def __float__(self) -> float:
        if self._requires_grad:
            _warn_scalar_once()
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __repr__(self) -> str:
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    # ----- in place -----------------------------------------------------------------------
    def _check_inplace(self) -> None:
        """Torch's refusal to edit a leaf (or a view of one) that requires grad while grad mode is on."""
        if not grad_mode._state.enabled:
            return
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        base = self._base
        if base is not None and base.grad_fn is None and base._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")

    def _inplace(self, op, *args, ufunc=None, **kwargs) -> "Tensor":
        """``self.op_(*args)``: compute ``op(self, *args)`` and write it into self.

        Without a graph to record, NumPy writes straight into the array (``ufunc`` with ``out=``).
        With one, the result's history becomes this tensor's history, as torch rebases an
        in-place op's output; the old value is kept for formulas that need it.
        """
        if self._base is not None:  # torch refuses some writes through views before anything else
            from .ops._views import check_inplace_on_view
            check_inplace_on_view(self, args)
        self._check_inplace()
        recording = grad_mode._state.enabled and (
            self._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args)) and (
            self._data.dtype.kind == "f")  # an integer tensor never gets a history (int.copy_(float) has none)
        if not recording:
            if ufunc is not None and not kwargs and self._data.dtype.kind == "f" and _floating_or_number(args[0]):
                other = args[0]
                other = other._data if isinstance(other, Tensor) else other
                _check_cast(self, args[0])
                _check_output_shape(self, np.shape(other))
                ufunc(self._data, other, out=self._data, casting="unsafe")
            else:
                with grad_mode.no_grad():
                    result = op(self, *args, **kwargs)
                _check_cast(self, result)
                _check_output_shape(self, result._data.shape)
                np.copyto(self._data, result._data, casting="unsafe")
            return self._written()
        old = Tensor._make(self._data.copy(), self._requires_grad, self.grad_fn, self._output_nr)
        result = op(old, *args, **kwargs)
        _check_cast(self, result)
        _check_output_shape(self, result._data.shape)
        np.copyto(self._data, result._data, casting="unsafe")
        self._vc[0] += 1
        shares = _shares_memory(self)  # a view's base, or views, are affected
        _move_saved_output(result, self)
        if shares:
            from .ops import _views
            _views.rebase_history(self, old, result)
        else:
            self.grad_fn, self._output_nr, self._requires_grad = result.grad_fn, result._output_nr, True
        if self._retains_grad:
            _move_retain_grad(self, old.grad_fn, old._output_nr)
        return self

    def _written(self) -> "Tensor":
        """After a write into the data that recorded nothing: a new version, which views must see."""
        self._vc[0] += 1
        if _shares_memory(self):
            _track_views()
        return self


_GRAD_FN_SLOT = Tensor.__dict__["grad_fn"]  # the slot itself (ops/_views.py may wrap it in a property)


def _shares_memory(t: Tensor) -> bool:
    """Whether a write into ``t`` may concern views: it is one, or something else holds its version
    counter (a view of it, a detached alias, a saved output; never wrong the way that matters)."""
    return t._base is not None or sys.getrefcount(t._vc) > 2


def _track_views() -> None:
    """After a change that views must see (a write that recorded nothing, requires_grad_): from now on
    reading a view's history checks whether it is stale (ops/_views.py)."""
    from .ops._views import install_view_tracking
    install_view_tracking()


def _move_retain_grad(tensor: Tensor, old_fn, old_nr: int) -> None:
    """retain_grad keeps the gradient of a tensor's latest value: when its history is rebased (an
    in-place op, a view re-derived) it moves from the old node to the new one (other hooks stay
    with the old value, as in torch)."""
    hooks = old_fn._hooks if old_fn is not None else None
    ref = hooks.retain.pop(old_nr, None) if hooks is not None else None
    if ref is not None and tensor.grad_fn is not None:
        tensor.grad_fn._hooks_or_new().retain[tensor._output_nr] = ref


def _move_saved_output(result: Tensor, target: Tensor) -> None:
    """An in-place op's result lives on in ``target``: where the op's node saved its output (exp_,
    sigmoid_), it now watches ``target``'s memory and version, so a later edit makes backward raise."""
    node = result.grad_fn
    saved = getattr(node, "_saved", None)
    if not saved:
        return
    versions = list(node._versions)
    for i, value in enumerate(saved):
        if type(value) is OutputRef and value._vc is result._vc:
            value._data, value._vc = target._data, target._vc
            versions[i] = target._vc[0]
    node._versions = tuple(versions)


_STATE = tuple(name for name in Tensor.__slots__ if name not in ("__weakref__", "_view_meta"))


def _c_name(d) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "bool": "bool"}.get(d.name, d.name)


def _check_cast(target: Tensor, result) -> None:
    """torch refuses to write a float result into an integer tensor in place (bool < int < float)."""
    if type(result) is Tensor and result._data.dtype == target._data.dtype:
        return  # the common case: nothing to cast
    if isinstance(result, Tensor):
        src = result.dtype
    elif isinstance(result, (bool, int, float)):
        src = _dtype.result_type(target, result)
    else:
        return
    if src._category > target.dtype._category:
        raise RuntimeError(f"result type {scalar_type_name(src)} can't be cast to the desired output type "
                           f"{scalar_type_name(target.dtype)}")


def _floating_or_number(x) -> bool:
    """An operand with which no op refuses a floating tensor (a bool operand may be refused, as in ``-``)."""
    return type(x) in (int, float) or type(x) is Tensor and x._data.dtype.kind == "f"


def _check_output_shape(target: Tensor, other_shape: tuple) -> None:
    """An in-place result must fit the tensor written into: torch refuses to grow it by broadcasting."""
    shape = target._data.shape
    if other_shape == shape:
        return
    try:
        broadcast = np.broadcast_shapes(shape, other_shape)
    except ValueError:
        from .ops._define import check_broadcast
        check_broadcast(np.broadcast_to(0, shape), np.broadcast_to(0, other_shape))
        raise
    if broadcast != shape:
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {list(broadcast)}")


_scalar_warned = [False]


def _warn_scalar_once() -> None:
    if not _scalar_warned[0]:
        _scalar_warned[0] = True
        warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                      "Consider using tensor.detach() first.", UserWarning, stacklevel=3)
