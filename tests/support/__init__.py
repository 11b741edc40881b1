"""Helpers shared by test modules (test modules never import each other): `rollout` runs the
real rollout on localcloud and counts calls; `stubber` builds specs, plans and Stubber
expectations; `conventions` resolves the names templates give. Shared fixtures live in tests/conftest.py."""
