"""Scheduling: lessons, recurring series, conflicts, rooms, closures and calendar feeds."""
