"""torch.func basics: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, as function transforms.

Built on ``autograd.grad`` (jvp by the double-backward trick), not on functorch's levels: a
transform differentiates fresh copies of the chosen arguments, and keeps a graph (for nesting,
``grad(grad(f))``, or an enclosing ``backward``) exactly when an argument it was given requires
grad.  Arguments are tensors or tuples/lists of tensors.  ``vmap`` is not implemented (mygrad has
no batching rules): calling it raises NotImplementedError.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _tensor
from .autograd import grad_mode
from .autograd.function import transforms

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap"]


def _is_tensor(x) -> bool:
    return isinstance(x, _tensor.Tensor)


def _flatten(tree) -> list:
    if _is_tensor(tree):
        return [tree]
    if isinstance(tree, (tuple, list)):
        return [leaf for item in tree for leaf in _flatten(item)]
    if isinstance(tree, dict):
        return [leaf for key in tree for leaf in _flatten(tree[key])]
    return []


def _map(tree, fn):
    if _is_tensor(tree):
        return fn(tree)
    if isinstance(tree, (tuple, list)):
        return type(tree)(_map(item, fn) for item in tree)
    if isinstance(tree, dict):
        return {key: _map(value, fn) for key, value in tree.items()}
    return tree


def _unflatten(tree, leaves: list):
    it = iter(leaves)
    return _map(tree, lambda _: next(it))


class _inside_transform:
    """Marks the calls made inside a transform (custom Functions must then use setup_context, as in torch)."""

    def __enter__(self):
        transforms.depth += 1

    def __exit__(self, *exc):
        transforms.depth -= 1
        return False


def _fresh(t):
    """A new tensor to differentiate with respect to: a differentiable alias if ``t`` has a graph
    (so an outer transform or backward sees through), else a detached copy requiring grad."""
    return t.view_as(t) if t.requires_grad else t.detach().requires_grad_(True)


def _argnums_tuple(argnums, n: int, name: str) -> tuple:
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums:
        raise RuntimeError(f"{name}: argnums must be non-empty")
    for a in nums:
        if not isinstance(a, int):
            raise RuntimeError(f"{name}: argnums must be int or Tuple[int, ...], got: {type(argnums)}")
        if not -n <= a < n:
            raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")
    return tuple(a % n for a in nums)


def _prepare(args: tuple, argnums, name: str):
    """(new args with fresh tensors at ``argnums``, the chosen subtrees, whether to keep a graph)."""
    nums = _argnums_tuple(argnums, len(args), name)
    fresh = list(args)
    keep = False
    chosen = []
    for i in nums:
        leaves = _flatten(fresh[i])
        keep = keep or any(t.requires_grad for t in leaves)
        fresh[i] = _map(fresh[i], _fresh)
        chosen.append(fresh[i])
    keep = keep and grad_mode.is_grad_enabled()
    return tuple(fresh), chosen, keep


def _finish(tree, keep: bool):
    return tree if keep else _map(tree, lambda t: t.detach())


def _gradients(outputs: list, inputs: list, grad_outputs, keep: bool) -> list:
    from . import zeros_like
    from .autograd import grad as autograd_grad
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs or not inputs:
        return [zeros_like(t) for t in inputs]
    grads = autograd_grad([o for o, _ in pairs], inputs, [g for _, g in pairs], create_graph=keep,
                          allow_unused=True, retain_graph=True)
    return [zeros_like(t) if g is None else g for g, t in zip(grads, inputs)]


def grad_and_value(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """f -> (x -> (df/dx, f(x))) for a scalar f; with has_aux, f returns (value, aux)."""
    def wrapper(*args, **kwargs):
        with grad_mode.enable_grad():
            args, chosen, keep = _prepare(args, argnums, "grad_and_value")
            with _inside_transform():
                output = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(output, tuple) and len(output) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: "
                                       "(output, aux) if has_aux is True")
                output, aux = output
            if not _is_tensor(output):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                                   f"{type(output)}")
            if output.dim() != 0:
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {output.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                                   f"APIs instead?")
            from . import ones_like
            leaves = _flatten(chosen)
            grads = _gradients([output], leaves, [ones_like(output)], keep)
        result = _finish(_unflatten(chosen, grads), keep)
        result = result if isinstance(argnums, tuple) else result[0]
        value = _finish(output, keep)
        if has_aux:
            return result, (value, _finish(aux, keep))
        return result, value
    return wrapper


def grad(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """f -> (x -> df/dx) for a scalar f."""
    inner = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = inner(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g
    return wrapper


def vjp(func: Callable, *primals, has_aux: bool = False):
    """(func(*primals), vjp_fn): vjp_fn(cotangents) gives the gradient for every primal, as a tuple."""
    with grad_mode.enable_grad():
        args, chosen, keep = _prepare(primals, tuple(range(len(primals))), "vjp")
        with _inside_transform():
            output = func(*args)
        aux = None
        if has_aux:
            output, aux = output
    outputs = _flatten(output)

    def vjp_fn(cotangents, retain_graph: bool = True, create_graph: bool | None = None):
        cot = _flatten(cotangents)
        if len(cot) != len(outputs):
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {cotangents}, primal output: {output}")
        for c, o in zip(cot, outputs):
            if c.shape != o.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {c.shape} and output[0] has "
                                   f"a shape of {o.shape}.")
        with grad_mode.enable_grad():
            grads = _gradients(outputs, _flatten(chosen), cot, keep or any(c.requires_grad for c in cot))
        return _finish(_unflatten(tuple(chosen), grads), keep or any(c.requires_grad for c in cot))

    result = (_finish(output, keep), vjp_fn)
    return result + (_finish(aux, keep),) if has_aux else result


def jvp(func: Callable, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """(func(*primals), J·tangents), by the double-backward trick."""
    from . import zeros_like
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    if not isinstance(tangents, (tuple, list)) or len(_flatten(primals)) != len(_flatten(tangents)):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same python "
                           "structure. For example, if primals is a tuple of 3 tensors, tangents also must be. Got "
                           f"primals with structure {primals} and tangents with structure {tangents}")
    with grad_mode.enable_grad():
        args, chosen, keep = _prepare(primals, tuple(range(len(primals))), "jvp")
        with _inside_transform():
            output = func(*args)
        aux = None
        if has_aux:
            output, aux = output
        outputs = _flatten(output)
        dummies = [zeros_like(o, requires_grad=True) for o in outputs]
        leaves = _flatten(chosen)
        back = _gradients(outputs, leaves, dummies, True)
        tangent_leaves = _flatten(tangents)
        pairs = [(b, t) for b, t in zip(back, tangent_leaves) if b.requires_grad]
        from .autograd import grad as autograd_grad
        if pairs:
            out_tangents: Any = autograd_grad([b for b, _ in pairs], dummies, [t for _, t in pairs], create_graph=keep,
                                         allow_unused=True)
            out_tangents = [zeros_like(o) if g is None else g for g, o in zip(out_tangents, outputs)]
        else:
            out_tangents = [zeros_like(o) for o in outputs]
    result = (_finish(output, keep), _finish(_unflatten(output, out_tangents), keep))
    return result + (_finish(aux, keep),) if has_aux else result


def jacrev(func: Callable, argnums=0, *, has_aux: bool = False, chunk_size=None, _preallocate_and_copy=False):
    """f -> (x -> the Jacobian of f at x), one vjp per output element: shape output.shape + input.shape."""
    def wrapper(*args):
        from . import stack, zeros
        with grad_mode.enable_grad():
            args, chosen, keep = _prepare(args, argnums, "jacrev")
            with _inside_transform():
                output = func(*args)
            aux = None
            if has_aux:
                output, aux = output
            outputs = _flatten(output)
            leaves = _flatten(chosen)
            per_output = []
            for o in outputs:
                flat = o.reshape(-1)
                rows = [[] for _ in leaves]
                for j in range(o.numel()):
                    from . import ones_like
                    grads = _gradients([flat[j]], leaves, [ones_like(flat[j])], keep)
                    for row, g in zip(rows, grads):
                        row.append(g)
                blocks = [stack(row).reshape(o.shape + t.shape) if row else zeros(*(o.shape + t.shape))
                          for row, t in zip(rows, leaves)]
                per_output.append(_finish(_unflatten(tuple(chosen), blocks), keep))
        per_output = [p if isinstance(argnums, tuple) else p[0] for p in per_output]
        result = _unflatten(output, per_output) if not _is_tensor(output) else per_output[0]
        return (result, _finish(aux, keep)) if has_aux else result
    return wrapper


def jacfwd(func: Callable, argnums=0, has_aux: bool = False, *, randomness: str = "error"):
    """The Jacobian as jacrev computes it (the values are the same; mygrad has no forward mode)."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func: Callable, argnums=0):
    """The Hessian of a scalar function: jacfwd(jacrev(func))."""
    return jacfwd(jacrev(func, argnums), argnums)


def vmap(func: Callable, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size=None):
    raise NotImplementedError("mygrad.func.vmap is not implemented: mygrad has no batching rules. Loop over the "
                              "batch (and stack) instead.")
