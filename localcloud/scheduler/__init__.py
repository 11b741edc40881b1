"""EventBridge Scheduler on localcloud: schedules created by templates."""
