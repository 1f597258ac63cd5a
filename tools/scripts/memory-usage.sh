#!/usr/bin/env bash
# Memory and swap use: a one-line summary from /proc/meminfo, then `free -h`.
# Usage: memory-usage.sh
set -euo pipefail

if [[ ! -r /proc/meminfo ]]; then
    echo "/proc/meminfo is not readable (not Linux?)" >&2
    exit 2
fi
read -r total available swap_total swap_free < <(awk '
    /^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } /^SwapTotal:/ { st = $2 } /^SwapFree:/ { sf = $2 }
    END { print t + 0, a + 0, st + 0, sf + 0 }' /proc/meminfo)
human() { numfmt --from-unit=1024 --to=iec-i --suffix=B "$1"; }
used=$(( total - available ))
percent=$(( total > 0 ? 100 * used / total : 0 ))
echo "memory: $(human "$used") used of $(human "$total") (${percent}%), $(human "$available") available"
if (( swap_total > 0 )); then
    swap_used=$(( swap_total - swap_free ))
    echo "swap: $(human "$swap_used") used of $(human "$swap_total") ($(( 100 * swap_used / swap_total ))%)"
else
    echo "swap: none configured"
fi
if command -v free >/dev/null 2>&1; then
    echo
    free -h
fi
