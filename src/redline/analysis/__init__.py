"""Policy analysis on top of the engine: courses of action compared with common random numbers."""

from redline.analysis.compare import Comparison, compare

__all__ = ["Comparison", "compare"]
