"""Policy analysis on top of the engine: courses of action compared with common random numbers,
global sensitivity (SALib) and scenario discovery (PRIM) over the uncertain parameters."""

from redline.analysis.compare import Comparison, compare
from redline.analysis.discover import Discovery, discover
from redline.analysis.sensitivity import Sensitivity, sensitivity
from redline.analysis.uncertainty import spread_sources

__all__ = ["Comparison", "Discovery", "Sensitivity", "compare", "discover", "sensitivity", "spread_sources"]
