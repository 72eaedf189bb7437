"""One connected etcd3 client: its watches and the dispatch of commands to the
per-concern methods (kv, txn, lease, maintenance, watch)."""

import etcd3

from etcdfit_kit import dispatch
from etcdfit_kit.watches import WatchRegistry

from .endpoints import parse_endpoint
from .errors import map_error
from .kv import KvCommands
from .lease import LeaseCommands
from .maintenance import MaintenanceCommands
from .txn import TxnCommands
from .watch import WatchCommands


class Session(KvCommands, TxnCommands, LeaseCommands, MaintenanceCommands, WatchCommands):
    """An etcd3 client plus its watch registry."""

    def __init__(self, endpoints, request_timeout_ms=0, username="", password=""):
        if not endpoints:
            raise ValueError("no endpoints given")
        self.endpoints = list(endpoints)
        self.host, self.port = parse_endpoint(endpoints[0])
        self.timeout = (request_timeout_ms or 10000) / 1000.0
        kwargs = {}
        if username:
            kwargs.update(user=username, password=password)
        # etcd3.client takes one host:port; extra endpoints cannot be given to it.
        self.client = etcd3.client(host=self.host, port=self.port, timeout=self.timeout,
                                   **kwargs)
        self.watches = WatchRegistry()

    def close(self):
        for w in self.watches.drain():
            if w.watch_id is not None:
                try:
                    self.client.cancel_watch(w.watch_id)
                except Exception:
                    pass
            w.mark_canceled()
        self.client.close()

    def execute(self, command):
        """Run one Command, always returning exactly one CommandResult."""
        return dispatch.execute(self, command, map_error)
