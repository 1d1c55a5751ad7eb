#!/usr/bin/env bash
# Benchmark (not a test): `rdbtool diff` of two large RDBs. A is the mixed RDB of
# scripts/bench.sh (Redis 7.0, every type, plus STRINGS strings in db 1); B is A loaded
# into a real Redis 7.0 and changed there (1% of the strings rewritten, 0.5% deleted,
# 0.5% added, 2000 collections of db 0 grown, 1000 TTLs set), then saved. Prints time
# and peak memory for A vs A (no differences), A vs B (JSON Lines and text) and
# --keys-only, and the peak per key. Target: peak memory under 64 bytes per key plus
# the largest value.
#
#   bash scripts/bench-diff.sh [SCALE] [STRINGS]     # defaults 300 and 2000000
#
# Needs what scripts/install-test-deps.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-300}
strings=${2:-2000000}
mkdir -p target/bench
a="target/bench/mixed-v3-s${scale}-n${strings}.rdb"
b="target/bench/mixed-v3-s${scale}-n${strings}-changed.rdb"
cargo build --release -q -p rdbtool -p e2e --bin rdbtool --bin bench-dataset
if [ ! -f "$a" ]; then
    E2E_NO_BUILD=1 ./target/release/bench-dataset "$a" "$scale" "$strings"
fi
if [ ! -f "$b" ]; then
    python3 - "$a" "$b" "$strings" <<'PY'
import os, random, shutil, socket, subprocess, sys, tempfile, time

a, b, strings = sys.argv[1], sys.argv[2], int(sys.argv[3])
work = tempfile.mkdtemp(prefix="bench-diff-")
shutil.copy(a, os.path.join(work, "dump.rdb"))
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
srv = subprocess.Popen(["/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1",
                        "--dir", work, "--save", "", "--appendonly", "no",
                        "--logfile", os.path.join(work, "log")])
try:
    conn = None
    for _ in range(600):
        try:
            conn = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.1)
    f = conn.makefile("rb")

    def send(*cmds):
        out = bytearray()
        for args in cmds:
            out += b"*%d\r\n" % len(args)
            for x in args:
                x = x if isinstance(x, bytes) else str(x).encode()
                out += b"$%d\r\n%s\r\n" % (len(x), x)
        conn.sendall(out)
        return [reply() for _ in cmds]

    def reply():
        line = f.readline()
        t, rest = line[:1], line[1:-2]
        if t == b"-":
            if rest.startswith(b"LOADING"):
                return rest
            raise SystemExit(f"redis: {rest.decode()}")
        if t in (b"+", b":"):
            return rest
        if t == b"$":
            n = int(rest)
            return None if n < 0 else f.read(n + 2)[:-2]
        if t == b"*":
            return [reply() for _ in range(int(rest))]
        raise SystemExit(f"bad reply {line!r}")

    while send(["PING"])[0] != b"PONG":
        time.sleep(0.2)
    rng = random.Random(7)
    send(["SELECT", 1])
    batch = []
    for i in rng.sample(range(strings), strings // 100):
        batch.append(["SET", f"user:{i}:profile", f"changed {i}"])
    for i in rng.sample(range(strings), strings // 200):
        batch.append(["DEL", f"user:{i}:profile"])
    for i in range(strings // 200):
        batch.append(["SET", f"user:new{i}:profile", f"new {i}"])
    for k in range(0, len(batch), 10000):
        send(*batch[k:k + 10000])
    send(["SELECT", 0])
    grown = 0
    while grown < 2000:
        key = send(["RANDOMKEY"])[0]
        t = send(["TYPE", key])[0]
        cmd = {b"list": ["RPUSH", key, "bench"], b"set": ["SADD", key, "bench"],
               b"zset": ["ZADD", key, 1.5, "bench"], b"hash": ["HSET", key, "bench", "v"],
               b"stream": ["XADD", key, "*", "bench", "v"], b"string": ["APPEND", key, "!"]}.get(t)
        if cmd:
            send(cmd)
            grown += 1
    for _ in range(1000):
        send(["EXPIRE", send(["RANDOMKEY"])[0], 86400 * 30])
    send(["SAVE"])
    shutil.copy(os.path.join(work, "dump.rdb"), b)
finally:
    srv.terminate()
    srv.wait()
    shutil.rmtree(work, ignore_errors=True)
PY
fi
python3 - "$a" "$b" <<'PY'
import json, os, subprocess, sys
sys.path.insert(0, "scripts")
from benchlib import measure, warm
a, b = sys.argv[1], sys.argv[2]
tool = "target/release/rdbtool"
size = os.path.getsize(a) + os.path.getsize(b)
warm(a)
warm(b)
info = json.loads(subprocess.run([tool, "info", "-q", "--json", a], check=True,
                                 capture_output=True).stdout)
keys = info["keys"]
top = subprocess.run([tool, "memory", "-q", "-f", "jsonl", "--top", "1", a], check=True,
                     capture_output=True).stdout
largest = json.loads(top)["size_in_bytes"] if top.strip() else 0
print(f"A: {a} ({os.path.getsize(a) / 1e6:.1f} MB, {keys} keys; largest value ~{largest / 1e6:.1f} MB in Redis)")
print(f"B: {b} ({os.path.getsize(b) / 1e6:.1f} MB)")
print("MB/s below: both files' bytes over the time")
measure("verify A and B (reading alone)", ["/bin/sh", "-c", f"{tool} verify -q {a} && {tool} verify -q {b}"], size, 3)
measure("diff A A (equal)", [tool, "diff", "-q", a, a], 2 * os.path.getsize(a), 3)
measure("diff --keys-only A B", [tool, "diff", "-q", "--keys-only", a, b], size, 3, ok=(1,))
measure("diff -f jsonl A B", [tool, "diff", "-q", "-f", "jsonl", a, b], size, 3, ok=(1,))
dt = measure("diff A B (text)", [tool, "diff", "-q", a, b], size, 3, ok=(1,))
r = subprocess.run(["/usr/bin/time", "-f", "%M", tool, "diff", "-q", "-f", "jsonl", a, b],
                   capture_output=True)
peak = int(r.stderr.decode().strip().splitlines()[-1]) * 1024
lines = r.stdout.count(b"\n")
print(f"differences reported: {lines} keys")
per_key = (peak - largest) / keys
print(f"peak RSS {peak / 1e6:.1f} MB = {peak / keys:.1f} bytes/key; without the largest value "
      f"{per_key:.1f} bytes/key ({'meets' if per_key < 64 else 'ABOVE'} the 64 bytes/key target)")
PY
