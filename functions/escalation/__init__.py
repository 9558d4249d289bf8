"""Escalated orders nobody acts on: the second alert, a set time after the escalation (`docs/workflow.md`)."""
