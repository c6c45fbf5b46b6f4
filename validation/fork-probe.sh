#!/bin/bash
# fork() time of a redis-server by page-table state: BGSAVE right after a fill (every PTE
# writable), again with nothing written in between (every PTE write-protected by the previous
# fork), and after a refill (writable again). Each child is killed at once; only the fork is
# timed (INFO latest_fork_usec). Prints "state used_memory_rss latest_fork_usec" per fork.
# Usage: validation/fork-probe.sh KEYS VALUE_BYTES PORT [REPS]   (PORT: a free loopback port)
set -u
N=$1; V=$2; PORT=$3; REPS=${4:-5}
dir=$(mktemp -d)
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize no \
  --enable-debug-command local --rdb-key-save-delay 1000000 --logfile "$dir/log" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$dir"' EXIT
C="redis-cli -p $PORT"
for _ in $(seq 50); do $C ping >/dev/null 2>&1 && break; sleep 0.1; done
$C ping >/dev/null || { echo "redis-server did not start on port $PORT" >&2; exit 1; }

fork_once() {
  $C bgsave >/dev/null
  local child=""
  for _ in $(seq 200); do child=$(pgrep -P "$server" | head -1); [ -n "$child" ] && break; sleep 0.01; done
  kill -9 "$child"
  while $C info persistence | grep -q 'rdb_bgsave_in_progress:1'; do sleep 0.02; done
  local rss usec
  rss=$($C info memory | awk -F: '/^used_memory_rss:/{print $2}' | tr -d '\r')
  usec=$($C info stats | awk -F: '/^latest_fork_usec:/{print $2}' | tr -d '\r')
  echo "$1 $rss $usec"
}

$C debug populate "$N" key "$V" >/dev/null
fork_once first
for _ in $(seq "$REPS"); do fork_once refork; done
for _ in $(seq "$REPS"); do
  $C flushall >/dev/null
  $C debug populate "$N" key "$V" >/dev/null
  fork_once refilled
done
