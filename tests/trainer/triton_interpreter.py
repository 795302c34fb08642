"""Import Triton kernel modules under Triton's interpreter, for the CPU test machines."""

from __future__ import annotations

import importlib
import os


def import_interpreted(*modules: str) -> None:
    """Import the modules with TRITON_INTERPRET=1, then put the variable back as it was.

    Triton picks the interpreter when a kernel is decorated, i.e. when its module is first imported; putting the
    variable back lets other test folders see this machine as it is.
    """
    before = os.environ.get("TRITON_INTERPRET")
    os.environ["TRITON_INTERPRET"] = "1"
    try:
        for name in modules:
            importlib.import_module(name)
    finally:
        if before is None:
            del os.environ["TRITON_INTERPRET"]
        else:
            os.environ["TRITON_INTERPRET"] = before
