# homelab: a controller, an agent on every device, and the `homelab` CLI.
SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: all prereqs build run test bench fuzz clean

all: build

prereqs:
	@deploy/dev/install-prereqs.sh

build: prereqs
	$(SWIFT) build

## make run: controller + agent on this machine, state in ./.homelab/, Ctrl-C stops both.
run: build
	@deploy/dev/run.sh

## make test: the whole suite, against a real dockerd (started when none runs).
test: prereqs
	@deploy/dev/ensure-dockerd.sh
	HOMELAB_REQUIRE_DOCKER=1 $(SWIFT) test

## make bench: release build; prints figures beside baselines measured in the same run.
bench: prereqs
	$(SWIFT) build -c release --static-swift-stdlib
	Benchmarks/agent-size.sh .build/release/homelab-agent
	.build/release/homelab-bench

clean:
	rm -rf .build

-include Makefile.fuzz
