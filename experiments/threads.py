"""One BLAS thread for a simulation process.

A period solves many small dense systems (the 126-cell clearing system, the indicators' local
inverses of a 14 x 9 table): too small for a second BLAS thread to help, but OpenBLAS's idle
threads spin on the core numba's threads need (a 2,000-firm period took 40 ms instead of 29).
``gvc run``, ``gvc bench --firms``, ``gvc dashboard`` and every batch run pin BLAS here; the
indicator commands on large tables keep BLAS's threads.
"""

from __future__ import annotations

import os

__all__ = ["BLAS_ENV", "pin_blas"]

#: One BLAS / OpenMP thread: read by BLAS libraries when they load (a worker process gets them at spawn).
BLAS_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def pin_blas() -> None:
    """One BLAS thread in this process: :data:`BLAS_ENV` for the libraries not loaded yet, and
    ``threadpoolctl.threadpool_limits(1, "blas")`` for those already loaded."""
    os.environ.update(BLAS_ENV)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
