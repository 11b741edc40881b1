"""Reading and validating what the user writes, before any AWS call: the project's paths
(``project``), the one YAML reader (``safeyaml``), parameter files (``paramfiles``, then
``params`` layers and validates them with ``constraints`` and ``env_rules``), StackSet files
(``stacksets``) and the account named in ARNs (``accounts``). Every problem is one line naming
file, key and expectation; the result is plain frozen values for the later stages."""
