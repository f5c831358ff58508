"""The one sandbox builder: bubblewrap argv for a datalab (later also pipeline steps and desktop apps)."""

from .bwrap import HostLayout, SandboxSpec, build_bwrap_argv
from .host import detect_layout, find_tool

__all__ = ["HostLayout", "SandboxSpec", "build_bwrap_argv", "detect_layout", "find_tool"]
