"""gvc-abm: agents."""
