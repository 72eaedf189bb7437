"""The Execute fast path (ExecuteSession, capability execute.session) against the raw-grpc
test performer and a real etcd: the same answers as the unary path, a deadline per
program, and a second caller on another thread never waits behind the session."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from etcdfit.errors import PerformerHung
from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.performer import manifest
from etcdfit.performer.client import PerformerClient
from etcdfit.program import get, put

ROOT = Path(__file__).parent / "performers"


@pytest.fixture
def etcd_server(tmp_path):
    from etcdfit.servers import embedded

    server = embedded.start(embedded.distro_binary(), tmp_path / "etcd")
    yield server
    server.stop()


@pytest.fixture
def raw(tmp_path, monkeypatch):
    monkeypatch.setenv("RAW_CLAIM_SESSION", "1")
    m = manifest.load("raw-grpc", ROOT)
    client = PerformerClient.launch(m, "1", m.out_dir("1"), tmp_path)
    yield client
    client.close()


def _prog(*steps) -> pb.Program:
    return pb.Program(commands=[s.command for s in steps])


def test_programs_go_over_one_session_and_answer_as_execute_does(raw, etcd_server):
    cid = raw.connect(etcd_server.endpoints)
    assert raw.uses_session()
    for i in range(20):
        raw.execute(cid, _prog(put(f"s/{i}", f"v{i}")), timeout=10)
    via_session = raw.execute(cid, _prog(get("s/7")), timeout=10)
    unary = raw.stub.Execute(pb.ExecuteRequest(client_id=cid, program=_prog(get("s/7"))), timeout=10)
    assert via_session.results[0].ok == unary.results[0].ok
    assert via_session.results[0].ok.range.kvs[0].value == b"v7"
    assert raw.log_tail(50).count("ExecuteSession opened") == 1  # one stream carried every program


def test_a_program_past_its_deadline_on_the_session_is_a_hang(raw, etcd_server):
    cid = raw.connect(etcd_server.endpoints)
    raw.execute(cid, _prog(put("s/a", "fine")), timeout=10)
    t0 = time.monotonic()
    with pytest.raises(PerformerHung, match="did not answer Execute within 2s"):
        raw.execute(cid, _prog(put("s/a", "__hang__")), timeout=2)
    assert time.monotonic() - t0 < 2 + 5  # ends within its deadline plus slack, never hangs
    assert not raw.alive()  # stopped, so the next test gets a fresh performer


def test_a_caller_on_another_thread_takes_the_unary_path_meanwhile(raw, etcd_server):
    cid = raw.connect(etcd_server.endpoints)
    raw.execute(cid, _prog(put("s/b", "v")), timeout=10)  # opens the session
    errors: list[BaseException] = []

    def busy() -> None:
        try:
            for _ in range(50):
                raw.execute(cid, _prog(get("s/b")), timeout=10)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=busy) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert raw.log_tail(400).count("ExecuteSession opened") == 1


def test_an_interrupted_program_never_hands_its_answer_to_the_next_one(raw, etcd_server, monkeypatch):
    from etcdfit.performer.client import _Session

    cid = raw.connect(etcd_server.endpoints)
    raw.execute(cid, _prog(put("s/c", "1")), timeout=10)
    real = _Session.execute

    def interrupted(self, req, timeout):
        self._requests.put(req)  # the program goes out; Ctrl-C comes before its answer is read
        raise KeyboardInterrupt

    monkeypatch.setattr(_Session, "execute", interrupted)
    with pytest.raises(KeyboardInterrupt):
        raw.execute(cid, _prog(get("s/c")), timeout=10)
    monkeypatch.setattr(_Session, "execute", real)
    resp = raw.execute(cid, _prog(put("s/c", "2"), get("s/c")), timeout=10)
    assert len(resp.results) == 2  # this program's answer, not the interrupted one's
    assert resp.results[1].ok.range.kvs[0].value == b"2"


def test_a_call_the_performer_resets_at_its_deadline_is_a_hang(tmp_path, etcd_server):
    """Unary path: the performer's server ends the call (CANCELLED) just before the driver's
    deadline fires. No answer came within the deadline, so it is a hang, not an SDK error."""
    m = manifest.load("raw-grpc", ROOT)
    client = PerformerClient.launch(m, "1", m.out_dir("1"), tmp_path)
    try:
        cid = client.connect(etcd_server.endpoints)
        assert not client.uses_session()
        t0 = time.monotonic()
        with pytest.raises(PerformerHung, match="did not answer Execute within 2s"):
            client.execute(cid, _prog(put("s/r", "__reset_at_deadline__")), timeout=2)
        assert time.monotonic() - t0 < 2 + 5
        assert "resetting the call at its deadline" in client.log_tail()
    finally:
        client.close()
