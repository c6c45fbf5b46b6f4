#!/bin/bash
# When the pages of a file replaced by rename(2) leave the page cache: the way rdbSave's rename
# of temp-<pid>.rdb over dump.rdb drops the older file. Writes an "old" file, holds it open on
# fd 3, renames a new file over it, then closes the fd; then renames a third file over the second
# with no fd open. Reads this process's cgroup v1 memory.stat `cache` around each step and the
# old inode's cached bytes through /proc/<pid>/fd/3 (fincore). Files are random (not sparse) and
# fsynced, so clean cache of their full size.
# Prints "step cache_before_bytes cache_after_bytes old_inode_cached_bytes".
# Usage: validation/held-inode-probe.sh [DIR] [MIB]   (DIR on the filesystem to test; default /tmp, 128)
set -eu
N=${2:-128}
dir=$(mktemp -d -p "${1:-/tmp}")
trap 'exec 3<&- 2>/dev/null; rm -rf "$dir"' EXIT
cg=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
[ -r "$cg/memory.stat" ] || { echo "no cgroup v1 memory.stat at $cg" >&2; exit 1; }
cache() { awk '$1 == "cache" { print $2 }' "$cg/memory.stat"; }
write() { dd if=/dev/urandom of="$1" bs=1M count="$N" conv=fsync status=none; }
resident() { fincore --bytes --noheadings --output RES "$1"; }

write "$dir/dump.rdb"
exec 3<"$dir/dump.rdb"
write "$dir/temp-1.rdb"
before=$(cache); mv "$dir/temp-1.rdb" "$dir/dump.rdb"; after=$(cache)
echo "rename-while-held $before $after $(resident "/proc/$$/fd/3")"
before=$(cache); exec 3<&-; after=$(cache)
echo "close-last-fd $before $after 0"
write "$dir/temp-2.rdb"
before=$(cache); mv "$dir/temp-2.rdb" "$dir/dump.rdb"; after=$(cache)
echo "rename-unheld $before $after 0"
