#!/bin/bash
# Pages copied by WRITES random same-size SET overwrites while a BGSAVE child is alive and has
# saved nothing yet: a check of the layout model per value size. Prints
# "VALUE_BYTES KEYS WRITES used_memory used_memory_rss copied_pages".
# Usage: validation/layout-probe.sh VALUE_BYTES KEYS WRITES PORT (a free loopback port)
V=$1; N=$2; W=$3; PORT=$4
dir=$(mktemp -d)
redis-server --port $PORT --bind 127.0.0.1 --save '' --appendonly no --dir $dir --daemonize yes --pidfile $dir/r.pid --enable-debug-command local --logfile $dir/log >/dev/null
sleep 0.5
C="redis-cli -p $PORT"
$C debug populate $N key $V >/dev/null
$C config set rdb-key-save-delay 1000000 >/dev/null
python3 - "$W" "$N" "$V" > $dir/cmds <<'PY'
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
used=$($C info memory | awk -F: '/^used_memory:/{print $2}' | tr -d '\r')
rss=$($C info memory | awk -F: '/^used_memory_rss:/{print $2}' | tr -d '\r')
$C bgsave >/dev/null
sleep 0.3
child=$(pgrep -P $(cat $dir/r.pid) | head -1)
pd0=$(awk '/Private_Dirty/{print $2}' /proc/$child/smaps_rollup)
$C --pipe < $dir/cmds >/dev/null
sleep 0.3
pd1=$(awk '/Private_Dirty/{print $2}' /proc/$child/smaps_rollup)
echo "$V $N $W $used $rss $(( (pd1-pd0)/4 ))"
kill -9 $child 2>/dev/null
$C shutdown nosave >/dev/null 2>&1
sleep 0.2
rm -rf $dir
