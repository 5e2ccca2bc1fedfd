"""The choices the commands' help texts list, kept here so that ``gvc --help`` imports no library.

Each equals the library's own constant (a test checks), which stays the one that validates.
"""

from __future__ import annotations

#: = ``gvc_abm.analysis.mrio.TABLE_FORMATS``: raw table formats pymrio parses.
TABLE_FORMATS = ("wiod2013", "oecd", "exiobase3", "eora26")
#: = ``gvc_abm.analysis.bilateral.LEVELS``: detail of a decomposition's output.
LEVELS = ("country", "bilateral", "sector")
#: = ``gvc_abm.analysis.borin_mancini.BM_PERSPECTIVES``.
BM_PERSPECTIVES = ("exporter", "bilateral")
#: = ``gvc_abm.experiments.benchmarks.DECOMPOSE_METHODS``: decompositions ``gvc bench`` can time.
DECOMPOSE_METHODS = ("wwz", "bm-source", "bm-sink")
#: = the ``engine`` field of ``SimulationConfig``.
ENGINES = ("numba", "mesa", "reference")
