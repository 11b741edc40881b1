"""What a StackSet update does to each stack instance's resources, before it runs.

StackSets have no change sets. This package is the substitute, as pure functions of the
deployed and the new template and each instance's parameters (no AWS call):

- ``resolve``: a template resolved for one instance (account x region): parameters,
  pseudo parameters, Conditions, Fn::Sub/If/FindInMap/Join/Select/Split; what only
  deploy time knows (Fn::GetAtt, a resource's Ref, Fn::ImportValue, ...) stays
  ``KnownAfterApply``; NoEcho parameters are masked;
- ``diff``: per resource Add / Modify (property paths, old -> new) / Remove; a renamed
  logical id is a Remove and an Add;
- ``replacement``: a Modify of a ``createOnlyProperties`` path (registry schema) is a
  Replace, of a ``conditionalCreateOnlyProperties`` path a "May replace";
- ``stateful``: the one set of types that hold data, and what their DeletionPolicy /
  UpdateReplacePolicy keeps when they are removed or replaced;
- ``engine``: one instance's changes (``instance_changes``) and instances with identical
  changes grouped (``group``);
- ``guard``: deploy's refusal of stateful replacements and removals (ALLOW_REPLACE);
- ``overwrite``: drifted properties an update overwrites, and drift that stays;
- ``report`` + ``text``/``markdown``/``json_view``: the plan as data (schema
  ``cfnops.plan/v2``, ``plan.schema.json``) and its writers.
"""
