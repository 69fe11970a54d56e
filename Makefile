.PHONY: run test lint build bench fuzz fmt

run:
	cargo run --release --

build:
	cargo build --release

test: lint
	cargo test

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

fmt:
	cargo fmt --all

bench:
	cargo bench

fuzz:
	cargo +nightly fuzz run telnet_filter -- -max_total_time=$${FUZZ_SECONDS:-600}
