"""After the rollout: ``detect`` runs CloudFormation's StackSet drift detection into frozen
``DriftReport`` values and applies the ignore rules of ``drift-ignore.yaml`` (with the
normalisers of ``normalise``); ``parity`` compares the environments' resolved configurations
and names the rule or stated intent behind each difference. The writers live in ``reports``."""
