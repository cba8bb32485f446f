# Lambent: `make run` starts the server, `make test` checks everything. Both set up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lint typecheck contracts unit e2e bench clean

setup: $(STAMP) system-deps runtimes

# Each host Python's runtime client (awslambdaric) and SDK (boto3), outside the venv.
.PHONY: runtimes
runtimes: $(STAMP)
	@$(BIN)/lambent runtimes install >/dev/null

# Debian packages, installed when we can (root, apt): bubblewrap gives functions their
# sandboxes; awscli is the AWS CLI v2 (`aws logs tail` exists only in v2; the venv has v1);
# autotools build the official aws-lambda-ric the Node.js bootstrap is compared with.
DEBIAN_PACKAGES := bubblewrap awscli autoconf automake libtool libtool-bin cmake g++ make
.PHONY: system-deps
system-deps:
	@missing=""; \
	for pkg in $(DEBIAN_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing"; \
	    apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	      (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $$missing >/dev/null); \
	  else \
	    echo "note: missing Debian packages:$$missing (bubblewrap: functions run with --isolation process)"; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

run: setup
	$(BIN)/lambent server

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy

contracts: setup
	$(BIN)/lint-imports

test: lint typecheck contracts
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
