"""gvc-abm agents: who decides (Firm, Government, Household) and their decision rules."""
