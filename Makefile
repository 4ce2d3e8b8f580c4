# servebench: every target bootstraps what it needs first (.venv, pinned dependencies, model artifacts,
# system packages), and a second run with nothing changed does nothing.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
VENV_STAMP := $(VENV)/.installed
MODELS_STAMP := artifacts/.built
PYTEST_ARGS ?=
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help bootstrap environments models system-packages soak overload limits test lint typecheck pytest contract bench bench-io pages report \
        run-flask run-fastapi run-streamlit run-ray ray-env scale-out latency instructions peers levers clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(VENV_STAMP): requirements/runtime.txt requirements/dev.txt constraints.txt pyproject.toml
	@echo "==> creating $(VENV) and installing pinned dependencies"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==25.3 setuptools==84.2.1
	$(PY) -m pip install --quiet --progress-bar off -r requirements/dev.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(MODELS_STAMP): $(VENV_STAMP) shared_model/train.py shared_model/artifacts.py shared_model/datasets.py \
                 shared_model/compiled.py shared_model/secure_format.py \
                 $(wildcard shared_model/specs/*.toml)
	@echo "==> training the built-in models"
	$(PY) -m shared_model.train --all
	@touch $@

bootstrap: $(MODELS_STAMP) ## Create .venv, install pinned dependencies, train the built-in models

models: $(MODELS_STAMP) ## Train the built-in models (only when their inputs changed)

# The benchmark peers (MLServer, BentoML), each in its own venv: their pins conflict with ours. Installed with
# --no-deps from a file of every transitive pin, then checked, so two builds are the same.
PEERS_DIR := .peers
PEER_NAMES := mlserver bentoml
PEER_STAMPS := $(PEER_NAMES:%=$(PEERS_DIR)/%/.installed)

$(PEERS_DIR)/%/.installed: requirements/peers/%.txt
	@echo "==> creating $(PEERS_DIR)/$* (a benchmark peer's own venv)"
	@rm -rf $(PEERS_DIR)/$*
	$(PYTHON) -m venv $(PEERS_DIR)/$*
	$(PEERS_DIR)/$*/bin/python -m pip install --quiet --upgrade pip==25.3
	$(PEERS_DIR)/$*/bin/python -m pip install --quiet --progress-bar off --no-deps -r $<
	$(PEERS_DIR)/$*/bin/python -m pip check
	@touch $@

peers: ## The benchmark peers' own venvs (.peers/mlserver, .peers/bentoml) from requirements/peers/, side by side
	@$(MAKE) -j2 $(PEER_STAMPS)

# Ray Serve's environment: .venv's packages (a path line, so one copy of each, at the same pins) under Ray Serve
# and its own dependencies (requirements/ray.txt, ray-constraints.txt), which so stay out of .venv.
RAY_VENV := .ray-venv
RAY_STAMP := $(RAY_VENV)/.installed
SITE_PACKAGES := import sysconfig; print(sysconfig.get_paths()["purelib"])

# .venv's packages are read through the path line, so a change there needs no rebuild; a pin change does.
$(RAY_STAMP): requirements/ray.txt requirements/ray-constraints.txt constraints.txt | $(VENV_STAMP)
	@echo "==> creating $(RAY_VENV) (Ray Serve's environment, on top of $(VENV))"
	@rm -rf $(RAY_VENV)
	$(PYTHON) -m venv $(RAY_VENV)
	$(PY) -c '$(SITE_PACKAGES)' > "$$($(RAY_VENV)/bin/python -c '$(SITE_PACKAGES)')/servebench-venv.pth"
	$(RAY_VENV)/bin/python -m pip install --quiet --upgrade pip==25.3 setuptools==84.2.1
	$(RAY_VENV)/bin/python -m pip install --quiet --progress-bar off -r requirements/ray.txt \
	    -c constraints.txt -c requirements/ray-constraints.txt
	$(RAY_VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(RAY_VENV)/bin/python -m pip check
	@touch $@

ray-env: $(RAY_STAMP) ## Ray Serve's environment (.ray-venv), on top of .venv

SYSTEM_PACKAGES := requirements/system.txt
system-packages: ## Install the Debian packages tests and benchmarks run (requirements/system.txt) when missing
	@grep -Ev '^[[:space:]]*(#|$$)' $(SYSTEM_PACKAGES) | while read -r command package; do \
	    bash scripts/require-system-package.sh "$$command" "$$package" </dev/null; done

environments: ## .venv with the models, the peers' venvs and .ray-venv, built side by side (what make test needs)
	@$(MAKE) -s -j3 $(MODELS_STAMP) $(PEER_STAMPS) $(RAY_STAMP)

test: environments system-packages ## Lint, type-check and run every test (in-process, live servers, real browser)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy --python-executable $(RAY_VENV)/bin/python ray_serve  # Ray is installed there only
	$(BIN)/pytest $(PYTEST_ARGS)

lint: bootstrap ## ruff check and format check only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: bootstrap ## mypy only
	$(BIN)/mypy

contract: bootstrap system-packages ## The contract suite alone, both modes, at full depth
	$(BIN)/pytest contract_tests --hypothesis-profile=deep $(PYTEST_ARGS)

latency: bootstrap ## In-process predict latency of each built-in model on scikit-learn and onnxruntime (1 and 100 rows)
	$(PY) -m benchmarks.predict_latency

instructions: bootstrap system-packages ## Instructions per request of each target called in-process, counted by callgrind
	$(PY) -m benchmarks.instructions

run-flask: bootstrap system-packages ## Flask: nginx in front of gunicorn on 127.0.0.1:5000 (SERVEBENCH_* settings apply)
	$(PY) -m shared_model.store_server $(PY) -m flask_app

run-fastapi: bootstrap system-packages ## FastAPI: nginx in front of uvicorn on 127.0.0.1:8000 (SERVEBENCH_* settings apply)
	$(PY) -m shared_model.store_server $(PY) -m fastapi_app

run-ray: bootstrap ray-env ## FastAPI under Ray Serve: SERVEBENCH_REPLICAS replicas (default 2) on 127.0.0.1:8000
	$(RAY_VENV)/bin/python -m ray_serve

run-streamlit: bootstrap ## Streamlit under `streamlit run` on 127.0.0.1:8501
	$(PY) -m shared_model.store_server $(PY) -m streamlit_app

SLO_MS ?= 50
bench: bootstrap system-packages ## Measure all three front ends beside the baselines (QUICK=1 for a short run; SLO_MS=50; PEERS=1 adds MLServer and BentoML; ONNX=1 FastAPI on onnxruntime; CAPACITY_ROUNDS=N more Server-search rounds, ~2 min each)
	$(if $(PEERS),$(MAKE) peers || echo "==> a peer's venv did not build: the run reports that peer as failed",)
	$(PY) -m benchmarks $(if $(QUICK),--quick,) $(if $(PEERS),--peers,) $(if $(ONNX),--onnx,) $(if $(CAPACITY_ROUNDS),--capacity-rounds $(CAPACITY_ROUNDS),) $(if $(RECORDS),--records $(RECORDS),) --slo-ms $(SLO_MS)

levers: bootstrap system-packages ## One model's levers at the SLO beside the shipped FastAPI: a 2nd worker, batched, ONNX, Flask (MODEL=loan|diabetes|path; ~6 min)
	$(PY) -m benchmarks.levers $(if $(MODEL),--model $(MODEL),) $(if $(RECORDS),--records $(RECORDS),) --slo-ms $(SLO_MS)

pages: bootstrap system-packages ## The pages for people alone: click -> result in Chromium (Streamlit, its floor app, the Flask page), submits/s and memory per person
	$(PY) -m benchmarks.pages

IO_REPEATS ?= 3
bench-io: bootstrap system-packages ## Capacity at the SLO when every prediction waits on Redis (+0/1/5/20 ms on its link; ~10 min)
	$(PY) -m benchmarks.io_wait --slo-ms $(SLO_MS) --repeats $(IO_REPEATS)

overload: bootstrap system-packages ## The overload goals, printed: 2x capacity, c=256 and stalls at half load, each with liveness probes (~3 min); SETTINGS="MAX_INFLIGHT=4 ..." over the shipped
	$(PY) -m benchmarks.overload $(addprefix --setting ,$(SETTINGS))

LIMITS ?= 4,8,16
LIMIT_ROUNDS ?= 2
limits: bootstrap system-packages ## SERVEBENCH_MAX_INFLIGHT measured: each value of LIMITS (4,8,16) for capacity at the SLO and the overload goals, LIMIT_ROUNDS rounds (~90 s a value a round)
	$(PY) -m benchmarks.limits --values $(LIMITS) --rounds $(LIMIT_ROUNDS) --slo-ms $(SLO_MS) $(addprefix --setting ,$(SETTINGS))

SOAK_SECONDS ?= 600
soak: bootstrap system-packages ## Flask and FastAPI at half their capacity for SOAK_SECONDS each (RSS growth < 10 %, 0 errors, 0 refused on time); SETTINGS="MAX_INFLIGHT=8 ..." over the shipped
	$(PY) -m benchmarks.soak --seconds $(SOAK_SECONDS) $(addprefix --setting ,$(SETTINGS))

scale-out: bootstrap system-packages ray-env ## FastAPI under uvicorn (1, 2 workers) and Ray Serve (1, 2 replicas), ~5 min
	$(PY) -m benchmarks.scale_out

WEIGHTS ?= latency:3,throughput:1,memory:1,cold_start:1,loc:2
report: bootstrap ## The decision report: runs `make bench` (QUICK=1 for a short run) unless RESULTS=path is given; SOAK=path adds a soak
	$(if $(RESULTS),,$(MAKE) bench QUICK=$(QUICK) PEERS=$(PEERS) ONNX=$(ONNX) CAPACITY_ROUNDS=$(CAPACITY_ROUNDS) SLO_MS=$(SLO_MS))
	$(PY) -m report $(if $(RESULTS),--results $(RESULTS),--latest) --weights $(WEIGHTS) $(if $(BASELINE),--baseline $(BASELINE),) $(if $(SOAK),--soak $(SOAK),) $(if $(SCALE_OUT),--scale-out $(SCALE_OUT),)

clean: ## Remove .venv, artifacts and caches
	rm -rf $(VENV) $(RAY_VENV) $(PEERS_DIR) artifacts .mypy_cache .ruff_cache .pytest_cache .hypothesis test-artifacts
