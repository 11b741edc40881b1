"""AWS Organizations as StackSets sees it, on moto's Organizations: the organization an
account belongs to, its OU tree, StackSets' trusted access and delegated administrators."""
