"""Connect's TLS settings for etcd3.client, which reads its CA, certificate and key from files:
the PEMs of the request are written to a private temporary folder, removed with the client."""

import os
import shutil
import tempfile
from dataclasses import dataclass


@dataclass(frozen=True)
class TlsSettings:
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes
    server_name: str


def tls_settings(request):
    """The request's TLS settings, or None for plaintext. Certificate fields without a CA are a
    bad request (ValueError: Connect answers INVALID_ARGUMENT)."""
    if not request.tls_ca_pem:
        if request.tls_cert_pem or request.tls_key_pem or request.tls_server_name:
            raise ValueError("tls_cert_pem, tls_key_pem and tls_server_name need tls_ca_pem")
        return None
    if bool(request.tls_cert_pem) != bool(request.tls_key_pem):
        raise ValueError("tls_cert_pem and tls_key_pem go together")
    return TlsSettings(request.tls_ca_pem, request.tls_cert_pem, request.tls_key_pem,
                       request.tls_server_name)


class TlsFiles:
    """The settings as files in a folder of their own (mode 0700)."""

    def __init__(self, tls):
        self.folder = tempfile.mkdtemp(prefix="etcdfit-etcd3-tls-")
        self.ca = self._write("ca.pem", tls.ca_pem)
        self.cert = self._write("cert.pem", tls.cert_pem) if tls.cert_pem else None
        self.key = self._write("key.pem", tls.key_pem) if tls.key_pem else None

    def _write(self, name, data):
        path = os.path.join(self.folder, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def client_kwargs(self):
        kwargs = {"ca_cert": self.ca}
        if self.cert:
            kwargs.update(cert_cert=self.cert, cert_key=self.key)
        return kwargs

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)
