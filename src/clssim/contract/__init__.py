"""The Local Safety Contract (CLS): stages, diagnosis, partners, measures, costs.

A contract is configured in a scenario's ``[contract]`` table
(:mod:`clssim.scenario.contract`) and run by :class:`clssim.contract.contract.Contract`
inside :class:`clssim.model.CLSModel`.
"""
