"""A pure model of etcd's KV and lease semantics, the reference for property tests.

EtcdModel runs performer-protocol commands and returns what etcd answers (the canonical
CommandOk payload, or an ErrorCode name); strategies (hypothesis) builds programs for it;
etcd_exec runs the same commands on a real etcd through its gRPC API, so the two can be
compared. See tests/properties/README.md for the facts the model was checked against.
"""

from .store import EtcdModel, EtcdWouldCrash, Event, Result

__all__ = ["EtcdModel", "EtcdWouldCrash", "Event", "Result"]
