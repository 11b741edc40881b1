"""AWS WAF (v2) on localcloud: web ACLs, their associations and logging configurations created by templates."""
