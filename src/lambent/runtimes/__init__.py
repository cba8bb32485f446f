"""Runtimes: which host installation runs each Lambda runtime, and the clients we ship."""

from lambent.runtimes.discovery import Installation, node_installation, python_installations
from lambent.runtimes.install import MIN_PYTHON, install_python
from lambent.runtimes.registry import (
    Language,
    RuntimeChoice,
    RuntimeRegistry,
    RuntimeUnavailable,
    nodejs_bootstrap_dir,
)

__all__ = [
    "MIN_PYTHON",
    "Installation",
    "Language",
    "RuntimeChoice",
    "RuntimeRegistry",
    "RuntimeUnavailable",
    "install_python",
    "node_installation",
    "nodejs_bootstrap_dir",
    "python_installations",
]
