#!/usr/bin/env bash
# Benchmark (not a test): `rdbtool convert` of the large mixed RDB of scripts/bench.sh
# (Redis 7.0, RDB 10, every type) to RDB 11 (an upgrade: every value re-encoded), to
# RDB 9 (a downgrade, --lossy for the 7.0 stream fields) and to an AOF, with MB/s of
# input and peak memory; next to a real Redis 7.0 loading the same file and running
# SAVE (what converting through a server costs).
#
#   bash scripts/bench-convert.sh [SCALE] [STRINGS]     # defaults 300 and 2000000
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
import os, shutil, subprocess, sys, tempfile, time
sys.path.insert(0, "scripts")
from benchlib import measure as _measure, warm
measure = lambda name, argv, runs=3: _measure(name, argv, size, runs)
rdb = sys.argv[1]
size = os.path.getsize(rdb)
out_dir = tempfile.mkdtemp(dir=os.path.abspath("target/bench"))
warm(rdb)
print(f"file: {rdb} ({size / 1e6:.1f} MB)")
tool = "target/release/rdbtool"
o = lambda n: os.path.join(out_dir, n)
up = measure("convert to RDB 11", [tool, "convert", "-q", rdb, o("v11.rdb"), "--rdb-version", "11"])
measure("convert to RDB 9 (--lossy)", [tool, "convert", "-q", rdb, o("v9.rdb"), "--rdb-version", "9", "--lossy"])
measure("convert to RDB 11 --no-compress", [tool, "convert", "-q", rdb, o("v11n.rdb"), "--rdb-version", "11", "--no-compress"])
measure("convert to AOF", [tool, "convert", "-q", rdb, o("out.aof")])
print(f"outputs: RDB 11 {os.path.getsize(o('v11.rdb')) / 1e6:.1f} MB, AOF {os.path.getsize(o('out.aof')) / 1e6:.1f} MB")
# Redis 7.0: load the file, then SAVE it.
d = tempfile.mkdtemp(dir=os.path.abspath("target/bench"))
shutil.copy(rdb, os.path.join(d, "dump.rdb"))
sock = os.path.join(d, "s.sock")
t0 = time.monotonic()
srv = subprocess.Popen(["/usr/bin/redis-server", "--port", "0", "--unixsocket", sock, "--dir", d,
                        "--save", "", "--daemonize", "no", "--logfile", os.path.join(d, "log")])
try:
    while True:
        time.sleep(0.05)
        if srv.poll() is not None:
            sys.exit(f"redis-server exited ({srv.returncode}); see {d}/log")
        r = subprocess.run(["/usr/bin/redis-cli", "-s", sock, "info", "persistence"], capture_output=True, text=True)
        fields = dict(l.split(":", 1) for l in r.stdout.splitlines() if ":" in l)
        if fields.get("loading") == "0":
            break
    load = time.monotonic() - t0
    t1 = time.monotonic()
    subprocess.run(["/usr/bin/redis-cli", "-s", sock, "save"], check=True, capture_output=True)
    save = time.monotonic() - t1
    mem = subprocess.run(["/usr/bin/redis-cli", "-s", sock, "info", "memory"], capture_output=True, text=True).stdout
    rss = dict(l.split(":", 1) for l in mem.splitlines() if ":" in l).get("used_memory_rss", "0").strip()
    print(f"{'redis-server 7.0 load + SAVE':<34} {load + save:7.2f} s  (load {load:.2f} s, SAVE {save:.2f} s, RSS {int(rss) / 2**20:.0f} MB)")
    print(f"convert to RDB 11 vs Redis load + SAVE: {(load + save) / up:.1f}x faster")
finally:
    srv.terminate(); srv.wait(); shutil.rmtree(d); shutil.rmtree(out_dir)
PY
