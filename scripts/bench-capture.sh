#!/usr/bin/env bash
# Benchmark (not a test): `rdbtool capture` as a replica next to a real Redis 7.0 replica
# of the same master, for datasets of SIZE GB (default: 1 and 4).
#
# For each size: a master is filled (DEBUG POPULATE, 100-byte values), then capture and
# a Redis replica both follow it. Ingest: redis-benchmark's default write load (SET,
# 50 clients) runs against the master; the time each replica needs after the load to
# reach the master's offset is its lag. Snapshots under load: while the same load runs
# again, the Redis replica runs BGSAVE (its latest_fork_usec and rdb_last_cow_size) and
# capture takes a snapshot by its --save rule (fork time and copy-on-write bytes from
# its log). Targets: fork latency and copy-on-write no worse than Redis's; ingest keeps
# up with the master.
#
#   bash scripts/bench-capture.sh [SIZE_GB ...]
#
# Needs what scripts/install-test-deps.sh installs (redis-server, redis-benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p rdbtool
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 4)
for gb in "${sizes[@]}"; do
python3 - "$gb" <<'PY'
import os, re, shutil, signal, socket, subprocess, sys, tempfile, time

gb = float(sys.argv[1])
REDIS = "/usr/bin/redis-server"
TOOL = os.path.abspath("target/release/rdbtool")
work = tempfile.mkdtemp(prefix="bench-capture-")
procs = []

def port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def cli(p, *args):
    return subprocess.run(["redis-cli", "-p", str(p), *map(str, args)], check=True,
                          capture_output=True, text=True).stdout

def info(p, section):
    return dict(l.split(":", 1) for l in cli(p, "INFO", section).splitlines() if ":" in l)

def server(name, *extra):
    d = os.path.join(work, name); os.makedirs(d)
    p = port()
    proc = subprocess.Popen([REDIS, "--port", str(p), "--bind", "127.0.0.1", "--dir", d,
                             "--save", "", "--appendonly", "no", "--enable-debug-command", "yes",
                             "--client-output-buffer-limit", "replica 0 0 0",
                             "--logfile", os.path.join(d, "log"), *extra])
    procs.append(proc)
    for _ in range(600):
        try:
            if cli(p, "PING").strip() == "PONG": return p
        except subprocess.CalledProcessError:
            pass
        time.sleep(0.05)
    sys.exit(f"{name} did not start")

def replica_offset(mp, addr_port=None):
    """Offsets the master sees for its replicas, by port (capture reports port 0)."""
    out = {}
    for k, v in info(mp, "replication").items():
        if k.startswith("slave") and "offset=" in v:
            f = dict(x.split("=") for x in v.split(","))
            out[int(f["port"])] = int(f["offset"])
    return out

def lag_after_load(mp, ports):
    """Seconds until each replica (by port) reaches the master's offset."""
    target = int(info(mp, "replication")["master_repl_offset"])
    t0 = time.monotonic(); done = {}
    while len(done) < len(ports) and time.monotonic() - t0 < 600:
        offs = replica_offset(mp)
        for p in ports:
            if p not in done and offs.get(p, -1) >= target:
                done[p] = time.monotonic() - t0
        time.sleep(0.05)
    return done

def bench(mp, n):
    t0 = time.monotonic()
    subprocess.run(["redis-benchmark", "-p", str(mp), "-t", "set", "-n", str(n), "-r",
                    str(keys), "-d", "100", "-q"], check=True, capture_output=True)
    return time.monotonic() - t0

try:
    mp = server("master")
    keys = int(gb * 1e9 / 200)
    cli(mp, "DEBUG", "POPULATE", keys, "key", 100)
    used = int(info(mp, "memory")["used_memory"])
    print(f"== {gb:g} GB target: {keys} keys, master used_memory {used / 1e9:.2f} GB")
    # The Redis replica.
    rp = server("replica", "--replicaof", "127.0.0.1", str(mp))
    # capture: a snapshot at most every 5 s while writes come.
    cdir = os.path.join(work, "capture"); os.makedirs(cdir)
    log = open(os.path.join(work, "capture.log"), "w+")
    cap = subprocess.Popen([TOOL, "capture", "--replicaof", f"127.0.0.1:{mp}", "--dir", cdir,
                            "--save", "5 1"], stderr=log)
    procs.append(cap)
    t0 = time.monotonic()
    while len(replica_offset(mp)) < 2 or info(rp, "replication").get("master_link_status") != "up":
        time.sleep(0.1)
        if time.monotonic() - t0 > 900: sys.exit("replicas did not sync")
    # Wait for capture's full sync (its log line).
    while "full resync" not in open(log.name).read():
        time.sleep(0.1)
    print(f"both replicas synced in {time.monotonic() - t0:.1f} s (capture RSS "
          f"{int(open(f'/proc/{cap.pid}/status').read().split('VmRSS:')[1].split()[0]) / 1e6:.2f} GB, "
          f"Redis replica used_memory {int(info(rp, 'memory')['used_memory']) / 1e9:.2f} GB)")
    # Ingest.
    n = 1_000_000
    dt = bench(mp, n)
    lags = lag_after_load(mp, [0, rp])
    print(f"ingest: redis-benchmark SET x{n} (50 clients) took {dt:.1f} s ({n / dt:,.0f}/s); "
          f"caught up after the load: capture {lags.get(0, float('nan')):.2f} s, "
          f"Redis replica {lags.get(rp, float('nan')):.2f} s")
    # Snapshots under load.
    mark = len(open(log.name).read())
    bg = subprocess.Popen(["redis-benchmark", "-p", str(mp), "-t", "set", "-n", "100000000",
                           "-r", str(keys), "-d", "100", "-q"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    procs.append(bg)
    time.sleep(2)
    cli(rp, "BGSAVE")
    while info(rp, "persistence")["rdb_bgsave_in_progress"] == "1":
        time.sleep(0.1)
    ri = {**info(rp, "persistence"), **info(rp, "stats")}
    # capture: the first snapshot that started during the load.
    t0 = time.monotonic()
    while not re.search(r"snapshot saved: .*copy-on-write", open(log.name).read()[mark:]):
        time.sleep(0.2)
        if time.monotonic() - t0 > 600: sys.exit("capture took no snapshot under load")
    bg.terminate(); bg.wait()
    line = re.findall(r"snapshot saved: .*", open(log.name).read()[mark:])[0]
    fork_us = int(re.search(r"fork (\d+) us", line).group(1))
    cow_kb = int(re.search(r"copy-on-write (\d+) kB", line).group(1))
    print(f"snapshot under load: capture fork {fork_us / 1000:.1f} ms, copy-on-write "
          f"{cow_kb / 1024:.1f} MB | Redis replica BGSAVE fork "
          f"{int(ri['latest_fork_usec']) / 1000:.1f} ms, copy-on-write "
          f"{int(ri['rdb_last_cow_size']) / 2**20:.1f} MB")
finally:
    for p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try: p.wait(30)
            except subprocess.TimeoutExpired: p.kill()
    shutil.rmtree(work, ignore_errors=True)
PY
done
