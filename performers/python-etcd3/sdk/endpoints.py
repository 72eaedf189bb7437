"""Endpoints as etcd3.client takes them: one host and port."""

from etcdfit_kit import convert
from etcdfit_kit.errors import Unimplemented


def parse_endpoint(endpoint, tls=False):
    """'http://host:port' (or 'host:port') -> (host, port); 'https://host:port' when the
    Connect carries TLS settings (etcd3.client then opens a secure channel to host:port)."""
    ep = endpoint.strip()
    if ep.startswith("https://"):
        if not tls:
            raise Unimplemented("scheme 'https' without tls_ca_pem: etcd3.client needs a CA file "
                                "(ca_cert) for a secure channel")
        ep = "http://" + ep[len("https://"):]
    elif tls and ep.startswith("http://"):
        raise ValueError("endpoint %r is plaintext but the Connect carries TLS settings: use https://" % endpoint)
    return convert.parse_endpoint(
        ep, "the performer has no TLS material to pass as ca_cert/cert_key/cert_cert")
