.PHONY: run test lint build bench fuzz fmt

# Flags go through ARGS: make run ARGS='--port 4000'
run:
	cargo run --release -- $(ARGS)

build:
	cargo build --release

test: lint
	cargo test --workspace

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

# Not part of `test`: prints the tables and writes target/bench/e2e.json. The filter
# first, on a quiet machine: e2e leaves a thousand threads and sockets to wind down.
bench:
	cargo bench --bench telnet_filter
	cargo bench --bench e2e
	cargo bench --bench stats
	cargo bench --bench bot

# Not part of `test`. Stable rustc takes cargo-fuzz's nightly flags with RUSTC_BOOTSTRAP.
FUZZ_SECONDS ?= 600
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
	RUSTC_BOOTSTRAP=1 cargo fuzz run telnet_filter -- -max_total_time=$(FUZZ_SECONDS)
