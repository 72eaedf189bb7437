"""One connected etcd3 client: its watches and the dispatch of commands to the
per-concern methods (kv, txn, lease, maintenance, watch)."""

import threading

import etcd3

from etcdfit_kit import dispatch
from etcdfit_kit.errors import sdk_helper
from etcdfit_kit.watches import WatchRegistry

from .endpoints import parse_endpoint
from .errors import map_error
from .kv import KvCommands
from .lease import LeaseCommands
from .locks import LockCommands
from .maintenance import MaintenanceCommands
from .tls import TlsFiles
from .txn import TxnCommands
from .watch import WatchCommands

# Disconnect waits at most this long for the watch cancels before closing the channel.
CANCEL_BOUND_S = 2.0


def grpc_options(keepalive_time_ms=0, keepalive_timeout_ms=0):
    """etcd3.client(grpc_options=...) for the keepalive settings asked for; None: none."""
    opts = []
    if keepalive_time_ms:
        opts.append(("grpc.keepalive_time_ms", keepalive_time_ms))
    if keepalive_timeout_ms:
        opts.append(("grpc.keepalive_timeout_ms", keepalive_timeout_ms))
    return opts or None


class Session(KvCommands, TxnCommands, LeaseCommands, MaintenanceCommands, WatchCommands, LockCommands):
    """An etcd3 client plus its watch registry."""

    def __init__(self, endpoints, request_timeout_ms=0, username="", password="",
                 keepalive_time_ms=0, keepalive_timeout_ms=0, tls=None):
        if not endpoints:
            raise ValueError("no endpoints given")
        self.endpoints = list(endpoints)
        self.host, self.port = parse_endpoint(endpoints[0], tls=tls is not None)
        # etcd3 passes `timeout` as the gRPC deadline of every call (and as the wait for
        # a watch's creation). It has no dial timeout: the channel connects lazily.
        self.timeout = (request_timeout_ms or 10000) / 1000.0
        kwargs = {}
        if username:
            kwargs.update(user=username, password=password)
        options = grpc_options(keepalive_time_ms, keepalive_timeout_ms) or []
        self.tls_files = None
        if tls is not None and tls.ca_pem:
            # etcd3.client takes the CA, certificate and key as file paths (client.py
            # _get_secure_creds reads them); the server name goes in as gRPC's documented
            # channel option, through the client's grpc_options pass-through.
            self.tls_files = TlsFiles(tls)
            kwargs.update(self.tls_files.client_kwargs())
            if tls.server_name:
                options.append(("grpc.ssl_target_name_override", tls.server_name))
        if options:
            kwargs["grpc_options"] = options
        # etcd3.client takes one host:port; extra endpoints cannot be given to it. It
        # authenticates in the constructor: a failure there is the SDK's (SdkRaised).
        try:
            self.client = sdk_helper(etcd3.client, host=self.host, port=self.port,
                                     timeout=self.timeout, **kwargs)
        except BaseException:
            if self.tls_files is not None:
                self.tls_files.remove()
            raise
        self.watches = WatchRegistry()

    def close(self):
        """Ends every watch of the client at once, then closes the channel (bounded:
        a cancel request that cannot be queued is given up after CANCEL_BOUND_S)."""
        watches = self.watches.drain()
        for w in watches:
            w.mark_canceled()
        ids = [w.watch_id for w in watches if w.watch_id is not None]
        if ids:
            t = threading.Thread(target=self._cancel_watches, args=(ids,), daemon=True,
                                 name="etcdfit-cancel-watches")
            t.start()
            t.join(CANCEL_BOUND_S)
        self.client.close()
        if self.tls_files is not None:
            self.tls_files.remove()

    def _cancel_watches(self, ids):
        for watch_id in ids:
            try:
                self.client.cancel_watch(watch_id)
            except Exception:
                pass

    def execute(self, command):
        """Run one Command, always returning exactly one CommandResult."""
        return dispatch.execute(self, command, map_error)
