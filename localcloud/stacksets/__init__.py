"""StackSets with CloudFormation's semantics on top of moto's stacks: models (StackSet,
instance, operation), engine (running an operation), responses (the StackSet API handlers
that replace moto's)."""
