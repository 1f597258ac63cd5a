#!/usr/bin/env bash
# The processes using the most CPU or memory (ps; CPU% is averaged over each process's lifetime).
# Usage: top-processes.sh [cpu|memory] [COUNT]   (COUNT 1...50, default 10)
set -euo pipefail
source "$(dirname "$0")/common.sh"

sort_by="${1:-cpu}"
count="${2:-10}"
require_integer "$count" 1 50 count
count=$((10#$count))
case "$sort_by" in
    cpu) key=-pcpu ;;
    memory) key=-rss ;;
    *) echo "sort_by must be cpu or memory, got '$sort_by'" >&2; exit 2 ;;
esac

rows=$(ps -eo pid=,user=,pcpu=,pmem=,rss=,etime=,comm= --sort="$key")
total=$(printf '%s\n' "$rows" | grep -c . || true)
echo "top $(( count < total ? count : total )) of $total processes by $sort_by:"
printf '%7s %-10s %5s %5s %8s %12s  %s\n' PID USER %CPU %MEM RSS ELAPSED COMMAND
printf '%s\n' "$rows" | awk -v n="$count" 'NR <= n {
    rss = $5; unit = "K"
    if (rss >= 1048576) { rss = rss / 1048576; unit = "G" } else if (rss >= 1024) { rss = rss / 1024; unit = "M" }
    command = $7; for (i = 8; i <= NF; i++) command = command " " $i
    printf "%7s %-10.10s %5s %5s %7.1f%s %12s  %s\n", $1, $2, $3, $4, rss, unit, $6, command
}'
