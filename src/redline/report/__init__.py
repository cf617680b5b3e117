"""The self-contained HTML report of a simulation.

    import redline
    res = redline.simulate("iraq-2020", runs=10_000, seed=1)
    redline.report.write_report(res, "iraq-2020.html")   # or res.write_report(...)
"""

from redline.report.html import render_report, write_report

__all__ = ["render_report", "write_report"]
