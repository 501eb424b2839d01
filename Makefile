# amisim: two commands do everything on a fresh machine (Rust toolchain, Python 3 with pip).
#   make demo   set up, build, and run the quickstart through apply, plan and destroy
#   make test   set up, build, and run every test (against two Terraform versions)
.PHONY: demo test setup lint docs bench bench-serve bench-classroom install uninstall

setup:
	@scripts/setup

demo: setup
	@scripts/demo

test: setup
	@scripts/test

lint: setup
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

docs: setup
	AMISIM_UPDATE_DOCS=1 cargo test -p amisim-acceptance-tests --test docs docs_are_generated
	AMISIM_UPDATE_DOCS=1 cargo test -p amisim-acceptance-tests --test scenarios
	AMISIM_UPDATE_DOCS=1 cargo test -p amisim-acceptance-tests --test console every_lesson

bench: setup
	python3 scripts/bench.py --out target/benchmarks.md

bench-serve: setup
	python3 scripts/bench_serve.py --out target/benchmarks-serve.md

bench-classroom: setup
	python3 scripts/bench_classroom.py --out target/benchmarks-classroom.md

install:
	@scripts/install

uninstall:
	@scripts/install --uninstall
