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
rdb, check = sys.argv[1], sys.argv[2]
size = os.path.getsize(rdb)
# Warm the page cache so every tool reads from memory.
with open(rdb, "rb") as f:
    while f.read(1 << 24):
        pass
def measure(name, argv, runs=5):
    best = None
    for _ in range(runs):
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.execv(argv[0], argv)
        t0 = time.monotonic()
        _, status, ru = os.wait4(pid, 0)
        dt = time.monotonic() - t0
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"{name}: exit {code}")
        if best is None or dt < best[0]:
            best = (dt, ru.ru_maxrss)
    dt, rss_kb = best
    print(f"{name:<34} {dt:7.2f} s  {size / dt / 1e6:8.1f} MB/s  peak RSS {rss_kb / 1024:7.1f} MB")
    return dt
print(f"file: {rdb} ({size / 1e6:.1f} MB)")
t_ours = measure("rdbtool verify", ["target/release/rdbtool", "verify", "-q", rdb])
measure("rdbtool dump --format jsonl", ["target/release/rdbtool", "dump", "-q", "--format", "jsonl", rdb])
measure("rdbtool dump --format resp", ["target/release/rdbtool", "dump", "-q", "--format", "resp", rdb])
t_check = measure("redis-check-rdb", [check, rdb])
print(f"verify speed-up over redis-check-rdb: {t_check / t_ours:.1f}x")
PY
