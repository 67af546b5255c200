# The README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch first, pinned to the CPU build (a bare `torch` requirement can pull a multi-GB CUDA build).
TORCH_SPEC ?= torch==2.13.0
QUESTION ?= What needle type reduces the risk of post-dural puncture headache?

.PHONY: install demo test index corpus clean-index constraints

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(STAMP)

corpus: install
	$(BIN)/guideqa corpus fetch

index: corpus
	$(BIN)/guideqa index build --name default

demo: index
	$(BIN)/guideqa ask "$(QUESTION)"
	$(BIN)/guideqa ask "What causes leg weakness after a lumbar puncture (LP)?"

test: install
	$(BIN)/python -m pytest

clean-index:
	rm -rf indexes/default indexes/.builds

# Refresh the pins after changing dependencies in pyproject.toml.
constraints: install
	(echo "# Exact versions for reproducible installs (pip install -c constraints.txt). Regenerate with 'make constraints'."; \
	 $(BIN)/pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu/torch==\1/') > constraints.txt
