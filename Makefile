# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench screenshots system-deps clean web-screenshots scenarios

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) \
	  || (rm -rf $(VENV) && bash scripts/ensure-system-deps.sh python3-venv && $(PYTHON) -m venv $(VENV))
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## Run broker + cloud + head unit on embedded defaults (a window when there is a display).
demo: $(STAMP)
	$(BIN)/ismart-demo $(ARGS)

system-deps:
	bash scripts/ensure-system-deps.sh

## Install what the tests need (Python packages, mosquitto, Xvfb, chromium) and run them all.
test: $(STAMP) system-deps
	$(BIN)/ruff check headunit firmware_sim tests benchmarks
	$(BIN)/pytest $(PYTEST_ARGS)

## Benchmarks, each beside its baseline measured in the same run; writes benchmarks/results.json.
bench: $(STAMP) system-deps
	xvfb-run -a -s "-screen 0 1280x720x24 +extension GLX" $(BIN)/python -m benchmarks.run

## Regenerate docs/screenshots/: every screen, English and Danish, at 800x480 and 1280x720.
screenshots: $(STAMP) system-deps
	$(BIN)/python scripts/screenshots.py

## Phone pages of the web companion (en + da) -> docs/screenshots/web-*.png (real system, Chromium).
web-screenshots: $(STAMP) system-deps
	$(BIN)/python scripts/web_screenshots.py

## The shipped scenarios (assets/scenarios/) against a system the runner starts, under Xvfb.
scenarios: $(STAMP) system-deps
	xvfb-run -a -s "-screen 0 1280x800x24 +extension GLX" $(BIN)/ismart-scenario run \
	  assets/scenarios/*.yaml --start --junit-xml var/scenarios/report.xml --workdir var/scenarios

lint: $(STAMP)
	$(BIN)/ruff check headunit firmware_sim tests benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache
