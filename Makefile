# memcg async-reclaim lab.
#   make serve   build the playground and serve it on http://127.0.0.1:8080/
#   make test    every test: native, wasm (Node and headless Chrome), end-to-end
#   make fuzz    every fuzz target for FUZZ_SECONDS (fuzz/README.md)
# Both install what they need first (make tools), so they work on a fresh machine.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# cargo-installed tools (wasm-pack, wasm-bindgen) live here.
export PATH := $(HOME)/.cargo/bin:$(PATH)

PORT ?= 8080
CHROMIUM ?= /usr/bin/chromium
E2E_DIR := tests/e2e
E2E_OUT := $(E2E_DIR)/out
# npm's binaryen (wasm-opt 132) must come before Debian's wasm-opt 108, which
# cannot parse what rustc emits and breaks release builds.
NODE_BIN := $(CURDIR)/$(E2E_DIR)/node_modules/.bin
NODE_STAMP := $(E2E_DIR)/node_modules/.package-lock.json
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
.PHONY: help tools tools-rust tools-wasm-bindgen tools-wasm-pack tools-chromium tools-npm \
	tools-cargo-fuzz build serve test e2e lint bench soak fuzz fuzz-build fuzz-smoke screenshot clean

help:
	@echo "make serve       build and serve the playground on http://127.0.0.1:$(PORT)/"
	@echo "make test        cargo tests, wasm tests (Node + headless Chrome), release build, e2e"
	@echo "make lint        rustfmt check and clippy (native and wasm32), warnings denied"
	@echo "make bench       engine and node benchmarks (native; figures in tests/benches/README.md)"
	@echo "make soak        24 h virtual of churn on v1 and v2: invariants, flat memory (release, native)"
	@echo "make fuzz        each fuzz target for FUZZ_SECONDS (default $(FUZZ_SECONDS)) seconds (fuzz/README.md)"
	@echo "make build       release wasm builds: the playground (www/pkg) and the JS library (www/lib)"
	@echo "make screenshot  the README's screenshots (www/screenshot.png, www/tour-low.png, www/docs-embed.png, www/compare.png, www/sweep.png)"
	@echo "make timing      median script time per frame (200 cgroups) and release wasm size gzip -9"
	@echo "make tools       install what the above need (each step skipped when present)"

# --- tools: idempotent, each skipped when already there ----------------------

tools: tools-rust tools-wasm-bindgen tools-wasm-pack tools-chromium tools-npm tools-cargo-fuzz

tools-rust:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
		|| rustup target add wasm32-unknown-unknown

Cargo.lock:
	cargo generate-lockfile

# The CLI must be exactly the wasm-bindgen version in Cargo.lock, or wasm-pack
# falls back to downloading. No --locked: it fails against this registry.
tools-wasm-bindgen: Cargo.lock
	@v=$$(awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3; exit }' Cargo.lock); \
	[ -n "$$v" ] || { echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; }; \
	if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $$v" ]; then \
		echo "installing wasm-bindgen-cli $$v"; \
		cargo install wasm-bindgen-cli --version "=$$v" --no-default-features; \
	fi

tools-wasm-pack:
	@command -v wasm-pack >/dev/null || cargo install wasm-pack --locked

# cargo-fuzz builds its targets on the stable toolchain with RUSTC_BOOTSTRAP=1
# and no sanitizer (-s none), so no nightly is needed.
tools-cargo-fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

tools-chromium:
	@if [ ! -x /usr/bin/chromium ] || ! command -v chromedriver >/dev/null; then \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	fi

tools-npm: $(NODE_STAMP)

# npm ci writes node_modules/.package-lock.json, so this reruns when the
# manifests change (stale) or node_modules is missing.
$(NODE_STAMP): $(E2E_DIR)/package.json $(E2E_DIR)/package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; }
	cd $(E2E_DIR) && npm ci --no-fund --no-audit
	@touch $@

# --- build, serve --------------------------------------------------------------

build: tools-rust tools-wasm-bindgen tools-wasm-pack tools-npm
	PATH="$(NODE_BIN):$$PATH" wasm-pack build --target web --release --mode no-install \
		--out-dir ../www/pkg web
	PATH="$(NODE_BIN):$$PATH" wasm-pack build --target web --release --mode no-install \
		--out-dir ../www/lib --out-name memcg web --no-default-features --features api

serve: tools build
	@echo "memcg playground: http://127.0.0.1:$(PORT)/  (Ctrl-C stops)"
	@echo "documentation:    http://127.0.0.1:$(PORT)/www/docs/async-reclaim.html"
	python3 -m http.server $(PORT) --bind 127.0.0.1 --directory "$(CURDIR)"

