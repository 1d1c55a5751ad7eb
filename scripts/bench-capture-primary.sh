#!/usr/bin/env bash
# Benchmark (not a test): `rdbtool capture --listen` as a primary next to a real Redis
# 7.0, both with `--appendonly yes` (everysec) and a save rule firing every second, under
# the same redis-benchmark run (REQUESTS requests per test, 50 clients, pipeline 16,
# random keys). Prints each server's requests per second, test by test, and the
# snapshots each took during the run.
#
#   bash scripts/bench-capture-primary.sh [REQUESTS]
#
# Needs what scripts/install-test-deps.sh installs (redis-server, redis-benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p rdbtool
python3 - "${1:-500000}" <<'PY'
import os, shutil, signal, socket, subprocess, sys, tempfile, time

n = sys.argv[1]
TESTS = "set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset"
work = tempfile.mkdtemp(prefix="bench-primary-")
procs = []

def port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def cli(p, *args):
    return subprocess.run(["redis-cli", "-p", str(p), *map(str, args)],
                          capture_output=True, text=True).stdout

def start(name, argv, p):
    d = os.path.join(work, name); os.makedirs(d)
    log = open(os.path.join(d, "log"), "w")
    proc = subprocess.Popen(argv(d), stdout=log, stderr=subprocess.STDOUT)
    procs.append(proc)
    for _ in range(600):
        if cli(p, "PING").strip() == "PONG": return d
        time.sleep(0.05)
    sys.exit(f"{name} did not start")

def bench(p):
    out = subprocess.run(["redis-benchmark", "-p", str(p), "-n", n, "-c", "50", "-P", "16",
                          "-r", "100000", "-q", "-t", TESTS],
                         capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.replace("\r", "\n").splitlines():
        if "requests per second" in line:
            name, rest = line.split(":", 1)
            res[name.strip()] = float(rest.split("requests")[0])
    return res

persist = ["--save", "1 1", "--appendonly", "yes", "--appendfsync", "everysec"]
try:
    rp = port()
    start("redis", lambda d: ["/usr/bin/redis-server", "--port", str(rp), "--bind", "127.0.0.1",
                              "--dir", d, *persist], rp)
    cp = port()
    cd = start("capture", lambda d: [os.path.abspath("target/release/rdbtool"), "capture",
                                     "--listen", f"127.0.0.1:{cp}", "--dir", d, *persist], cp)
    r = bench(rp)
    saves_r = cli(rp, "INFO", "persistence")
    c = bench(cp)
    print(f"{'test':<24}{'Redis 7.0 rps':>16}{'capture rps':>16}{'ratio':>8}")
    for k in r:
        print(f"{k:<24}{r[k]:>16.0f}{c.get(k, 0):>16.0f}{c.get(k, 0) / r[k]:>8.2f}")
    log = open(os.path.join(cd, "log")).read()
    print(f"capture: {log.count('snapshot saved')} snapshots, "
          f"{log.count('AOF rewritten')} AOF rewrites during the run")
finally:
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try: p.wait(timeout=60)
        except subprocess.TimeoutExpired: p.kill()
    shutil.rmtree(work, ignore_errors=True)
PY
