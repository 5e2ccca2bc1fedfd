"""gvc-abm: experiments."""
