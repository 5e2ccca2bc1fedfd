"""gvc-abm: analysis."""
