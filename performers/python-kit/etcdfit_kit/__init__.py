"""What the Python performers share: python-etcd3 and python-aetcd.

Each performer's build.sh copies this package into its build folder (OUT/kit), so each
keeps its own venv and lockfile; the performer's paths.py puts OUT/kit and its own gen/
on sys.path. The kit imports only the standard library, grpc and the performer's
generated stubs (etcdfit.performer.v1, see stubs.py), never an SDK, and runs on the
protobuf 3.20 runtime (python-etcd3) as on current ones (python-aetcd).

  errors    error classes, the SdkError mechanics, gen/etcd_errors.tsv
  timing    call_ns / return_ns around an SDK call
  convert   raw etcd messages -> canonical results, sort names, versions, endpoints
  dispatch  one Command -> exactly one CommandResult
  watches   the watch handle registry and the collect buffer
  streams   ExecuteStream: programs with latches (Signal / Wait), threaded or asyncio
  protocol  the gRPC servicers: Describe/Connect/Disconnect/Execute, threaded or asyncio
  serve     the server loop around them, until SIGTERM
"""
