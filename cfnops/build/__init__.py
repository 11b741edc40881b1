"""From templates to checked CloudFormation: ``render`` writes ``generated/`` (deterministic
JSON and a manifest) and detects staleness; ``lint`` runs cfn-lint with our ``lintrules``,
checkov and the suppression audit, then the account-level ``gate``; every checker reports
``findings.Finding`` values, and any finding stops the rollout (exit 4)."""
