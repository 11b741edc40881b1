"""Tests of one package each, tests/unit/<package> (platform: templates_src)."""
