"""ElastiCache on localcloud: replication groups and cache subnet groups created by templates."""
