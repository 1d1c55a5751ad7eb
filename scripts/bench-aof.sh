#!/usr/bin/env bash
# Benchmark (not a test): a large AOF (the commands that rebuild the mixed dataset of
# scripts/bench.sh, written by `rdbtool dump --format resp`), then MB/s and peak memory
# for `aoftool verify` and `redis-check-aof`, and how long Redis 7.0 takes to load it.
#
#   bash scripts/bench-aof.sh [SCALE] [STRINGS]     # as scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-300}
strings=${2:-2000000}
bash scripts/bench.sh "$scale" "$strings" >/dev/null
cargo build --release -q -p rdbtool -p aoftool
rdb="target/bench/mixed-v3-s${scale}-n${strings}.rdb"
aof="target/bench/mixed-v3-s${scale}-n${strings}.aof"
[ -f "$aof" ] || ./target/release/rdbtool dump -q --format resp "$rdb" -o "$aof"
python3 - "$aof" <<'PY'
import os, shutil, socket, subprocess, sys, tempfile, time
aof = sys.argv[1]
size = os.path.getsize(aof)
with open(aof, "rb") as f:
    while f.read(1 << 24):
        pass
def measure(name, argv, runs=5):
    best = None
    for _ in range(runs):
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1); os.dup2(fd, 2)
            os.execv(argv[0], argv)
        t0 = time.monotonic()
        _, status, ru = os.wait4(pid, 0)
        dt = time.monotonic() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{name}: failed")
        if best is None or dt < best[0]:
            best = (dt, ru.ru_maxrss)
    print(f"{name:<26} {best[0]:7.2f} s  {size / best[0] / 1e6:8.1f} MB/s  peak RSS {best[1] / 1024:7.1f} MB")
    return best[0]
print(f"file: {aof} ({size / 1e6:.1f} MB)")
ours = measure("aoftool verify", ["target/release/aoftool", "verify", aof])
theirs = measure("redis-check-aof", ["/usr/bin/redis-check-aof", aof], runs=3)
# Redis 7.0 loading it (an old-style single file is upgraded into a multi-part set).
d = tempfile.mkdtemp()
shutil.copy(aof, os.path.join(d, "appendonly.aof"))
sock = os.path.join(d, "s.sock")
t0 = time.monotonic()
srv = subprocess.Popen(["/usr/bin/redis-server", "--port", "0", "--unixsocket", sock, "--dir", d,
                        "--appendonly", "yes", "--save", "", "--daemonize", "no", "--logfile", os.path.join(d, "log")])
try:
    while True:
        time.sleep(0.05)
        r = subprocess.run(["/usr/bin/redis-cli", "-s", sock, "info", "persistence"], capture_output=True, text=True)
        fields = dict(l.split(":", 1) for l in r.stdout.splitlines() if ":" in l)
        if fields.get("loading") == "0":
            break
    load = time.monotonic() - t0
    print(f"{'redis-server 7.0 load':<26} {load:7.2f} s  {size / load / 1e6:8.1f} MB/s")
finally:
    srv.terminate(); srv.wait(); shutil.rmtree(d)
print(f"aoftool verify speed-up over redis-check-aof: {theirs / ours:.1f}x")
PY
