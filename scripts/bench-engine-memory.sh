#!/usr/bin/env bash
# Benchmark (not a test): the keyspace engine's memory next to Redis 7.0's used_memory,
# per kind of data. For each family, an AOF of generated commands is loaded into a
# fresh Redis 7.0 (used_memory growth) and into the engine (resident memory growth,
# `cargo run --release -p formats --example engine_load`), and the ratio printed.
#
#   bash scripts/bench-engine-memory.sh [FAMILY...]
#   families: str int hash set zset list biglist bighash bigset bigzset (default: all)
#
# Needs what scripts/install-test-deps.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
families=("$@")
[ ${#families[@]} -gt 0 ] || families=(str int hash set zset list biglist bighash bigset bigzset)
cargo build --release -q -p formats --example engine_load
dir=target/bench/engine-memory
mkdir -p "$dir"
for f in "${families[@]}"; do
    [ -f "$dir/$f.aof" ] || python3 - "$f" "$dir/$f.aof" <<'PY'
import random, sys
fam, out = sys.argv[1], sys.argv[2]
rnd = random.Random(1)
n = {"str": 500000, "int": 500000}.get(fam, 200000 if not fam.startswith("big") else 100)
buf = []
def cmd(*a):
    b = [x if isinstance(x, bytes) else str(x).encode() for x in a]
    buf.append(b"*%d\r\n" % len(b) + b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in b))
for i in range(n):
    k = "%s:%08d" % (fam, i)
    if fam == "str": cmd("SET", k, "v" * rnd.randint(5, 40))
    elif fam == "int": cmd("SET", k, rnd.randint(0, 10**9))
    elif fam == "hash": cmd("HSET", k, *sum([["field%d" % j, "val%d" % rnd.randint(0, 10**6)] for j in range(10)], []))
    elif fam == "set": cmd("SADD", k, *["member:%d" % rnd.randint(0, 10**6) for j in range(10)])
    elif fam == "zset": cmd("ZADD", k, *sum([[rnd.randint(0, 1000), "m%d" % j] for j in range(10)], []))
    elif fam == "list": cmd("RPUSH", k, *["item%d" % j for j in range(10)])
    else:
        for c in range(100):
            if fam == "biglist": cmd("RPUSH", k, *["item%d" % j for j in range(100)])
            elif fam == "bighash": cmd("HSET", k, *sum([["f%d:%d" % (c, j), "v%d" % j] for j in range(100)], []))
            elif fam == "bigset": cmd("SADD", k, *["m%d:%d" % (c, j) for j in range(100)])
            elif fam == "bigzset": cmd("ZADD", k, *sum([[rnd.random(), "m%d:%d" % (c, j)] for j in range(100)], []))
with open(out, "wb") as fh:
    fh.write(b"".join(buf))
PY
    port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    d=$(mktemp -d "$PWD/$dir/run.XXXXXX")
    /usr/bin/redis-server --port "$port" --save '' --appendonly no --daemonize yes \
        --pidfile "$d/r.pid" --logfile "$d/log" --dir "$d" >/dev/null
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    used() { redis-cli -p "$port" info memory | grep '^used_memory:' | cut -d: -f2 | tr -d '\r'; }
    base=$(used)
    redis-cli -p "$port" --pipe < "$dir/$f.aof" >/dev/null
    after=$(used)
    kill "$(cat "$d/r.pid")"; sleep 0.3; rm -rf "$d"
    eng=$(target/release/examples/engine_load "$dir/$f.aof" | sed 's/.*engine \([0-9.]*\) MB.*/\1/')
    python3 -c "r=($after-$base)/1e6; print('%-8s redis %8.1f MB  engine %8.1f MB  ratio %.2f'%('$f',r,$eng,$eng/r))"
done
