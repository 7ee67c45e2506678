"""Residents' roles (what they do on a weekday) and their integer codes.

A module of its own, with no imports, so that the scenario parser (measure
targets such as ``unemployed``) does not load the population builder.
"""

ROLES = ("child", "student", "neet", "employed", "unemployed", "elderly", "infant")
R_CHILD, R_STUDENT, R_NEET, R_EMPLOYED, R_UNEMPLOYED, R_ELDERLY, R_INFANT = range(7)
