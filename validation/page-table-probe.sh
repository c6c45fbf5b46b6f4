#!/bin/bash
# The page tables fork() copies into a BGSAVE child: the child's VmPTE (/proc/<pid>/status,
# mm->pgtables_bytes: its PTE, PMD and PUD tables; the PGD page is not in it) right after the
# fork, beside the parent's resident anon and huge-page bytes (/proc/<pid>/smaps_rollup).
# Once on 4 KiB pages (disable-thp yes, the default), once with jemalloc asked to madvise its
# extents huge (MALLOC_CONF=thp:always, which works with THP at `madvise`; the host switch
# is read, never changed). The child is stretched with rdb-key-save-delay and killed at once.
# Prints "mode keys value_bytes parent_anon_bytes parent_anon_huge_bytes parent_vmpte_bytes child_vmpte_bytes".
# Usage: validation/page-table-probe.sh KEYS VALUE_BYTES PORT   (PORT: a free loopback port, not 6379)
set -u
N=$1; V=$2; PORT=$3
[ "$PORT" = 6379 ] && { echo "refusing port 6379" >&2; exit 1; }
kb() { awk -v k="$2:" '$1 == k { print $2 * 1024 }' "$1"; }
probe() {
  local mode=$1 dir server child
  dir=$(mktemp -d)
  if [ "$mode" = huge ]; then
    MALLOC_CONF=thp:always redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
      --enable-debug-command local --disable-thp no --logfile "$dir/log" >/dev/null 2>&1 &
  else
    redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
      --enable-debug-command local --disable-thp yes --logfile "$dir/log" >/dev/null 2>&1 &
  fi
  server=$!
  trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$dir"' EXIT
  local C="redis-cli -p $PORT"
  for _ in $(seq 50); do $C ping >/dev/null 2>&1 && break; sleep 0.1; done
  $C ping >/dev/null || { echo "redis-server did not start on port $PORT" >&2; exit 1; }
  $C debug populate "$N" key "$V" >/dev/null
  $C config set rdb-key-save-delay 1000000 >/dev/null
  local anon huge ppte
  anon=$(kb "/proc/$server/smaps_rollup" Anonymous)
  huge=$(kb "/proc/$server/smaps_rollup" AnonHugePages)
  ppte=$(kb "/proc/$server/status" VmPTE)
  $C bgsave >/dev/null
  child=""
  for _ in $(seq 200); do child=$(pgrep -P "$server" | head -1); [ -n "$child" ] && break; sleep 0.01; done
  [ -n "$child" ] || { echo "no BGSAVE child" >&2; exit 1; }
  sleep 0.2
  echo "$mode $N $V $anon $huge $ppte $(kb "/proc/$child/status" VmPTE)"
  kill -9 "$child"
  while $C info persistence | grep -q 'rdb_bgsave_in_progress:1'; do sleep 0.02; done
  $C shutdown nosave >/dev/null 2>&1
  wait "$server" 2>/dev/null
  rm -rf "$dir"
  trap - EXIT
}
probe small
probe huge
