"""The performer's own generated protocol stubs, from its gen/ folder on sys.path.

The kit runs against whichever stubs (and protobuf runtime) the performer carries, so
it never ships stubs of its own.
"""

from etcdfit.performer.v1 import performer_pb2 as pb  # noqa: F401
from etcdfit.performer.v1 import performer_pb2_grpc as pbg  # noqa: F401
