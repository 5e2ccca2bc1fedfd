"""gvc-abm: environment."""
