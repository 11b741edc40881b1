"""Secrets Manager on localcloud: secrets created by templates."""
