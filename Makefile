# Two commands a new user needs: `make run` (install, train the reader once, build the index, serve
# the chat) and `make test` (install with the test tools, train the reader once, run every test).
# .ci/run calls `make test` too.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -c constraints.txt --progress-bar on

.PHONY: install install-test train run ask test eval clean

$(VENV)/.runtime: pyproject.toml constraints.txt
	@echo "==> creating $(VENV) and installing the assistant (first time: a few minutes, mostly PyTorch's CPU build)"
	python3 -m venv $(VENV)
	$(PIP) -q --upgrade pip
	$(PIP) -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	@echo "==> installing the test tools (pytest, playwright, hypothesis, schemathesis)"
	$(PIP) -e ".[test]"
	touch $@

install: $(VENV)/.runtime

install-test: $(VENV)/.test

train: install
	@echo "==> training the reader (cached by a hash of training/; first time under 10 minutes on 2 cores)"
	$(VENV)/bin/assistant train

run: train
	$(VENV)/bin/assistant serve

test: install-test train
	$(PY) -m pytest -q

eval: train
	$(VENV)/bin/assistant eval --show-failures

clean:
	rm -rf index $(VENV)
