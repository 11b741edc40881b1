"""CloudWatch on localcloud: alarms created by templates, evaluated, and notifying."""
