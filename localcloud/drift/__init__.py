"""CloudFormation drift detection, which moto does not have: models (what a detection
finds), engine (reading and comparing each resource), responses (the drift APIs of plain
stacks); the readers, tag readers and the coverage of CloudFormation's drift rule."""
