"""Recorded behaviour checked against etcd's guarantees: watch events (watch.py), the
operations of concurrent programs (record.py) and their linearizability (linearizability.py,
through the porcupine helper in porcupine/)."""
