#!/usr/bin/env bash
# Benchmark (not a test): `aoftool rewrite` of large AOFs next to a real Redis 7.0
# loading the same AOF and running BGREWRITEAOF, with commands/s replayed, MB/s read
# and written, peak memory; and the keyspace engine's memory next to Redis's
# used_memory for the same data.
#
# Two AOFs:
# - mixed: the commands that rebuild the mixed dataset of scripts/bench.sh (every type,
#   a 1.5M-element list, 200k-field hashes..., written by `rdbtool dump --format resp`):
#   nothing to compact, all replay;
# - churn: random overwrites of 200k keys of every type (SET, INCR, APPEND, HSET, LPUSH
#   + LTRIM, SADD/SREM, ZADD/ZINCRBY, XADD MAXLEN, EXPIRE, DEL), mostly compacted away.
#
#   bash scripts/bench-rewrite.sh [SCALE] [STRINGS] [CHURN_COMMANDS]
#                                 # defaults 300, 2000000 (as scripts/bench.sh), 4000000
#
# Needs what scripts/install-test-deps.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-300}
strings=${2:-2000000}
churn=${3:-4000000}
bash scripts/bench.sh "$scale" "$strings" >/dev/null
cargo build --release -q -p rdbtool -p aoftool
cargo build --release -q -p formats --example engine_load
rdb="target/bench/mixed-v3-s${scale}-n${strings}.rdb"
mixed="target/bench/mixed-v3-s${scale}-n${strings}.aof"
[ -f "$mixed" ] || ./target/release/rdbtool dump -q --format resp "$rdb" -o "$mixed"
churn_aof="target/bench/churn-n${churn}.aof"
if [ ! -f "$churn_aof" ]; then
    python3 - "$churn_aof" "$churn" <<'PY'
import random, sys
out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
buf = []
def cmd(*args):
    b = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    buf.append(b"*%d\r\n" % len(b) + b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in b))
KEYS = 200_000
with open(out + ".tmp", "wb") as f:
    cmd("SELECT", 0)
    for i in range(n):
        k = rnd.randrange(KEYS)
        kind = k % 8
        r = rnd.random()
        if r < 0.02:
            cmd("EXPIRE", b"k:%d" % k, rnd.randrange(10_000, 1_000_000))
        elif r < 0.04:
            cmd("DEL", b"k:%d" % k)
        elif kind == 0:
            cmd("SET", b"k:%d" % k, b"v" * rnd.randrange(1, 60))
        elif kind == 1:
            cmd("INCRBY", b"k:%d" % k, rnd.randrange(1, 100))
        elif kind == 2:
            cmd("HSET", b"k:%d" % k, b"f%d" % rnd.randrange(20), rnd.randrange(10**6))
        elif kind == 3:
            cmd("LPUSH", b"k:%d" % k, b"item:%d" % i)
            if rnd.random() < 0.3:
                cmd("LTRIM", b"k:%d" % k, 0, 15)
        elif kind == 4:
            if rnd.random() < 0.7:
                cmd("SADD", b"k:%d" % k, b"m%d" % rnd.randrange(40))
            else:
                cmd("SREM", b"k:%d" % k, b"m%d" % rnd.randrange(40))
        elif kind == 5:
            cmd("ZINCRBY", b"k:%d" % k, rnd.randrange(1, 10), b"m%d" % rnd.randrange(30))
        elif kind == 6:
            cmd("XADD", b"k:%d" % k, "MAXLEN", "=", 10, "%d-%d" % (1_000_000 + i, 0), "f", i)
        else:
            cmd("APPEND", b"k:%d" % k, b"abc")
        if len(buf) >= 10_000:
            f.write(b"".join(buf)); buf.clear()
    f.write(b"".join(buf))
import os
os.rename(out + ".tmp", out)
PY
fi
python3 - "$mixed" "$churn_aof" <<'PY'
import os, re, shutil, subprocess, sys, tempfile, time
sys.path.insert(0, "scripts")
from benchlib import warm

def peak_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def cli(sock, *args):
    return subprocess.run(["/usr/bin/redis-cli", "-s", sock, *args],
                          capture_output=True, text=True).stdout

def info(sock, section):
    return dict(l.split(":", 1) for l in cli(sock, "info", section).splitlines() if ":" in l)

