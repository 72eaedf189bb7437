"""raw-grpc: a deliberately small performer used only by tests/harness (see performer.yaml)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent import futures

import grpc

from etcdfit import errortable
from etcdfit.gen.etcd.v3 import rpc_pb2 as epb
from etcdfit.gen.etcd.v3 import rpc_pb2_grpc as epbg
from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.gen.etcdfit.performer.v1 import performer_pb2_grpc as pbg


class Raw(pbg.PerformerServiceServicer):
    def __init__(self):
        self.clients: dict[str, epbg.KVStub] = {}
        self.lies: set[bytes] = set()

    def Describe(self, request, context):
        version = int(os.environ.get("RAW_PROTOCOL_VERSION", pb.PROTOCOL_VERSION_1))
        caps = ["kv.put", "kv.range"]
        if os.environ.get("RAW_CLAIM_SESSION"):
            caps.append("execute.session")  # the fast path: ExecuteSession below
        if os.environ.get("RAW_CLAIM_WORKLOAD"):
            caps.append("perf.workload")  # a false claim: Workload answers UNIMPLEMENTED (the default servicer)
        return pb.DescribeResponse(name="raw-grpc", language="python", sdk_package="etcdfit-oracle-stubs",
                                   sdk_version="1", performer_version="0.1.0", protocol_version=version,
                                   capabilities=caps)

    def Connect(self, request, context):
        if os.environ.get("RAW_STALL_CONNECT"):
            print("raw-grpc: stalling in Connect on purpose", file=sys.stderr, flush=True)
            time.sleep(3600)
        cid = f"c{len(self.clients) + 1}"
        self.clients[cid] = epbg.KVStub(grpc.insecure_channel(request.endpoints[0].split("://")[-1]))
        return pb.ConnectResponse(client_id=cid)

    def Disconnect(self, request, context):
        self.clients.pop(request.client_id, None)
        return pb.DisconnectResponse()

    def Execute(self, request, context):
        kv = self.clients[request.client_id]
        first = request.program.commands[0] if request.program.commands else None
        if first is not None and first.put.value == b"__reset_at_deadline__":
            # as a server that times the call out a moment before the caller does
            print("raw-grpc: resetting the call at its deadline on purpose", file=sys.stderr, flush=True)
            time.sleep(max(0.0, (context.time_remaining() or 0.0) - 0.02))
            context.abort(grpc.StatusCode.CANCELLED, "reset at the deadline")
        return pb.ExecuteResponse(results=[self.one(kv, c) for c in request.program.commands])

    def ExecuteSession(self, request_iterator, context):
        print("raw-grpc: ExecuteSession opened", file=sys.stderr, flush=True)
        for request in request_iterator:
            yield self.Execute(request, context)

    def one(self, kv, cmd):
        start = time.monotonic_ns()
        try:
            return self._one(kv, cmd, start)
        except grpc.RpcError as exc:
            code = pb.ErrorCode.Value(errortable.code_for(exc.details() or "") or "UNKNOWN")
            end = 0 if os.environ.get("RAW_BAD_TIMESTAMPS") else time.monotonic_ns()
            return pb.CommandResult(call_ns=start, return_ns=end, sdk_error=pb.SdkError(
                code=code, sdk_type="grpc.RpcError", message=exc.details() or "", grpc_code=exc.code().value[0]))

    def _one(self, kv, cmd, start):
        which = cmd.WhichOneof("command")
        # an unknown command (a field this protocol lacks, kept as unknown bytes), not an empty one
        if which is None and cmd.ByteSize() > 0 and os.environ.get("RAW_WRONG_UNKNOWN"):
            return pb.CommandResult(call_ns=start, return_ns=time.monotonic_ns(), ok=pb.CommandOk())
        if which == "put":
            v = cmd.put.value
            if v == b"__crash__":
                print("raw-grpc: crashing on purpose", file=sys.stderr, flush=True)
                os._exit(7)
            if v == b"__hang__":
                print("raw-grpc: hanging on purpose", file=sys.stderr, flush=True)
                time.sleep(3600)
            if v == b"__lie__":
                self.lies.add(cmd.put.key)
            r = kv.Put(epb.PutRequest(key=cmd.put.key, value=v), timeout=10)
            ok = pb.CommandOk(put=pb.PutResult(header=pb.ResponseHeader(revision=r.header.revision, present=True)))
        elif which == "range" and cmd.range.kind == pb.RANGE_KIND_SINGLE:
            r = kv.Range(epb.RangeRequest(key=cmd.range.key), timeout=10)
            kvs = [pb.KeyValue(key=k.key, value=b"not-what-was-written" if k.key in self.lies else k.value,
                               create_revision=k.create_revision, mod_revision=k.mod_revision,
                               version=k.version) for k in r.kvs]
            ok = pb.CommandOk(range=pb.RangeResult(header=pb.ResponseHeader(revision=r.header.revision, present=True),
                                                   kvs=kvs, count=r.count))
        else:
            return pb.CommandResult(call_ns=start, return_ns=time.monotonic_ns(), harness_error=pb.HarnessError(
                kind=pb.HarnessError.UNIMPLEMENTED, message=f"raw-grpc does not implement {which}"))
        return pb.CommandResult(call_ns=start, return_ns=time.monotonic_ns(), ok=ok)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--listen", required=True)
    args = p.parse_args()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    pbg.add_PerformerServiceServicer_to_server(Raw(), server)
    server.add_insecure_port(args.listen)
    server.start()
    print(f"raw-grpc: listening on {args.listen}", file=sys.stderr, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
