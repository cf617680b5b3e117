"""Scenario files: the format (pydantic models), loading with line numbers, validation."""

from redline.scenario.load import LoadedScenario, builtin_names, load_scenario
from redline.scenario.model import Scenario

__all__ = ["LoadedScenario", "Scenario", "builtin_names", "load_scenario"]
