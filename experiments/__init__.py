"""gvc-abm experiments: scenario configs, batch runs and the ``gvc`` command line."""
