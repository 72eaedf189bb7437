"""Fixtures for the property tests: an etcd of their own (they empty and compact it)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from etcdfit.model.etcd_exec import EtcdExecutor
from etcdfit.oracle import Oracle
from etcdfit.servers import embedded


@pytest.fixture(scope="module")
def etcd_exec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EtcdExecutor]:
    """A fresh single-member etcd, private to the module: every example deletes all its keys
    and leases and compacts it, which no shared server should suffer. ETCDFIT_MODEL_ETCD picks
    another catalog server (e.g. `3.6`, built on first use); the default is the embedded 3.5.1."""
    spec = os.environ.get("ETCDFIT_MODEL_ETCD", "")
    logs = tmp_path_factory.mktemp("etcd-logs")
    server = embedded.start_version(spec, logs) if spec else embedded.start(embedded.distro_binary(), logs)
    oracle = Oracle(server.endpoints[0])
    try:
        yield EtcdExecutor(oracle)
    finally:
        oracle.close()
        server.stop()
