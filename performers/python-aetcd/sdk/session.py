"""One connected aetcd.Client: its watches and the dispatch of commands to the
per-concern methods (kv, txn, lease, maintenance, watch). Everything runs on the
performer's one event loop."""

import asyncio

import aetcd

from etcdfit_kit import dispatch
from etcdfit_kit.errors import BadRequest, SdkRaised, sdk_helper
from etcdfit_kit.watches import WatchRegistry

from .endpoints import parse_endpoint
from .errors import map_error
from .kv import KvCommands
from .lease import LeaseCommands
from .locks import LockCommands
from .maintenance import MaintenanceCommands
from .txn import TxnCommands
from .watch import WatchCommands


def channel_options(keepalive_time_ms=0, keepalive_timeout_ms=0):
    """aetcd.Client(options=...) for the keepalive settings asked for (empty: none)."""
    opts = {}
    if keepalive_time_ms:
        opts["grpc.keepalive_time_ms"] = keepalive_time_ms
    if keepalive_timeout_ms:
        opts["grpc.keepalive_timeout_ms"] = keepalive_timeout_ms
    return opts


class Session(KvCommands, TxnCommands, LeaseCommands, MaintenanceCommands, WatchCommands, LockCommands):
    """An aetcd.Client plus its watch registry. Create it on the running event loop."""

    def __init__(self, endpoints, dial_timeout_ms=0, request_timeout_ms=0, username="",
                 password="", keepalive_time_ms=0, keepalive_timeout_ms=0):
        if not endpoints:
            raise ValueError("no endpoints given")
        self.endpoints = list(endpoints)
        self.host, self.port = parse_endpoint(endpoints[0])
        self.timeout = (request_timeout_ms or 10000) / 1000.0
        self.dial_timeout = (dial_timeout_ms or 5000) / 1000.0
        kwargs = {}
        if username:
            kwargs.update(username=username, password=password)
        options = channel_options(keepalive_time_ms, keepalive_timeout_ms)
        if options:
            kwargs["options"] = options
        # aetcd.Client takes one host:port; extra endpoints cannot be given to it. It has
        # no dial timeout (the channel connects lazily); connect_wait_timeout bounds how
        # long a concurrent caller waits for connect() to finish.
        # `timeout` is the gRPC deadline of every call (and the wait for a watch's
        # creation). A failing constructor is the SDK's (SdkRaised).
        self.client = sdk_helper(aetcd.Client, host=self.host, port=self.port,
                                 timeout=self.timeout, connect_wait_timeout=self.dial_timeout,
                                 **kwargs)
        self.watches = WatchRegistry()
        self.closed = False

    async def connect(self):
        """Client.connect(): opens the channel (and authenticates, with credentials, under
        the request timeout). Its failure is the SDK's; the performer bounds the whole
        call by dial + request timeout as a safety net (asyncio.TimeoutError)."""
        try:
            await asyncio.wait_for(self.client.connect(), self.dial_timeout + self.timeout)
        except Exception as e:
            raise SdkRaised(e) from e

    async def close(self):
        """Ends every watch at once, then closes the client (bounded)."""
        self.closed = True
        watches = self.watches.drain()
        for w in watches:
            await w.end(None)
        try:
            await asyncio.wait_for(self.client.close(), 5.0)
        finally:
            for w in watches:
                if w.task is not None and not w.task.done():
                    w.task.cancel()

    def _refuse_if_closed(self):
        if self.closed:
            raise BadRequest("the client was disconnected")

    async def execute(self, command):
        """Run one Command, always returning exactly one CommandResult."""
        return await dispatch.execute_async(self, command, map_error,
                                            guard=self._refuse_if_closed)
