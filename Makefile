# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench fuzz soak screenshots system-deps clean web-screenshots scenarios

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

## Benchmarks, each beside its baseline measured in the same run; writes benchmarks/results.json
## and the README's Performance table.
bench: $(STAMP) system-deps
	xvfb-run -a -s "-screen 0 1280x720x24 +extension GLX" $(BIN)/python -m benchmarks.run; \
	  status=$$?; $(BIN)/python -m benchmarks.readme; exit $$status

## Regenerate docs/screenshots/: every screen, English and Danish, at 800x480 and 1280x720.
screenshots: $(STAMP) system-deps
	$(BIN)/python scripts/screenshots.py

## Phone pages of the web companion (en + da) -> docs/screenshots/web-*.png (real system, Chromium).
web-screenshots: $(STAMP) system-deps
	$(BIN)/python scripts/web_screenshots.py

## Fuzz longer than CI does: every MQTT payload schema at the live processes, every HTTP endpoint.
FUZZ_EXAMPLES ?= 5000
FUZZ_HTTP_EXAMPLES ?= 500
fuzz: $(STAMP) system-deps
	ISMART_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) ISMART_FUZZ_HTTP_EXAMPLES=$(FUZZ_HTTP_EXAMPLES) \
	  $(BIN)/pytest -p no:cacheprovider --timeout 0 tests/test_fuzz_mqtt.py tests/test_fuzz_http.py

## The issue's soak: 1,000 bind/unbind cycles, the broker killed -9 every 100 (CI runs 200/50).
SOAK_CYCLES ?= 1000
SOAK_KILL_EVERY ?= 100
soak: $(STAMP) system-deps
	ISMART_SOAK_CYCLES=$(SOAK_CYCLES) ISMART_SOAK_KILL_EVERY=$(SOAK_KILL_EVERY) \
	  $(BIN)/pytest -p no:cacheprovider --timeout 0 tests/test_soak.py

## The shipped scenarios (assets/scenarios/) against a system the runner starts, under Xvfb.
scenarios: $(STAMP) system-deps
	xvfb-run -a -s "-screen 0 1280x800x24 +extension GLX" $(BIN)/ismart-scenario run \
	  assets/scenarios/*.yaml --start --junit-xml var/scenarios/report.xml --workdir var/scenarios

lint: $(STAMP)
	$(BIN)/ruff check headunit firmware_sim tests benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache
