"""Tensor: one NumPy array plus the autograd state torch keeps beside it.

Operations are not defined here: each op family attaches its function, method and
operator forms (``ops/``), so this file holds only state, the autograd entry points and
the in-place protocol.  Slots keep tensors light: a training step makes thousands.
"""
from __future__ import annotations

import sys
import threading
import warnings
import weakref
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from . import _device, _dtype, _quiet
from ._missing import tensor_getattr
from ._tensor_str import scalar_type_name, tensor_repr
from .autograd import anomaly_mode as _anomaly, backward as _backward, forward_ad as _forward_ad, grad_mode
from .autograd.forward_ad import levels as _fw_levels
from .autograd.grad_mode import DetachedInferenceVersion, InferenceVersion, _state as _grad_state
from .autograd.node import AccumulateGrad, OutputRef, _Handle

_T = TypeVar("_T", bound="Tensor")  # _make makes the class it is called on (Parameter, Buffer)

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't "
    "be populated during autograd.backward(). If you indeed want the .grad field to be populated for a "
    "non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
    "mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for "
    "more information.")
LEAF_ONLY = ("you can only change requires_grad flags of leaf variables. If you want to use a computed "
             "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")


_new = object.__new__
DEFAULT, NO_GRAD, MULTI_OUTPUT, IN_CUSTOM_FUNCTION, INFERENCE = range(5)  # how a view was made (CreationMeta)


