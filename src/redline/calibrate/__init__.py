"""Calibration: fit event data, forecast, backtest."""