# $(call with_server,COMMAND): serves the repo root on a free port in the
# background, runs COMMAND with $$URL set, and always stops the server.
define with_server
	@mkdir -p $(E2E_OUT); \
	port=$$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	python3 -m http.server "$$port" --bind 127.0.0.1 --directory "$(CURDIR)" \
		>$(E2E_OUT)/server.log 2>&1 & srv=$$!; \
	trap 'kill $$srv 2>/dev/null || true; wait $$srv 2>/dev/null || true' EXIT; \
	for _ in $$(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$$port") 2>/dev/null && break; sleep 0.1; done; \
	URL="http://127.0.0.1:$$port/"; \
	echo "serving $(CURDIR) at $$URL (pid $$srv)"; \
	$(1)
endef

# --- test, lint -------------------------------------------------------------------

# cargo test --workspace includes tests/tests/real.rs: the real-kernel tests,
# the conformance suite (memcg conform on tests/conform/) and memcg calibrate,
# run where the machine allows (root, cgroup v1 memory controller) and
# otherwise skipped with the reason on stderr ("skipping the real-kernel test").
test: tools
	cargo test --workspace
	$(MAKE) --no-print-directory fuzz-smoke
	wasm-pack test --node --mode no-install core
	wasm-pack test --node --mode no-install web --features api
	wasm-pack test --headless --chrome --mode no-install web --features api
	$(MAKE) --no-print-directory build
	$(MAKE) --no-print-directory e2e

# The end-to-end test against an already built page (make build).
e2e: tools-npm tools-chromium
	$(call with_server,E2E_URL="$$URL" node --test $(E2E_DIR)/)

lint: tools-rust
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings
	cargo clippy --workspace --all-targets --all-features --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p memcg-web --lib --no-default-features --features api --target wasm32-unknown-unknown -- -D warnings

# Engine benchmarks: bulk vs per-page speed, engine cost per event against a
# bare BinaryHeap (steady and reclaiming workloads); the node (1,000 cgroups,
# 60 s virtual) and growth to 60k cgroups. Native only, built with the
# speed-tuned release-native profile; not part of `make test`; several minutes.
bench:
	cargo bench --profile release-native -p memcg-tests --bench engine --bench node

# Fuzzing (fuzz/README.md): fuzz/ is a workspace of its own with its own
# target dir, so its instrumented builds never invalidate the main one.
# New inputs go to fuzz/target/corpus/TARGET (the committed seeds in
# fuzz/corpus/TARGET are read only); crashes to fuzz/artifacts/TARGET.
FUZZ_TARGETS := shell_v1 shell_v2 cgroupfs_write units scenario_json share_link sweep_definition
FUZZ_SECONDS ?= 60
FUZZ := cd fuzz && RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$(CURDIR)/fuzz/target cargo fuzz

fuzz-build: tools-cargo-fuzz
	$(FUZZ) build -s none

# $(call fuzz_each,LIBFUZZER_ARGS,WHAT,CORPORA): every target, from CORPORA
# (relative to fuzz/; libFuzzer adds new inputs to the first).
define fuzz_each
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/target/corpus/$$t; log=fuzz/target/fuzz-$$t.log; \
		if ( $(FUZZ) run -s none $$t $(3) -- \
			$(1) -print_final_stats=1 ) >$$log 2>&1; then \
			echo "fuzz $$t: $$(grep -h 'number_of_executed_units' $$log | grep -o '[0-9]*$$') runs $(2), 0 crashes"; \
		else \
			tail -n 40 $$log >&2; echo "fuzz $$t FAILED: $$log, input in fuzz/artifacts/$$t" >&2; exit 1; \
		fi; \
	done
endef

fuzz: fuzz-build
	$(call fuzz_each,-max_total_time=$(FUZZ_SECONDS) -timeout=10,in $(FUZZ_SECONDS) s,target/corpus/$$t corpus/$$t)

# Part of make test: each target runs every committed seed once (-runs=0:
# no mutation, so the smoke is deterministic; about a second per target).
fuzz-smoke: fuzz-build
	$(call fuzz_each,-runs=0,(the seeds),corpus/$$t)

# 24 h of virtual time with churn on v1 and v2 (tests/tests/soak.rs): the
# kernel invariants after every line, flat retained state. Native, release.
soak:
	cargo test --release -p memcg-tests --test soak -- --ignored a_day --nocapture

# --- helpers ------------------------------------------------------------------------

# The tours' and the docs page's end-to-end tests save screenshots in
# tests/e2e/out; five of them illustrate the README.
screenshot: tools build
	$(call with_server,E2E_URL="$$URL" node --test $(E2E_DIR)/tours.test.mjs $(E2E_DIR)/tour2.test.mjs $(E2E_DIR)/docs.test.mjs $(E2E_DIR)/compare.test.mjs $(E2E_DIR)/sweep.test.mjs)
	cp $(E2E_OUT)/tour2-step3.png www/screenshot.png
	cp $(E2E_OUT)/compare.png www/compare.png
	cp $(E2E_OUT)/sweep.png www/sweep.png
	cp $(E2E_OUT)/tour-low.png www/tour-low.png
	cp $(E2E_OUT)/docs-step-5.png www/docs-embed.png

# Prints the median script time per animation frame with the 200-cgroup
# preset playing, and the release wasm size after gzip -9 (also in
# tests/e2e/out/timing.json), then the frame times while a 4x4 sweep runs
# in Web Workers (sweep.test.mjs). Part of `make e2e` too.
timing: tools build
	$(call with_server,E2E_URL="$$URL" node --test $(E2E_DIR)/timing.test.mjs $(E2E_DIR)/sweep.test.mjs)

clean:
	rm -rf www/pkg www/lib $(E2E_OUT)
