"""CloudTrail on localcloud: trails created by templates."""
