"""Mail: an outbox written inside the unit of work, sent after the commit by the scheduler."""
