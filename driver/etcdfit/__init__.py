"""etcdfit: a FIT-style cross-language conformance harness for etcd v3 client SDKs."""

from .errors import EtcdfitError, ExpectationFailed

__all__ = ["EtcdfitError", "ExpectationFailed", "__version__"]
__version__ = "0.1.0"
