"""End to end: the whole tool on localcloud, or a full rollout (marked slow by tests/conftest.py)."""
