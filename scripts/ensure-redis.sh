#!/bin/sh
# Make sure a redis-server binary is on PATH: the fleet tests (tests/fleet) start their own.
# Idempotent: does nothing when one is there. Installs Debian's package when apt-get can be used
# (as root); otherwise exits non-zero with the one command that installs it.
set -eu

if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "redis-server is missing: installing Debian's redis-server package (for tests/fleet)..."
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends redis-server >/dev/null 2>&1; then
        apt-get update -qq >/dev/null 2>&1 || true
        apt-get install -y -qq --no-install-recommends redis-server >/dev/null
    fi
    # The package may start a system service; the tests start their own server and need none.
    if command -v redis-server >/dev/null 2>&1; then
        echo "redis-server installed: $(redis-server --version | cut -d' ' -f1-3)"
        exit 0
    fi
fi

if command -v apt-get >/dev/null 2>&1; then
    cmd="sudo apt-get install -y redis-server"
elif command -v brew >/dev/null 2>&1; then
    cmd="brew install redis"
elif command -v dnf >/dev/null 2>&1; then
    cmd="sudo dnf install -y redis"
else
    cmd="sudo apt-get install -y redis-server"
fi
echo "redis-server is missing (the fleet tests need it). Install it with: $cmd" >&2
exit 1
