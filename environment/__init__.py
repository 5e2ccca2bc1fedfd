"""gvc-abm: environment — the world the agents live in.

- :mod:`.config`: world and simulation configuration (frozen pydantic models, YAML/TOML).
- :mod:`.state`: state as arrays (countries, firms, CSR supplier network, policy) and its read-only view.
- :mod:`.builders`: the ``default``, ``calibrated`` (any MRIO table) and ``paper`` (Qu & Yang 2023) worlds.
- :mod:`.kernels`: the market clearing, written once: compiled by numba (fast engine) or run as plain Python (reference engine).
- :mod:`.clearing`: :func:`~.clearing.clear`, one period's equilibrium with converged/iterations/residual.
- :mod:`.aggregate`: firm flows to an MRIO table / ``pymrio.IOSystem`` with a factor-input extension.
- :mod:`.welfare`: real income with the exact CES price index.
- :mod:`.records`: the tables a run records each period (indicators, world, global, regions, flows, sectors).
- :mod:`.drivers`: exogenous time paths evaluated per period; :mod:`.instruments`: the governments' policy instruments.
- :mod:`.model`: the Mesa :class:`~.model.GVCModel` wiring agents to the world, and the picklable :func:`~.model.run_simulation` (config, seed).
"""
