# etcdfit — entry points. `make run` and `make test` are the two a new user needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEFAULT_PERFORMERS := go-clientv3 python-etcd3
JOBS ?= 2

.PHONY: bootstrap venv performers protos protos-check run test test-harness test-conformance bench clean

## bootstrap: driver venv (.venv) + every default performer built into .cache/
bootstrap: venv performers

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

performers: venv
	$(BIN)/etcdfit performer build --jobs $(JOBS) $(DEFAULT_PERFORMERS)

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
	$(BIN)/etcdfit run $(addprefix --performer ,$(DEFAULT_PERFORMERS)) --out reports/latest

## test: bootstrap, then the harness self-tests and the conformance suite against every default performer
test: bootstrap protos-check test-harness test-conformance

test-harness: venv
	$(BIN)/pytest tests/harness -q -n $(JOBS)

test-conformance: bootstrap
	$(BIN)/pytest tests/conformance -q -n $(JOBS) $(addprefix --performer ,$(DEFAULT_PERFORMERS))

bench: bootstrap
	$(BIN)/python -m etcdfit.bench

clean:
	rm -rf .cache reports .etcdfit
