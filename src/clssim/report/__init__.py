"""The planner's report: ``clssim report DIR`` → one self-contained HTML file.

Reports are a face of the model: they read output directories and never
change the model.
"""

from clssim.report.build import build_report

__all__ = ["build_report"]
