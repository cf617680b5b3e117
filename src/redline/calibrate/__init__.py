"""Calibration: fit event data, forecast, backtest.

    import redline
    cal = redline.calibrate("iraq-2020", "events.csv", seed=1)          # Hawkes fit -> scenario parameters
    cal.table; cal.write("iraq-2020-calibrated.yaml")
    fc = redline.forecast("iraq-2020", "events.csv", origin=datetime.date(2020, 3, 1), seed=1)
    fc.quantiles(); fc.outcomes
    bt = redline.backtest("iraq-2020", "events.csv", train_until=datetime.date(2020, 6, 30), seed=1)
    bt.summary(); bt.verdict()
"""

from redline.calibrate.backtest import Backtest, backtest
from redline.calibrate.calibration import Calibration, calibrate
from redline.calibrate.forecast import Forecast, forecast
from redline.calibrate.hawkes import HawkesError, HawkesFit, HawkesParams
from redline.calibrate.series import EventSeries, event_series, load_events

__all__ = ["Backtest", "Calibration", "EventSeries", "Forecast", "HawkesError", "HawkesFit", "HawkesParams",
           "backtest", "calibrate", "event_series", "forecast", "load_events"]
