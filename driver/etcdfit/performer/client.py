"""A running performer: its process (if we launched it), channel, identity and calls.

Every RPC has a deadline. A failed call is classified: the process exited
(PerformerCrashed, with exit code and log tail), it did not answer in time
(PerformerHung: it is killed, so the next test gets a fresh one), or it answered
with a protocol error.

The fast path: when the performer claims `execute.session`, Execute calls travel on one
long-lived ExecuteSession stream instead of a unary RPC each (`make bench` measures
both). Each program still has its own deadline, kept by a watchdog thread that cancels
the stream when a program overruns; the call is then classified like a unary one.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message

from .. import proc
from ..errors import EtcdfitError, PerformerCrashed, PerformerError, PerformerHung, ProtocolMismatch
from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from ..gen.etcdfit.performer.v1 import performer_pb2_grpc as pbg
from .manifest import Manifest

PROTOCOL_VERSION = pb.PROTOCOL_VERSION_1
STARTUP_TIMEOUT = 60.0
DESCRIBE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Identity:
    name: str
    language: str
    sdk_package: str
    sdk_version: str
    performer_version: str
    capabilities: frozenset[str]

    @property
    def label(self) -> str:
        return f"{self.name}@{self.sdk_version}"


class SdkConnectError(EtcdfitError):
    """The SDK could not build a client (ConnectResponse.error): the SDK's failure, not the performer's."""

    def __init__(self, response: pb.ConnectResponse):
        e = response.error
        code = pb.ErrorCode.Name(e.code) if response.HasField("error") else "no client id"
        super().__init__(f"the SDK could not connect: {code} ({e.sdk_type}: {e.message})")
        self.response = response


class PerformerClient:
    """One performer endpoint. `process` is None for --performer-address performers."""

    def __init__(self, address: str, process: subprocess.Popen[bytes] | None = None, log: Path | None = None):
        self.address = address
        self.process = process
        self.log = log
        self.channel = grpc.insecure_channel(
            address,
            options=[
                ("grpc.max_send_message_length", 64 << 20),
                ("grpc.max_receive_message_length", 64 << 20),
            ],
        )
        self.stub = pbg.PerformerServiceStub(self.channel)
        self.identity: Identity | None = None
        self.failure: PerformerError | None = None  # set when a performer we did not start hung
        self._session: _Session | None = None
        self._session_lock = threading.Lock()

    # ---------------------------------------------------------------- lifecycle

    @classmethod
    def launch(cls, manifest: Manifest, version: str, out: Path, log_dir: Path) -> PerformerClient:
        port = proc.free_port()
        listen = f"127.0.0.1:{port}"
        argv = [a.format(out=str(out), listen=listen, version=version, python=sys.executable) for a in manifest.run]
        log = log_dir / f"{manifest.name}@{version}-{port}.log"
        process = proc.spawn(argv, cwd=manifest.folder, log=log)
        client = cls(listen, process, log)
        try:
            client.wait_ready(STARTUP_TIMEOUT)
        except BaseException:  # e.g. a protocol mismatch: never leave the process running
            client.close()
            raise
        return client

    def wait_ready(self, timeout: float) -> Identity:
        """Handshake: poll Describe until it answers, the process exits, or `timeout`."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise PerformerCrashed(
                    f"performer at {self.address} exited during start-up",
                    exit_code=self.process.returncode,
                    log_tail=self.log_tail(),
                )
            try:
                return self.describe(timeout=min(DESCRIBE_TIMEOUT, max(0.1, deadline - time.monotonic())))
            except grpc.RpcError as exc:
                last = exc
                time.sleep(0.1)
        self.close()
        raise PerformerHung(
            f"performer at {self.address} did not answer Describe within {timeout:.0f}s ({last})",
            log_tail=self.log_tail(),
        )

    def alive(self) -> bool:
        if self.process is None:
            return self.failure is None
        return self.process.poll() is None

    def close(self) -> None:
        self._end_session()
        self.channel.close()
        if self.process is not None:
            proc.stop(self.process)

    def log_tail(self, lines: int = 20) -> str:
        return proc.tail(self.log, lines) if self.log else ""

    # ---------------------------------------------------------------- calls

    def describe(self, timeout: float = DESCRIBE_TIMEOUT) -> Identity:
        resp = self.stub.Describe(pb.DescribeRequest(), timeout=timeout, wait_for_ready=True)
        if resp.protocol_version != PROTOCOL_VERSION:
            raise ProtocolMismatch(
                f"performer {resp.name or self.address} speaks protocol version "
                f"{resp.protocol_version}, this driver speaks {PROTOCOL_VERSION}. "
                "Rebuild the performer against protos/etcdfit/performer/v1 "
                "(`etcdfit performer build NAME --force`) or use a matching driver."
            )
        self.identity = Identity(
            resp.name,
            resp.language,
            resp.sdk_package,
            resp.sdk_version,
            resp.performer_version,
            frozenset(resp.capabilities),
        )
        return self.identity

    def connect(self, endpoints: list[str], request_timeout_ms: int = 10_000, timeout: float = CONNECT_TIMEOUT,
                **options: Any) -> str:
        """A new SDK client's id; SdkConnectError when the SDK could not build one."""
        resp = self.connect_response(endpoints, request_timeout_ms=request_timeout_ms, timeout=timeout, **options)
        if resp.HasField("error") or not resp.client_id:
            raise SdkConnectError(resp)
        return resp.client_id

    def connect_response(self, endpoints: list[str], *, request_timeout_ms: int = 10_000,
                         dial_timeout_ms: int = 5000, timeout: float = CONNECT_TIMEOUT,
                         **options: Any) -> pb.ConnectResponse:
        """Connect as sent and answered: `options` are ConnectRequest fields (keepalive_time_ms, ...)."""
        req = pb.ConnectRequest(endpoints=endpoints, dial_timeout_ms=dial_timeout_ms,
                                request_timeout_ms=request_timeout_ms, **options)
        resp: pb.ConnectResponse = self._call("Connect", self.stub.Connect, req, timeout)
        return resp

    def disconnect(self, client_id: str, timeout: float = 10.0) -> None:
        self._call("Disconnect", self.stub.Disconnect, pb.DisconnectRequest(client_id=client_id), timeout)

    def execute(self, client_id: str, program: pb.Program, timeout: float) -> pb.ExecuteResponse:
        __tracebackhide__ = True
        req = pb.ExecuteRequest(client_id=client_id, program=program)
        # The session carries one program at a time: a caller on another thread while it
        # is busy (a background program, say) takes the unary path instead of waiting.
        if self.uses_session() and self._session_lock.acquire(blocking=False):
            try:
                return self._execute_on_session(req, timeout)
            finally:
                self._session_lock.release()
        resp: pb.ExecuteResponse = self._call("Execute", self.stub.Execute, req, timeout)
        return resp

    def uses_session(self) -> bool:
        """Whether Execute takes the fast path (the performer claims execute.session)."""
        return self.identity is not None and "execute.session" in self.identity.capabilities

    def _execute_on_session(self, req: pb.ExecuteRequest, timeout: float) -> pb.ExecuteResponse:
        __tracebackhide__ = True
        if self._session is None:
            self._session = _Session(self.stub)
        session = self._session
        try:
            return session.execute(req, timeout)
        except grpc.RpcError as exc:
            self._end_session()
            code = grpc.StatusCode.DEADLINE_EXCEEDED if session.timed_out else exc.code()
            raise self._classify("Execute", exc, timeout, code=code) from None
        except StopIteration:
            self._end_session()
            raise self._classify("Execute", None, timeout, code=grpc.StatusCode.UNAVAILABLE,
                                 details="the performer ended the ExecuteSession stream") from None
        except BaseException:
            # Interrupted while a program was in flight (Ctrl-C, say): its answer would be
            # the next one read, so this stream must not carry another program.
            self._end_session()
            raise

    def _end_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def _call(self, method: str, fn: grpc.UnaryUnaryMultiCallable[Any, Any], request: Message, timeout: float) -> Any:
        __tracebackhide__ = True
        # The blocking call path: measured 150-250 us faster per call than waiting on a future
        # (`make bench`), and current grpcio wakes it for signals, so Ctrl-C and SIGTERM still
        # interrupt it within about 0.2 s (tests/harness/test_bad_input.py, SIGTERM probe).
        start = time.monotonic()
        try:
            return fn(request, timeout=timeout)
        except grpc.RpcError as exc:
            code = exc.code()
            if code == grpc.StatusCode.CANCELLED and time.monotonic() - start >= 0.95 * timeout:
                # The performer's own server timed the call out a moment before our
                # deadline fired and reset the stream: no answer within the deadline.
                code = grpc.StatusCode.DEADLINE_EXCEEDED
            raise self._classify(method, exc, timeout, code=code) from None

    def _classify(self, method: str, exc: grpc.RpcError | None, timeout: float, *,
                  code: grpc.StatusCode | None = None, details: str | None = None) -> PerformerError:
        if code is None:
            assert exc is not None
            code = exc.code()
        if details is None:
            details = exc.details() if exc is not None else ""
        if self.process is not None:
            # A dying process may still be closing its socket: give it a moment.
            for _ in range(20):
                if self.process.poll() is not None:
                    break
                if code != grpc.StatusCode.UNAVAILABLE:
                    break
                time.sleep(0.1)
            if self.process.poll() is not None:
                return PerformerCrashed(
                    f"performer {self.address} crashed during {method}",
                    exit_code=self.process.returncode,
                    log_tail=self.log_tail(),
                )
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            tail = self.log_tail()
            if self.process is None:  # not ours to stop: mark it dead so later tests fail fast
                self.failure = PerformerHung(
                    f"performer {self.address} (started outside etcdfit) did not answer {method} within "
                    f"{timeout:.0f}s; later tests that need it fail at once. Check or restart it.")
                return self.failure
            proc.stop(self.process, grace=1.0)
            return PerformerHung(
                f"performer {self.address} did not answer {method} within {timeout:.0f}s; "
                "it was stopped and the next test gets a fresh one",
                log_tail=tail,
            )
        return PerformerError(
            f"performer {self.address} failed {method}: {code.name}: {details}",
            log_tail=self.log_tail(),
        )


