# Two commands a new user needs: `make run` (install, build the index, serve the chat)
# and `make test` (install, run every test). .ci/run calls `make test` too.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q -c constraints.txt

.PHONY: install run ask test eval clean

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -e ".[test,llm]"
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/assistant serve

test: install
	$(PY) -m pytest -q

eval: install
	$(VENV)/bin/assistant eval --show-failures

clean:
	rm -rf index $(VENV)
