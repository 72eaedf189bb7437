# etcdfit — entry points. `make run` and `make test` are the two a new user needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` shows the two first performers; `make test` (CI) runs every performer.
RUN_PERFORMERS := go-clientv3 python-etcd3
ALL_PERFORMERS := go-clientv3 python-etcd3 python-aetcd node-etcd3 java-jetcd rust-etcd-client
# etcd servers built or installed for the harness tests and the matrix (see `etcdfit server list`).
SERVERS := 3.4 3.5 3.6 3.7 3.5.17 3.6.1
JOBS ?= 2

.PHONY: bootstrap venv performers all-performers servers system-deps protos protos-check run test \
        lint test-harness test-properties test-lockstep fuzz test-conformance test-cluster matrix bench perf-smoke clean

## bootstrap: driver venv (.venv) + the default performers built into .cache/
bootstrap: venv performers

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

performers: venv
	$(BIN)/etcdfit performer build --jobs $(JOBS) $(RUN_PERFORMERS)

all-performers: venv
	$(BIN)/etcdfit performer build --jobs $(JOBS) $(ALL_PERFORMERS)

## servers: Go-built etcd 3.5/3.6/3.7 and the bug-pinned 3.5.17/3.6.1 (~2 min more), Debian's etcd-server 3.4 (needs root for apt), toxiproxy
servers: venv
	$(BIN)/etcdfit server install $(SERVERS)
	$(BIN)/python -m etcdfit.faults   # toxiproxy for the fault tests, built from its Go module

## system-deps: Debian packages the harness tests use (chromium renders the HTML report)
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium (the report test renders the HTML report in it)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## protos: regenerate all stubs; protos-check: fail if committed stubs are stale
protos: venv
	protos/generate.sh

protos-check: venv
	@tmp=$$(mktemp -d); mkdir -p $$tmp/driver/etcdfit $$tmp/performers; \
	protos/generate.sh $$tmp >/dev/null; \
	fail=0; \
	for d in driver/etcdfit/gen $$(ls -d performers/*/gen); do \
	  diff -r -q $$d $$tmp/$$d >/dev/null || { echo "stale generated code: $$d (run 'make protos')"; diff -r $$d $$tmp/$$d | head -20; fail=1; }; \
	done; rm -rf $$tmp; \
	[ $$fail = 0 ] && echo "protos-check: generated code is current"; exit $$fail

## run: the suite against the default performers on the embedded etcd, summary + HTML report
run: bootstrap
	$(BIN)/etcdfit run $(addprefix --performer ,$(RUN_PERFORMERS)) --out reports/latest

## test: bootstrap everything, then the harness self-tests and the suite against every performer
test: venv lint system-deps all-performers servers protos-check test-harness test-properties test-lockstep test-conformance test-cluster perf-smoke

## lint: ruff over the driver, tests and Python performers; mypy --strict over driver/etcdfit (pyproject.toml)
lint: venv
	$(BIN)/ruff check driver tests performers/python-etcd3 performers/python-aetcd performers/python-kit \
	  tests/harness/performers/raw-grpc
	$(BIN)/mypy driver/etcdfit

test-harness: venv
	$(BIN)/pytest tests/harness -q -n $(JOBS)

## test-properties: the model of etcd (etcdfit.model) against a private etcd, 500 hypothesis examples (~1 min)
test-properties: venv
	$(BIN)/pytest tests/properties -q

## test-lockstep: every default performer in lockstep with the model, 200 derandomized examples x 30 steps (~2 min)
test-lockstep: all-performers
	$(BIN)/pytest tests/properties/test_lockstep.py -q $(addprefix --performer ,$(ALL_PERFORMERS))

## fuzz: the lockstep test for long runs, a new seed each time (FUZZ_SEED=N replays one), the hypothesis
## database under .cache/hypothesis; FUZZ_EXAMPLES and FUZZ_STEPS size it, FUZZ_PERFORMERS picks the SDKs
FUZZ_EXAMPLES ?= 100000
FUZZ_STEPS ?= 50
FUZZ_SEED ?=
FUZZ_PERFORMERS ?= $(ALL_PERFORMERS)
fuzz: all-performers
	LOCKSTEP_FUZZ=1 LOCKSTEP_EXAMPLES=$(FUZZ_EXAMPLES) LOCKSTEP_STEPS=$(FUZZ_STEPS) \
	  $(BIN)/pytest tests/properties/test_lockstep.py -q \
	  $(if $(FUZZ_SEED),--hypothesis-seed=$(FUZZ_SEED)) $(addprefix --performer ,$(FUZZ_PERFORMERS))

test-conformance: all-performers
	$(BIN)/pytest tests/conformance -q -n $(JOBS) $(addprefix --performer ,$(ALL_PERFORMERS))

## test-cluster: the 3-member cluster suite for two performers (all six run in the nightly matrix's cluster3 cells)
test-cluster: all-performers
	$(BIN)/pytest tests/conformance/cluster -q -n $(JOBS) --topology cluster3 --performer go-clientv3 --performer python-etcd3

## matrix: the nightly matrix (ci/matrix.yaml) into reports/matrix, then its HTML report
matrix: all-performers servers
	$(BIN)/etcdfit matrix --config ci/matrix.yaml --out reports/matrix; \
	code=$$?; $(BIN)/etcdfit report reports/matrix/results.json --out reports/matrix/html; exit $$code

bench: bootstrap
	$(BIN)/python -m etcdfit.bench

## perf-smoke: the smoke workload profile (seconds) for PERF_PERFORMERS beside etcd's benchmark tool,
## results and HTML report in reports/perf-smoke (docs/perf.md); performers without perf.workload skip
PERF_PERFORMERS ?= $(ALL_PERFORMERS)
perf-smoke: venv
	$(BIN)/etcdfit perf --profile smoke $(addprefix --performer ,$(PERF_PERFORMERS)) --out reports/perf-smoke

clean:
	rm -rf .cache reports .etcdfit
