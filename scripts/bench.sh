#!/usr/bin/env bash
# Benchmark (not a test): generates a large mixed RDB with a real Redis 7.0 (hundreds of
# MB, every type), then reports MB/s and peak memory for `rdbtool verify`,
# `rdbtool dump --format jsonl > /dev/null` and `redis-check-rdb` on the same file.
#
#   bash scripts/bench.sh [SCALE] [STRINGS]     # defaults 300 and 2000000 (~400 MB)
#
# The dataset is cached in target/bench/ keyed by its parameters. Needs what
# scripts/install-test-deps.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-300}
strings=${2:-2000000}
mkdir -p target/bench
rdb="target/bench/mixed-v3-s${scale}-n${strings}.rdb"
cargo build --release -q -p rdbtool -p e2e --bin rdbtool --bin bench-dataset
if [ ! -f "$rdb" ]; then
    E2E_NO_BUILD=1 ./target/release/bench-dataset "$rdb" "$scale" "$strings"
fi
check_rdb=/usr/bin/redis-check-rdb
python3 - "$rdb" "$check_rdb" <<'PY'
import os, resource, subprocess, sys, time
sys.path.insert(0, "scripts")
from benchlib import measure as _measure, warm
measure = lambda name, argv, runs=5: _measure(name, argv, size, runs)
rdb, check = sys.argv[1], sys.argv[2]
size = os.path.getsize(rdb)
warm(rdb)
print(f"file: {rdb} ({size / 1e6:.1f} MB)")
t_ours = measure("rdbtool verify", ["target/release/rdbtool", "verify", "-q", rdb])
measure("rdbtool dump --format jsonl", ["target/release/rdbtool", "dump", "-q", "--format", "jsonl", rdb])
measure("rdbtool dump --format resp", ["target/release/rdbtool", "dump", "-q", "--format", "resp", rdb])
t_check = measure("redis-check-rdb", [check, rdb])
print(f"verify speed-up over redis-check-rdb: {t_check / t_ours:.1f}x")
PY