class _Session:
    """One ExecuteSession stream (the fast path): programs go in through a queue that
    gRPC's sender thread drains, and answers come back in order. A watchdog cancels the
    stream when a program passes its deadline; it sleeps between checks (at most
    _IDLE_CHECK seconds while idle), so it costs the calls nothing."""

    _IDLE_CHECK = 0.2

    def __init__(self, stub: pbg.PerformerServiceStub):
        self._requests: queue.SimpleQueue[pb.ExecuteRequest | None] = queue.SimpleQueue()
        self._call: Any = stub.ExecuteSession(iter(self._requests.get, None))
        self._deadline = 0.0  # monotonic deadline of the program in flight; 0 when idle
        self._closed = threading.Event()
        self.timed_out = False
        self._watchdog = threading.Thread(target=self._watch, name="etcdfit-session-watchdog", daemon=True)
        self._watchdog.start()

    def execute(self, req: pb.ExecuteRequest, timeout: float) -> pb.ExecuteResponse:
        self._deadline = time.monotonic() + timeout
        self._requests.put(req)
        try:
            resp: pb.ExecuteResponse = next(self._call)
            return resp
        finally:
            self._deadline = 0.0

    def _watch(self) -> None:
        # Bounded by the session's life: close() sets _closed, and a timeout ends it.
        while not self._closed.is_set():
            deadline = self._deadline
            now = time.monotonic()
            if deadline and now >= deadline:
                self.timed_out = True
                self._call.cancel()
                return
            self._closed.wait(min(self._IDLE_CHECK, deadline - now) if deadline else self._IDLE_CHECK)

    def close(self) -> None:
        self._closed.set()
        self._requests.put(None)  # ends the request stream: the performer finishes the call
        self._call.cancel()
