"""python-etcd3 specific code: capabilities, error mapping, command execution.

Everything here goes through the public API of the `etcd3` package (the client's
methods, its documented `*_response` methods and kwargs, `client.transactions`,
`etcd3.utils` helpers). Where that API has no way to express a command or option
the command is answered with a harness UNIMPLEMENTED error that names the missing
SDK feature; raw gRPC stubs are never used to get around the SDK.

  capabilities  catalog ids claimed per etcd3 version, and the ones not claimed
  errors        etcd3 exceptions -> SdkError
  session       the client, its watches, command dispatch
  kv, txn, lease, maintenance, watch   one module per group of commands
The protocol shell, timing and converters are the shared kit (performers/python-kit).
"""

import paths  # noqa: F401  (gen/ and the kit on sys.path)

from etcdfit_kit import protocol
from etcdfit_kit.errors import BadRequest, Unimplemented  # noqa: F401
from etcdfit_kit.stubs import pb  # noqa: F401

from .capabilities import SDK_PACKAGE, UNCLAIMED, capabilities_for, sdk_version  # noqa: F401
from .errors import map_error
from .session import Session, parse_endpoint  # noqa: F401
from .tls import tls_settings
from .watch import Watch  # noqa: F401
from .workload import WORKLOAD

BACKEND = protocol.Backend(
    name="python-etcd3", version="0.1.0", sdk_package=SDK_PACKAGE, client_call="etcd3.client",
    sdk_version=sdk_version, capabilities_for=capabilities_for, map_error=map_error,
    new_session=lambda r: Session(list(r.endpoints), r.request_timeout_ms, r.username,
                                  r.password, r.keepalive_time_ms, r.keepalive_timeout_ms,
                                  tls=tls_settings(r)),
    workload=WORKLOAD)
