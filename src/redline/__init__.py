"""redline: simulate, compare and evidence escalation in proxy conflicts.

A few calls from a notebook::

    import redline
    res = redline.simulate("iraq-2020", runs=10_000, seed=1)
    res.outcomes()            # probabilities with 95% intervals
    res.write_report("iraq-2020.html")
"""

from redline.analysis import Comparison, compare
from redline.engine import Model, Results, build_model, simulate
from redline.errors import (
    ExpressionError,
    NumericalError,
    RedlineError,
    ScenarioError,
    ScenarioErrors,
    SimulationInterrupted,
    UnknownNameError,
)
from redline.scenario import LoadedScenario, Scenario, builtin_names, load_scenario

__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "ExpressionError",
    "LoadedScenario",
    "Model",
    "NumericalError",
    "RedlineError",
    "Results",
    "Scenario",
    "ScenarioError",
    "ScenarioErrors",
    "SimulationInterrupted",
    "UnknownNameError",
    "__version__",
    "build_model",
    "builtin_names",
    "compare",
    "load_scenario",
    "simulate",
]
