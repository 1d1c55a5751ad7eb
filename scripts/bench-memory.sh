#!/usr/bin/env bash
# Benchmark (not a test): `rdbtool memory` over the large mixed RDB of scripts/bench.sh
# (Redis 7.0, RDB 10, every type): MB/s of input and peak memory for the text summary,
# the JSON summary with per-prefix totals, and the per-key CSV and JSON Lines reports
# (all keys, and --top 100), next to `rdbtool verify` (reading alone). Target: at least
# 300 MB/s for the report.
#
#   bash scripts/bench-memory.sh [SCALE] [STRINGS]     # defaults 300 and 2000000
#
# Needs what scripts/install-test-deps.sh installs.
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
python3 - "$rdb" <<'PY'
import os, sys
sys.path.insert(0, "scripts")
from benchlib import measure as _measure, warm
rdb = sys.argv[1]
size = os.path.getsize(rdb)
measure = lambda name, argv, runs=5: _measure(name, argv, size, runs)
warm(rdb)
print(f"file: {rdb} ({size / 1e6:.1f} MB)")
tool = "target/release/rdbtool"
measure("verify (reading alone)", [tool, "verify", "-q", rdb])
text = measure("memory (text summary)", [tool, "memory", "-q", rdb])
measure("memory --format json --by-prefix :", [tool, "memory", "-q", "-f", "json", "--by-prefix", ":", rdb])
measure("memory --format csv", [tool, "memory", "-q", "-f", "csv", rdb])
measure("memory --format jsonl", [tool, "memory", "-q", "-f", "jsonl", rdb])
measure("memory --format csv --top 100", [tool, "memory", "-q", "-f", "csv", "--top", "100", rdb])
mbs = size / text / 1e6
print(f"memory report: {mbs:.0f} MB/s ({'meets' if mbs >= 300 else 'BELOW'} the 300 MB/s target)")
PY
