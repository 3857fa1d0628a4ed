"""Tutorial 2: retain_grad on intermediates, and walking the graph through grad_fn.next_functions.

Runs unchanged in PyTorch: replace the import below with `import torch`.
"""
import mygrad as torch

x1 = torch.ones(2, 2, requires_grad=True)
x2 = torch.tensor(1.1, requires_grad=True)
y = x1 * (x2 + 2)
y.retain_grad()
z = y.pow(2) * 3
z.retain_grad()
out = z.mean()
print(y, z, out, sep="\n")


def show(node, depth=0):
    """Print the backward graph below ``node``, one node per line, indented by depth."""
    print("  " * depth + (type(node).__name__ if node is not None else "None"))
    for child, _ in (node.next_functions if node is not None else ()):
        show(child, depth + 1)


show(out.grad_fn)
out.backward()
print("z.grad", z.grad, sep="\n")
print("y.grad", y.grad, sep="\n")
print("x2.grad", x2.grad, sep="\n")
print("x1.grad", x1.grad, sep="\n")
