# Two commands on a fresh machine: `make run` (the app) and `make test` (all tests).
# Both install what is missing and are quick the second time.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# who may connect: localhost (this machine only, the default); 0.0.0.0 serves every network interface
ADDRESS ?= localhost
export AE_OFFLINE ?= $(if $(CI),1,)
# idle torch threads sleep instead of spinning: much faster on a busy 2-core machine (see app.py)
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: run test bench checkpoints vendor sysdeps install install-dev clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -c "import torch, torchvision; print('torch', torch.__version__, 'torchvision', torchvision.__version__)"
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages: the real Fashion-MNIST, Chromium for browser tests, a Korean font for screenshots.
sysdeps:
	@need=""; \
	[ -x /usr/bin/chromium ] || need="$$need chromium"; \
	[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || need="$$need dataset-fashion-mnist"; \
	[ -d /usr/share/fonts/truetype/nanum ] || need="$$need fonts-nanum"; \
	if [ -n "$$need" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	  else echo "please install:$$need (sudo apt-get install$$need)"; exit 1; fi; \
	fi

run: install
	@[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || [ "$$(id -u)" != 0 ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null)
	$(PY) app.py --server.port $(PORT) --server.address $(ADDRESS)

test: sysdeps install-dev
	$(PY) -m pytest -q

# Benchmarks measure what a script gets by default: PASSIVE (above) suits a busy shared server, and
# the app sets it for itself, but it slows small models on an idle machine.
bench: sysdeps install-dev
	env -u OMP_WAIT_POLICY $(PY) -m bench

# Recreates the shipped checkpoints (about 8 hours on 2 cores, 3 of them the Compression page's sweep).
checkpoints: install
	bash checkpoints/make.sh $(PY)

# Refreshes the browser decoder's vendored onnxruntime-web files in static/vendor/ with npm (the app and
# the tests use the committed copies and never need Node). `make vendor ORT_WEB=latest` upgrades.
vendor: | $(PY)
	$(PY) tools/vendor_onnxruntime_web.py $(if $(ORT_WEB),--version $(ORT_WEB),)

clean:
	rm -rf $(VENV) test-results .pytest_cache
