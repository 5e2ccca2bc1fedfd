"""One BLAS thread in a simulation process (experiments/threads.py)."""

import json
import os
import subprocess
import sys

SCRIPT = """
import json
import numpy, scipy.linalg  # loaded before the pin: threadpoolctl must reach them
from threadpoolctl import threadpool_info
before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
from gvc_abm.experiments.threads import pin_blas
pin_blas()
after = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
print(json.dumps({"before": before, "after": after}))
"""


def test_pin_blas_leaves_one_thread_in_every_loaded_blas():
    env = {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "2"}  # two threads to begin with, on any host
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True)
    seen = json.loads(out.stdout)
    assert seen["before"]
    if (os.cpu_count() or 1) >= 2:  # OpenBLAS caps its threads at the cores it sees
        assert max(seen["before"]) == 2
    assert seen["after"] == [1] * len(seen["before"])
