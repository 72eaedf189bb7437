"""Endpoints as aetcd.Client takes them: one host and port."""

from etcdfit_kit import convert


def parse_endpoint(endpoint):
    """'http://host:port' (or 'host:port') -> (host, port)."""
    return convert.parse_endpoint(endpoint, "aetcd.Client only opens insecure channels")