class Size(tuple):
    """torch.Size: a tuple that prints as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))

    # concatenating, repeating and slicing a Size gives a Size, as torch's (a tuple on either side of +)
    def __add__(self, other):
        return Size(tuple(self) + tuple(other)) if isinstance(other, tuple) else NotImplemented

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self)) if isinstance(other, tuple) else NotImplemented

    def __mul__(self, times):
        return Size(tuple(self) * times)

    __rmul__ = __mul__

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item


if TYPE_CHECKING:  # the methods the op families attach at import, declared for type checkers
    from ._tensor_methods import TensorMethods
else:
    TensorMethods = object


class Tensor(TensorMethods):
    _data: np.ndarray
    _rg: bool
    _fn: Any
    _output_nr: int
    _grad: Tensor | None
    _vc: list
    _base: Tensor | None
    _acc: Any
    _hooks: list | None
    _retains_grad: bool
    _view_meta: tuple
    _view_leaf: bool

    __slots__ = ("_data", "_rg", "_fn", "_output_nr", "_grad", "_vc", "_base",
                 "_acc", "_hooks", "_retains_grad", "__weakref__",
                 "_view_meta",   # set only on views (ops/_views.py); unset elsewhere
                 "_view_leaf")   # set only on views given requires_grad_ themselves: torch's own flag

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
    def _make(cls: type[_T], data: np.ndarray, requires_grad: bool, grad_fn, output_nr: int = 0, vc=None) -> _T:
        """The constructor ops use: no checks, no copies, no further call (every op makes one)."""
        t = _new(cls)
        t._data = data
        t._rg = requires_grad
        t._fn = grad_fn
        t._output_nr = output_nr
        t._grad = None
        t._vc = ([0] if not _grad_state.inference else InferenceVersion((0,))) if vc is None else vc
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
        return dim_size(self._data.shape, dim)

    def _wrap_dim(self, dim: int) -> int:
        return wrap_dim(dim, self._data.ndim)

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
    def device(self) -> _device.device:
        return _device.CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def stride(self, dim: int | None = None):
        data = self._data
        if data.size == 0 and not any(data.strides):
            strides = _contiguous_strides(data.shape)  # NumPy gives an empty array zero strides; torch does not
        else:
            strides = tuple(s // data.itemsize for s in data.strides)
        return strides if dim is None else strides[self._wrap_dim(dim)]

    @property
    def _version(self) -> int:
        if type(self._vc) is InferenceVersion:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._vc[0]

    def is_inference(self) -> bool:
        return isinstance(self._vc, InferenceVersion)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) after a backward has accumulated into this leaf's .grad."""
        from .autograd.graph import register_post_accumulate_grad_hook
        return register_post_accumulate_grad_hook(self, hook)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __hash__(self) -> int:
        return id(self)

    # ----- autograd state -----------------------------------------------------------------
    # ``_fn`` and ``_rg`` are the recorded history and flag.  A view reads through them: its history is
    # re-derived when its base was edited in place since it was built, and it requires grad when its
    # base does (torch's lazy view regeneration; ops/_views.py).  Recording an op reads the slots
    # directly for a tensor that is no view (``_base is None``), so the check costs nothing there.
    @property
    def grad_fn(self):
        if self._base is not None:
            meta = getattr(self, "_view_meta", None)
            if meta is not None and meta[0] != self._vc[0]:
                _refresh_view(self)
        return self._fn

    @grad_fn.setter
    def grad_fn(self, node) -> None:
        self._fn = node
        if node is not None and _anomaly._state.enabled:
            _anomaly.remember_forward(node)

    @property
    def _requires_grad(self) -> bool:
        base = self._base
        if base is None:
            return self._rg
        # a view requires grad when it has a history, its own flag, or its base does
        if self._fn is not None or base._rg:
            return True
        own = getattr(self, "_view_leaf", None)
        if own is not None:  # given requires_grad_ itself
            return own
        meta = getattr(self, "_view_meta", None)
        if meta is not None and meta[1] in (NO_GRAD, INFERENCE):
            return False  # (its slot holds the base's flag at creation, for when nothing is tracked)
        return self._rg

    @_requires_grad.setter
    def _requires_grad(self, value: bool) -> None:
        self._rg = value

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._rg if self._base is None else self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self._set_requires_grad(value, "only Tensors of floating point and complex dtype can require gradients")

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self._set_requires_grad(requires_grad, "only Tensors of floating point dtype can require gradients")
        return self

    def _set_requires_grad(self, value, dtype_message):
        value = bool(value)
        if value and isinstance(self._vc, InferenceVersion) and not _grad_state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(LEAF_ONLY)
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(dtype_message)
        if self._base is not None:
            # a view's own flag (torch's requires_grad_): it makes the view a leaf with its own .grad; the
            # view still requires grad while its base does (ops/_views.py reads both)
            self._view_leaf = value
        self._requires_grad = value  # its views follow: they now require grad too, or (made under no_grad) no longer

    @property
    def grad(self):
        # the recorded grad_fn, not re-derived: reading .grad of a stale view is no use of its history
        if self._grad is None and self._fn is not None and not self._retains_grad:
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
        if self._fn is None or self._retains_grad:
            return  # a leaf, judged on the recorded history as torch does (a stale view is not re-derived)
        self.grad_fn._hooks_or_new().retain[self._output_nr] = weakref.ref(self)
        self._retains_grad = True

    def register_hook(self, hook):
        """hook(grad) -> Tensor or None, called with the gradient w.r.t. this tensor."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._hooks is None:
            # torch's tensor keeps one set of hooks, given to its grad_fn at the first registration: later ones
            # join it without reading grad_fn again, until a new history (an in-place op, a view re-derived)
            # leaves the set with the old node (_reset_hooks)
            self._hooks = []   # (set first, as torch's: a grad_fn read that raises leaves the set in place)
            fn = self.grad_fn
            if fn is not None:
                self._hooks = fn._hooks_or_new().tensor.setdefault(self._output_nr, [])
        return _Handle(self._hooks, hook)

    def _accumulate_node(self) -> AccumulateGrad | None:
        """This leaf's AccumulateGrad: the graph holds it, the tensor only a weak reference, as in torch.
        A view that is a leaf has one only if it was given ``requires_grad_(True)`` itself: one that
        requires grad through its base alone (made under no_grad) has none (torch's edge to it is empty)."""
        if self._base is not None and not getattr(self, "_view_leaf", False):
            return None
        node = self._acc() if self._acc is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._acc = weakref.ref(node)
        return node

    def _accumulate(self, grad, create_graph: bool, held: bool = False) -> None:
        """AccumulateGrad's work: add into .grad in place (a first grad is copied, so nothing aliases it).
        A leaf that stopped requiring grad since the graph was built gets nothing, as in torch.
        One thread at a time, as torch's per-leaf mutex: NumPy's ``+=`` on a large array releases the GIL,
        and two backwards into a shared leaf would otherwise lose updates.  ``held``: another edge still
        holds this very gradient (torch's use count), so it is copied, never stolen."""
        if self.grad_fn is not None:   # (a view given requires_grad_, re-derived from its base since)
            raise RuntimeError("leaf variable has been moved into the graph interior")
        if not self._requires_grad:
            return
        with _ACCUMULATING:
            self._add_to_grad(grad, create_graph, held)

    def _add_to_grad(self, grad, create_graph: bool, held: bool = False) -> None:
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
            shared = None if held else _stolen_element(grad, self._data)
            self._grad = Tensor._make(np.array(grad, dtype=self._data.dtype) if shared is None else shared, False, None)
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
        vc = self._vc
        if isinstance(vc, InferenceVersion):
            # torch's detach of an inference tensor: inside inference mode another inference tensor; outside,
            # still is_inference() but with a version counter of its own, editable in place
            vc = InferenceVersion((0,)) if _grad_state.inference else DetachedInferenceVersion((0,))
        return Tensor._make(self._data, False, None, 0, vc)

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
        if self._requires_grad and not force and _grad_state.enabled:   # (torch allows it under no_grad)
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    # NumPy meeting a tensor, as with torch: ``array op tensor`` defers to the tensor's reflected operator
    # (which refuses an ndarray, as torch's does), and a ufunc over tensors (``np.exp(t)``, ``t + array``
    # through the array's reflected operator) gives a tensor back, without a graph.
    __array_priority__ = 1000

    def __array_wrap__(self, array, context=None, return_scalar=False):
        array = np.asarray(array)
        if array.dtype == np.bool_:   # (torch's __array_wrap__ makes a bool result uint8)
            array = array.astype(np.uint8)
        return Tensor._make(array, False, None)

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad and _grad_state.enabled:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data if dtype is None else self._data.astype(dtype)

    def _scalar(self):
        """The one value of a one-element tensor, for float(), int() and complex()."""
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __float__(self) -> float:
        if self._requires_grad:
            _warn_scalar_once()
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    __getattr__ = tensor_getattr  # (only reached when an attribute is missing)

    # ----- pickling and copying -------------------------------------------------------------
    def __reduce_ex__(self, protocol):
        """A tensor pickles as torch's does: a leaf with its values, strides and requires_grad, without
        its graph or .grad (a non-leaf comes back as a leaf that requires grad)."""
        return _rebuild, (type(self), *_strided_storage(self._data), self._requires_grad)

    def __deepcopy__(self, memo: dict) -> "Tensor":
        """A copy of a leaf; tensors sharing memory (a view and its base) stay sharing it in the copy."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at "
                "the moment.  If you were attempting to deepcopy a module, this may be because of a "
                "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        root = self._data
        while isinstance(root.base, np.ndarray):
            root = root.base
        root_copy = memo.get(id(root))
        if root_copy is None:
            root_copy = memo[id(root)] = np.array(root, copy=True, order="K")
            memo.setdefault(id(memo), []).append(root)  # (keeps ``root`` alive while the memo is, as copy does)
        offset = self._data.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        if root.flags.c_contiguous and root_copy.flags.c_contiguous:
            data = np.ndarray(self._data.shape, self._data.dtype, buffer=root_copy, offset=offset,
                              strides=self._data.strides)
        else:
            data = self._data.copy()
        copied = type(self)._make(data, self._requires_grad, None)
        memo[id(self)] = copied
        if self._grad is not None:
            copied._grad = self._grad.__deepcopy__(memo)
        return copied

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
        base = self._base
        # torch asks the view question first: a view that requires grad, of a leaf (whether or not that
        # leaf requires grad: a view given requires_grad_ itself counts)
        if base is not None and base.grad_fn is None and self._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")

    def _inplace(self, op, *args, ufunc=None, **kwargs) -> "Tensor":
        """``self.op_(*args)``: compute ``op(self, *args)`` and write it into self.

        Without a graph to record, NumPy writes straight into the array (``ufunc`` with ``out=``).
        With one, the result's history becomes this tensor's history, as torch rebases an
        in-place op's output; the old value is kept for formulas that need it.
        """
        if _fw_levels and _forward_ad.involves_dual(self,
                                                    (*args, *kwargs.values())):  # forward-mode AD: the tangent follows
            return _forward_ad.inplace(self, op, args, kwargs, ufunc)
        # torch writes an expanded tensor with a fill, and copies a tensor into itself (copy_'s is_same shortcut)
        name = getattr(op, "__name__", "")
        fills = name in ("fill_op", "zeros_like_op") or name == "copy_op" and args[0] is self
        if self._base is not None:  # torch refuses some writes through views before anything else
            from .ops._views import check_inplace_on_view
            check_inplace_on_view(self, args, overlap=not fills)
        elif 0 in self._data.strides and not fills:
            _check_overlap(self)  # an expanded tensor that is no view
        self._check_inplace()
        recording = grad_mode._state.enabled and (
            self._requires_grad or any(isinstance(a, Tensor) and a._requires_grad
                                       for a in (*args, *kwargs.values()))) and (
            self._data.dtype.kind == "f")  # an integer tensor never gets a history (int.copy_(float) has none)
        if not recording:
            if ufunc is not None and not kwargs and self._data.dtype.kind == "f" and _floating_or_number(args[0]):
                other = args[0]
                other = other._data if isinstance(other, Tensor) else other
                _check_cast(self, args[0])
                _check_output_shape(self, np.shape(other))
                token = _quiet.enter(_quiet.IGNORE)
                try:
                    ufunc(self._data, other, out=self._data, casting="unsafe")
                finally:
                    _quiet.leave(token)
            else:
                with grad_mode.no_grad():
                    result = op(self, *args, **kwargs)
                _check_cast(self, result)
                _check_output_shape(self, result._data.shape)
                _quiet_copy(self._data, result._data)
            return self._written()
        old = Tensor._make(self._data.copy(), self._requires_grad, self.grad_fn, self._output_nr)
        result = op(old, *args, **kwargs)
        _check_cast(self, result)
        _check_output_shape(self, result._data.shape)
        _quiet_copy(self._data, result._data)
        self._vc[0] += 1
        shares = _shares_memory(self)  # a view's base, or views, are affected
        _move_saved_output(result, self)
        if shares:
            from .ops import _views
            _views.rebase_history(self, old, result)
        else:
            self.grad_fn, self._output_nr, self._requires_grad = result.grad_fn, result._output_nr, True
            _reset_hooks(self)
        if self._retains_grad:
            _move_retain_grad(self, old.grad_fn, old._output_nr)
        return self

    def _written(self) -> "Tensor":
        """After a write into the data that recorded nothing: a new version, which views must see."""
        self._vc[0] += 1
        return self


_ACCUMULATING = threading.Lock()  # held while a gradient is added into a leaf's .grad


def _quiet_copy(target: np.ndarray, values: np.ndarray) -> None:
    """An in-place op's result written back into the target's dtype: torch casts silently (a float64
    subnormal into float32 is 0, 1e300 is inf), whatever NumPy's error state."""
    token = _quiet.enter(_quiet.IGNORE)
    try:
        np.copyto(target, values, casting="unsafe")
    finally:
        _quiet.leave(token)


def _stolen_element(grad, leaf: np.ndarray) -> np.ndarray | None:
    """What torch's AccumulateGrad keeps as a 0-d leaf's first gradient when that gradient is a view of an
    element of another (stack's and cat's backward hand out views of theirs; sum's expands its own): it steals
    the view rather than copying it, so leaves given views of one element share it, and a later backward,
    which adds in place, adds into all of them and into the ``gradient`` the user passed, if it came from
    there.  Here: a writable 0-d view of that element, or None (a copy, as in every other case)."""
    if type(grad) is not np.ndarray or grad.ndim or leaf.ndim or grad.dtype != leaf.dtype or grad.base is None:
        return None
    root = grad
    while isinstance(root.base, np.ndarray):
        root = root.base
    if root is grad or not root.flags.writeable or not root.flags.c_contiguous or \
            (grad.flags.writeable and root.size == 1):   # (a reshape of a one-element gradient: torch passes it
        return None                                        # on as it is, and a gradient the user holds is copied)
    offset = grad.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    if not 0 <= offset < root.nbytes or offset % root.itemsize:
        return None
    index = offset // root.itemsize
    return root.reshape(-1)[index:index + 1].reshape(())


def _shares_memory(t: Tensor) -> bool:
    """Whether a write into ``t`` may concern views: it is one, or something else holds its version
    counter (a view of it, a detached alias, a saved output; never wrong the way that matters)."""
    return t._base is not None or sys.getrefcount(t._vc) > 2


def _check_overlap(t: Tensor) -> None:
    from .ops._views import OVERLAP_MESSAGE, has_internal_overlap
    if has_internal_overlap(t._data):
        raise RuntimeError(OVERLAP_MESSAGE)


def _refresh_view(view: Tensor) -> None:
    """Re-derive a stale view's history (ops/_views.py builds the node; imported here, on the rare stale
    read, because the ops sit above this module)."""
    from .ops._views import refresh
    refresh(view)


def _reset_hooks(tensor: Tensor) -> None:
    """torch's reset_backward_hooks, when a tensor is given a new history: the hooks registered so far stay
    with its old node, the next register_hook starts a new set on the new one."""
    tensor._hooks = None


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


_STATE = tuple(name for name in Tensor.__slots__ if name not in ("__weakref__", "_view_meta", "_view_leaf"))



def _c_name(d) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "bool": "bool"}.get(d.name, d.name)


