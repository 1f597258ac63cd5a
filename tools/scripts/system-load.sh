#!/usr/bin/env bash
# System load: load averages against the CPU count, uptime, and process counts.
# Usage: system-load.sh
set -euo pipefail

if [[ ! -r /proc/loadavg ]]; then
    echo "/proc/loadavg is not readable (not Linux?)" >&2
    exit 2
fi
read -r one five fifteen procs _ < /proc/loadavg
cpus=$(nproc)
awk -v a="$one" -v b="$five" -v c="$fifteen" -v n="$cpus" 'BEGIN {
    trend = (a > c * 1.2 && a - c > 0.1) ? "rising" : (a < c * 0.8 && c - a > 0.1) ? "falling" : "steady"
    printf "load average: %s %s %s (1, 5, 15 min) on %d CPUs; the 1-minute load is %d%% of capacity, %s\n", a, b, c, n, a * 100 / n, trend
}'
read -r up_seconds _ < /proc/uptime
up=${up_seconds%.*}
printf 'up %dd %dh %dm' $(( up / 86400 )) $(( up % 86400 / 3600 )) $(( up % 3600 / 60 ))
if command -v uptime >/dev/null 2>&1; then printf ' (since %s)' "$(uptime -s)"; fi
echo
echo "processes: ${procs%/*} runnable of ${procs#*/} total"
