"""Recorded behaviour checked against etcd's guarantees: watch events (watch.py)."""
