#!/bin/bash
# Pages copied by WRITES random same-size SET overwrites while a BGSAVE child is alive and has
# saved nothing yet: a check of the layout model per value size. Prints
# "VALUE_BYTES KEYS WRITES used_memory used_memory_rss copied_pages".
# Usage: validation/layout-probe.sh VALUE_BYTES KEYS WRITES PORT (a free loopback port)
set -u
V=$1; N=$2; W=$3; PORT=$4
dir=$(mktemp -d)
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize no \
  --enable-debug-command local --logfile "$dir/log" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$dir"' EXIT
C="redis-cli -p $PORT"
for _ in $(seq 50); do $C ping >/dev/null 2>&1 && break; sleep 0.1; done
$C ping >/dev/null || { echo "redis-server did not start on port $PORT" >&2; exit 1; }
$C debug populate "$N" key "$V" >/dev/null
$C config set rdb-key-save-delay 1000000 >/dev/null
python3 - "$W" "$N" "$V" > "$dir/cmds" <<'PY'
import sys,random
W,N,V=int(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3])
random.seed(2)
val='x'*V
out=[]
for i in range(W):
    ks='key:%d'%random.randrange(N)
    out.append('*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n'%(len(ks),ks,V,val))
sys.stdout.write(''.join(out))
PY
memory=$($C info memory | tr -d '\r')
used=$(awk -F: '/^used_memory:/{print $2}' <<<"$memory")
rss=$(awk -F: '/^used_memory_rss:/{print $2}' <<<"$memory")
$C bgsave >/dev/null
child=""
for _ in $(seq 200); do child=$(pgrep -P "$server" | head -1); [ -n "$child" ] && break; sleep 0.01; done
sleep 0.3
pd0=$(awk '/Private_Dirty/{print $2}' "/proc/$child/smaps_rollup")
$C --pipe < "$dir/cmds" >/dev/null
sleep 0.3
pd1=$(awk '/Private_Dirty/{print $2}' "/proc/$child/smaps_rollup")
echo "$V $N $W $used $rss $(( (pd1-pd0)/4 ))"
kill -9 "$child" 2>/dev/null
# Let the server reap its child before the trap stops the server.
while $C info persistence 2>/dev/null | grep -q 'rdb_bgsave_in_progress:1'; do sleep 0.02; done
