"""Planning and applying StackSets: ``plan`` compares desired with actual (never mutates),
``planview`` shows a plan, ``deploy`` applies it (the only module that changes StackSets),
``operations`` is the one waiter loop, ``pipeline`` runs offline checks → plans → apply for an
environment. Around it: ``bootstrap`` (the administrator-region stack), ``readiness`` (checks
that bootstrap happened), ``protection`` (deletion protection after the first creation),
``destroy`` and ``retained`` (what deletion policies kept)."""
