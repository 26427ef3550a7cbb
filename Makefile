# homelab: a controller, an agent on every device, and the `homelab` CLI.
SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: all prereqs build run test test-browser test-faults bench fuzz clean agent-binaries api-fuzz

all: build

prereqs:
	@deploy/dev/install-prereqs.sh

build: prereqs
	$(SWIFT) build

## make run: controller + agent on this machine, state in ./.homelab/, Ctrl-C stops both.
run: build
	@deploy/dev/run.sh

## make test: the whole suite, against a real dockerd (started when none runs). As root it also
## builds the arm64 agent (cross toolchain, cached in /var/cache/homelab-cross) for the lab tests.
test: prereqs
	@deploy/dev/ensure-dockerd.sh
	@if [ "$$(id -u)" -eq 0 ]; then deploy/cross/build-agent.sh arm64 dist/agents; \
	else echo "not root: the lab tests (and the arm64 agent they run under qemu) are skipped"; fi
	@# The JSON Schema of docs/recipe.schema.json must accept every bundled recipe (the Swift loader is checked by the suite).
	python3 recipes/check-schema.py
	@# Every target built once, failing on a compiler warning in our code (deploy/dev/check-warnings.sh).
	deploy/dev/check-warnings.sh $(SWIFT)
	@# Under a time limit that prints the process tree when it strikes (deploy/dev/run-tests.sh).
	HOMELAB_REQUIRE_DOCKER=1 deploy/dev/run-tests.sh $(SWIFT) test
	@# The fuzz targets' seeds and saved corpora, once each (Makefile.fuzz), and schemathesis against the live API.
	$(MAKE) fuzz-replay
	$(MAKE) api-fuzz
	@# The dashboard in headless Chromium against the binaries just built (in the lab as root; Tests/Browser).
	$(MAKE) --no-print-directory browser-suite

## make api-fuzz: schemathesis on the live OpenAPI document (fixed seed, time limit; no 5xx, no undocumented answer).
api-fuzz:
	$(SWIFT) build --product homelab-controller
	deploy/dev/api-fuzz.sh

## The browser suite's Python: Debian's (with python3-selenium) plus axe-core from PyPI, in a venv of its own.
BROWSER_VENV := .build/browser-venv
$(BROWSER_VENV)/.ready:
	/usr/bin/python3 -m venv --system-site-packages $(BROWSER_VENV)
	$(BROWSER_VENV)/bin/pip install -q axe-selenium-python==2.1.6
	touch $@

.PHONY: browser-suite
browser-suite: $(BROWSER_VENV)/.ready
	@# Under the lab lock, like every lab test: the suite brings the lab's nas and pi4 up (as root).
	HOMELAB_TEST_LIMIT=600 flock /tmp/homelab-lab.lock deploy/dev/run-tests.sh $(BROWSER_VENV)/bin/python Tests/Browser/test_dashboard.py

## make test-browser: only the browser suite (screenshots in .build/dashboard-screenshots/); as root, under the lab lock.
test-browser: prereqs
	$(SWIFT) build
	@$(MAKE) --no-print-directory browser-suite

## make test-faults: every cell of the transfer and migration fault matrices (make test runs a fixed sample of them), in the lab; as root.
test-faults: prereqs
	@deploy/dev/ensure-dockerd.sh
	HOMELAB_TEST_FAULTS=all HOMELAB_REQUIRE_DOCKER=1 HOMELAB_TEST_LIMIT=3000 deploy/dev/run-tests.sh $(SWIFT) test --filter "TransferLabTests|MigrationLabTests"

## make bench: release build; prints figures beside baselines measured in the same run.
bench: prereqs
	$(SWIFT) build -c release --static-swift-stdlib
	Benchmarks/agent-size.sh .build/release/homelab-agent
	.build/release/homelab-bench
	Benchmarks/lab-up.sh .build/release
	Benchmarks/bootstrap-bench.sh .build/release
	Benchmarks/stack-bench.sh .build/release
	Benchmarks/transfer-bench.sh .build/release
	Benchmarks/migration-bench.sh .build/release
	Benchmarks/hardening-bench.sh .build/release
	@$(MAKE) --no-print-directory $(BROWSER_VENV)/.ready
	$(BROWSER_VENV)/bin/python Benchmarks/dashboard_bench.py .build/release

## make agent-binaries: fully static, stripped agents in dist/agents/ for amd64 (host toolchain)
## and arm64 (Debian sid cross toolchain; as root), each with a .sha256. See docs/building.md.
agent-binaries: prereqs
	deploy/cross/build-agent.sh amd64 dist/agents
	deploy/cross/build-agent.sh arm64 dist/agents

clean:
	rm -rf .build

-include Makefile.fuzz

## make lab: four simulated devices (namespaces on bridge hlbr0, each with its own dockerd and agent),
## the controller and a registry; as root. `deploy/lab/lab down` removes it all. See deploy/lab/README.md.
.PHONY: lab
lab: build
	@deploy/lab/lab up --device nas:ram=8G,disk=2T,cores=4,always-on=true,watts=15 \
	  --device pi4:ram=4G,disk=64G,cores=4,arch=arm64,watts=6 \
	  --device pi-zero:ram=512M,disk=16G,cores=1,arch=armv7,watts=1 \
	  --device laptop:ram=16G,disk=512G,cores=8,watts=25
	@echo
	@echo "  Try:"
	@echo '    eval "$$(deploy/lab/lab env)"; .build/debug/homelab devices list'
	@echo "    deploy/lab/lab status          # namespaces, addresses, profiles, processes"
	@echo "    deploy/lab/lab check           # multicast, reachability, a container on each device"
	@echo "    deploy/lab/lab link pi4 down   # cut a device off (and: link pi4 up)"
	@echo "    deploy/lab/lab exec nas docker ps"
	@echo "    deploy/lab/lab down            # stop and remove everything"
