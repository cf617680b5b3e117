"""Policy analysis on top of the engine: courses of action compared with common random numbers."""

from redline.analysis.compare import Comparison, compare
from redline.analysis.uncertainty import spread_sources

__all__ = ["Comparison", "compare", "spread_sources"]
