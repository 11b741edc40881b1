"""CloudWatch Logs on localcloud: metric filters created by templates."""
