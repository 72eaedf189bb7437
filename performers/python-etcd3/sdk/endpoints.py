"""Endpoints as etcd3.client takes them: one host and port."""

from etcdfit_kit import convert


def parse_endpoint(endpoint):
    """'http://host:port' (or 'host:port') -> (host, port)."""
    return convert.parse_endpoint(
        endpoint, "the performer has no TLS material to pass as ca_cert/cert_key/cert_cert")
