"""Calibration of measure effects to their evidence (``clssim calibrate``).

:mod:`clssim.calibration.emulator` is the method (generic, tested on a toy
model); :mod:`clssim.calibration.fit` applies it to the measure kinds.
"""