def _check_cast(target: Tensor, result) -> None:
    """torch refuses to write a float result into an integer tensor in place (bool < int < float)."""
    if isinstance(result, Tensor) and result._data.dtype == target._data.dtype:
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
    return type(x) in (int, float) or isinstance(x, Tensor) and x._data.dtype.kind == "f"


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


def wrap_dim(dim: int, ndim: int) -> int:
    """``dim`` of a tensor of ``ndim`` dims as a non-negative axis, with torch's errors (a 0-d tensor has
    dims 0 and -1); ``unsqueeze`` and ``stack`` ask with ``ndim + 1``."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"argument 'dim' must be int, not {type(dim).__name__}")  # (torch's parser: a TypeError)
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return int(dim) % ndim if ndim else 0


def dim_size(shape: tuple, dim: int) -> int:
    """ATen's ``size(dim)``, which ops read before their own checks: a 0-d tensor has no dim to ask about
    (torch's IndexError names the dim), others wrap ``dim`` as ``wrap_dim`` does."""
    if not shape:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return shape[wrap_dim(dim, len(shape))]


def _contiguous_strides(shape: tuple) -> tuple:
    """torch's strides of a contiguous tensor: a size-0 dim counts as 1."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _strided_storage(data: np.ndarray) -> tuple:
    """``(storage, shape, strides)``: the smallest run of memory holding every element of ``data``, so an
    expanded or transposed tensor pickles with its strides (as torch's storage does) and not as a copy."""
    item = data.itemsize
    if data.size == 0 or any(s < 0 for s in data.strides) or any(s % item for s in data.strides):
        return np.ascontiguousarray(data), data.shape, None
    span = 1 + sum((n - 1) * (s // item) for n, s in zip(data.shape, data.strides))
    storage = np.lib.stride_tricks.as_strided(data, shape=(span,), strides=(item,))
    return storage.copy(), data.shape, tuple(s // item for s in data.strides)


def _rebuild(cls: type[Tensor], storage: np.ndarray, shape: tuple, strides, requires_grad: bool) -> Tensor:
    """What a pickled tensor is loaded by (``Tensor.__reduce_ex__``)."""
    if strides is None:
        data = storage.reshape(shape)
    else:
        item = storage.itemsize
        data = np.lib.stride_tricks.as_strided(storage, shape=shape, strides=tuple(s * item for s in strides))
    return cls._make(data, requires_grad, None)


_scalar_warned = [False]


def _warn_scalar_once() -> None:
    if not _scalar_warned[0]:
        _scalar_warned[0] = True
        warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                      "Consider using tensor.detach() first.", UserWarning, stacklevel=3)
