"""SNS on localcloud: subscriptions created by templates."""
