#!/bin/bash
# fork() time of a redis-server by page-table state: BGSAVE right after a fill (every PTE
# writable), again with nothing written in between (every PTE write-protected by the previous
# fork), after a refill (writable again, on pages the refill scattered) and re-forked, and, when WRITES > 0, after WRITES random overwrites
# made while a child lived (on huge pages each write splits the huge page it hits). Each child
# is killed at once; only the fork is timed (INFO latest_fork_usec). Run it with the host's THP
# switch at `always` to see huge pages: Redis starts with disable-thp no.
# Prints "state used_memory_rss anon_huge_bytes latest_fork_usec" per fork.
# Usage: validation/fork-probe.sh KEYS VALUE_BYTES PORT [REPS] [WRITES]   (PORT: a free loopback port)
set -u
N=$1; V=$2; PORT=$3; REPS=${4:-5}; WRITES=${5:-0}
dir=$(mktemp -d)
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize no \
  --enable-debug-command local --rdb-key-save-delay 1000000 --disable-thp no --logfile "$dir/log" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$dir"' EXIT
C="redis-cli -p $PORT"
for _ in $(seq 50); do $C ping >/dev/null 2>&1 && break; sleep 0.1; done
$C ping >/dev/null || { echo "redis-server did not start on port $PORT" >&2; exit 1; }

start_child() {
  $C bgsave >/dev/null
  child=""
  for _ in $(seq 200); do child=$(pgrep -P "$server" | head -1); [ -n "$child" ] && break; sleep 0.01; done
}
end_child() {
  kill -9 "$child"
  while $C info persistence | grep -q 'rdb_bgsave_in_progress:1'; do sleep 0.02; done
}
report() {
  local rss usec huge
  rss=$($C info memory | awk -F: '/^used_memory_rss:/{print $2}' | tr -d '\r')
  usec=$($C info stats | awk -F: '/^latest_fork_usec:/{print $2}' | tr -d '\r')
  huge=$(awk '/^AnonHugePages:/{print $2 * 1024}' "/proc/$server/smaps_rollup")
  echo "$1 $rss $huge $usec"
}
fork_once() { start_child; end_child; report "$1"; }

$C debug populate "$N" key "$V" >/dev/null
fork_once first
for _ in $(seq "$REPS"); do fork_once refork; done
if [ "$WRITES" -gt 0 ]; then
  start_child
  $C eval "for i=1,tonumber(ARGV[1]) do redis.call('set','key:'..math.random(0,tonumber(ARGV[2])-1),string.rep('x',tonumber(ARGV[3]))) end return 1" 0 "$WRITES" "$N" "$V" >/dev/null
  end_child
  for _ in $(seq "$REPS"); do fork_once after-writes-in-child; done
fi
for _ in $(seq "$REPS"); do
  $C flushall >/dev/null
  $C debug populate "$N" key "$V" >/dev/null
  fork_once refilled
  fork_once refilled-refork
done
