"""redline: simulate, compare and evidence escalation in proxy conflicts.

A few calls from a notebook::

    import redline
    res = redline.simulate("iraq-2020", runs=10_000, seed=1)
    res.outcomes()            # probabilities with 95% intervals
    res.write_report("iraq-2020.html")
    redline.sensitivity("iraq-2020", "direct_us_iran").indices()   # Sobol indices
    redline.discover("iraq-2020", "us_death").summary()            # PRIM box, in words
    redline.calibrate("iraq-2020", "events.csv").table             # parameters fitted to recorded events
"""

from redline.analysis import Comparison, Discovery, Sensitivity, compare, discover, sensitivity
from redline.calibrate import Backtest, Calibration, Forecast, backtest, calibrate, forecast
from redline.engine import Model, Results, build_model, simulate
from redline.errors import (
    ExecutorError,
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
    "Backtest",
    "Calibration",
    "Comparison",
    "Discovery",
    "ExecutorError",
    "ExpressionError",
    "Forecast",
    "LoadedScenario",
    "Model",
    "NumericalError",
    "RedlineError",
    "Results",
    "Scenario",
    "ScenarioError",
    "ScenarioErrors",
    "Sensitivity",
    "SimulationInterrupted",
    "UnknownNameError",
    "__version__",
    "backtest",
    "build_model",
    "builtin_names",
    "calibrate",
    "compare",
    "discover",
    "forecast",
    "load_scenario",
    "sensitivity",
    "simulate",
]
