"""The simulation engine: compiled model, vectorised kernel, runner, results, reference."""

from redline.engine.model import Model, build_model
from redline.engine.results import Results
from redline.engine.runner import BLOCK_SIZE, simulate

__all__ = ["BLOCK_SIZE", "Model", "Results", "build_model", "simulate"]
