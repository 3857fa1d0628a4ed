"""What the figures were measured on: CPU, cores, versions, BLAS and the kernel it runs."""
from __future__ import annotations

import os
import platform
import re
import subprocess


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=os.path.dirname(os.path.abspath(__file__)), timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "mygrad"], capture_output=True, text=True,
                               cwd=os.path.dirname(os.path.abspath(__file__)), timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode:
        return None
    return out.stdout.strip() + (" (mygrad/ modified)" if dirty.stdout.strip() else "")


def _numpy_blas() -> str:
    import numpy as np
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001  (show_config's layout differs across NumPy versions)
        return "unknown"


def _blas_runtime() -> list:
    """threadpoolctl's view of the loaded BLAS libraries: which kernel (architecture) and threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [{k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
            for info in threadpool_info() if info.get("user_api") == "blas"]


def _torch_blas() -> str:
    import torch
    found = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    return f"BLAS {found.group(1)}" if found else "BLAS unknown"


def describe() -> dict:
    import numpy as np
    import torch

    import mygrad
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": _numpy_blas(),
        "blas_runtime": _blas_runtime(),
        "torch": torch.__version__,
        "torch_blas": _torch_blas(),
        "mygrad": getattr(mygrad, "__version__", "?"),
        "mygrad_commit": _git_commit(),
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                                               "OMP_NUM_THREADS")},
    }


def summary_lines(info: dict) -> list:
    """The machine as Markdown bullet lines."""
    kernels = ", ".join(f"{b['internal_api']} {b['version']} kernel {b['architecture']}"
                        for b in info["blas_runtime"]) or "threadpoolctl not installed: kernel not reported"
    env = ", ".join(f"{k}={v}" for k, v in info["env"].items() if v is not None) or "none set"
    return [f"- CPU: {info['cpu']}, {info['cores']} cores",
            f"- Python {info['python']}, NumPy {info['numpy']} ({info['numpy_blas']}), torch {info['torch']} "
            f"({info['torch_blas']}), mygrad {info['mygrad']} at commit {info['mygrad_commit']}",
            f"- BLAS at run time: {kernels}",
            f"- BLAS environment variables: {env}"]