def ours(aof, size):
    out_dir = tempfile.mkdtemp(dir=os.path.abspath("target/bench"))
    out = os.path.join(out_dir, "rewritten.aof")
    t0 = time.monotonic()
    p = subprocess.Popen(["target/release/aoftool", "rewrite", aof, "-o", out],
                         stderr=subprocess.PIPE, text=True)
    _, err = p.communicate()
    dt = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"aoftool rewrite failed:\n{err}")
    m = re.search(r"loaded (\d+) command", err)
    cmds = int(m.group(1)) if m else 0
    written = os.path.getsize(out)
    shutil.rmtree(out_dir)
    return dt, cmds, written

def ours_peak(aof):
    out_dir = tempfile.mkdtemp(dir=os.path.abspath("target/bench"))
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1); os.dup2(fd, 2)
        os.execv("target/release/aoftool", ["aoftool", "rewrite", "-q", aof, "-o",
                                            os.path.join(out_dir, "r.aof")])
    _, status, ru = os.wait4(pid, 0)
    shutil.rmtree(out_dir)
    return ru.ru_maxrss

def engine_mem(aof):
    r = subprocess.run(["target/release/examples/engine_load", aof], capture_output=True, text=True)
    m = re.search(r"engine ([0-9.]+) MB", r.stdout)
    return float(m.group(1)) if m else float("nan")

def redis(aof, size):
    d = tempfile.mkdtemp(dir=os.path.abspath("target/bench"))
    shutil.copy(aof, os.path.join(d, "appendonly.aof"))
    sock = os.path.join(d, "s.sock")
    t0 = time.monotonic()
    srv = subprocess.Popen(["/usr/bin/redis-server", "--port", "0", "--unixsocket", sock,
                            "--dir", d, "--appendonly", "yes", "--save", "",
                            "--daemonize", "no", "--logfile", os.path.join(d, "log")])
    try:
        while True:
            time.sleep(0.02)
            if not os.path.exists(sock):
                continue
            if info(sock, "persistence").get("loading") == "0":
                break
        load = time.monotonic() - t0
        mem = info(sock, "memory")
        used = int(mem["used_memory"]) - int(mem["used_memory_startup"])
        t1 = time.monotonic()
        cli(sock, "bgrewriteaof")
        while True:
            time.sleep(0.02)
            p = info(sock, "persistence")
            if p.get("aof_rewrite_in_progress") == "0" and p.get("aof_rewrite_scheduled") == "0":
                break
        rewrite = time.monotonic() - t1
        cow = int(p.get("aof_last_cow_size", "0"))
        peak = peak_kb(srv.pid)
        base = [f for f in os.listdir(os.path.join(d, "appendonlydir")) if ".base." in f]
        written = sum(os.path.getsize(os.path.join(d, "appendonlydir", f)) for f in base)
    finally:
        srv.terminate(); srv.wait(); shutil.rmtree(d)
    return load, rewrite, used, peak, cow, written

for aof in sys.argv[1:]:
    size = os.path.getsize(aof)
    warm(aof)
    print(f"\nfile: {aof} ({size / 1e6:.1f} MB)")
    best = min((ours(aof, size) for _ in range(2)), key=lambda x: x[0])
    dt, cmds, written = best
    peak = ours_peak(aof)
    print(f"{'aoftool rewrite':<30} {dt:7.2f} s  {cmds / dt / 1e6:6.2f} M commands/s  "
          f"{size / dt / 1e6:7.1f} MB/s read  {written / dt / 1e6:6.1f} MB/s written "
          f"({written / 1e6:.1f} MB)  peak RSS {peak / 1024:7.1f} MB")
    load, rewrite, used, rpeak, cow, rwritten = redis(aof, size)
    total = load + rewrite
    print(f"{'redis 7.0 load + BGREWRITEAOF':<30} {total:7.2f} s  {cmds / load / 1e6:6.2f} M commands/s "
          f"(load {load:.2f} s, rewrite {rewrite:.2f} s, {rwritten / 1e6:.1f} MB)  "
          f"peak RSS {rpeak / 1024:7.1f} MB (+ child, COW {cow / 1e6:.1f} MB)")
    eng = engine_mem(aof)
    print(f"{'engine memory / used_memory':<30} {eng:7.1f} MB / {used / 1e6:.1f} MB = {eng * 1e6 / used:.2f}x")
    print(f"rewrite speed-up over Redis: {total / dt:.2f}x")
PY
