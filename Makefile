# The README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch first, pinned to the CPU build (a bare `torch` requirement can pull a multi-GB CUDA build).
TORCH_SPEC ?= torch==2.13.0
QUESTION ?= What needle type reduces the risk of post-dural puncture headache?

LLM_STAMP := $(VENV)/.installed-llm
LLM_PORT ?= 8080

.PHONY: install demo test index corpus clean-index constraints llm llm-serve

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
	$(BIN)/guideqa ask "How long should anticoagulation continue after a first unprovoked PE?"

test: install
	$(BIN)/python -m pytest

# The offline LLM option: llama.cpp's OpenAI-compatible server (built from source, about 4 min
# on 2 cores; pip caches the wheel) and SmolLM2-135M-Instruct. Then `make llm-serve`, and in
# another shell: GUIDEQA_WRITER=llm GUIDEQA_LLM__BASE_URL=http://127.0.0.1:8080/v1
#                GUIDEQA_LLM__MODEL=smollm2-135m-instruct .venv/bin/guideqa ask "..."
# GGML_NATIVE=OFF: a -march=native build uses every instruction the CPU reports (AMX on recent Xeons), and
# one that a VM reports but does not enable crashes the server on its first completion. --no-cache-dir keeps
# pip from reusing a wheel built with other flags.
$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip install --quiet --no-cache-dir \
		-c constraints.txt llama-cpp-python
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip install --quiet -c constraints.txt -e '.[dev,local-llm]'
	touch $@

llm: $(LLM_STAMP)

llm-serve: llm
	$(BIN)/guideqa llm-serve --port $(LLM_PORT)

clean-index:
	rm -rf indexes/default indexes/.builds

# Refresh the pins after changing dependencies in pyproject.toml.
constraints: llm
	(echo "# Exact versions for reproducible installs (pip install -c constraints.txt). Regenerate with 'make constraints'."; \
	 $(BIN)/pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu/torch==\1/; s/^\([A-Za-z0-9_.-]*\) @ file:.*\/[A-Za-z0-9_.]*-\([0-9][^-]*\)-.*$$/\1==\2/') > constraints.txt
