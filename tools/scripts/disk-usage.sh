#!/usr/bin/env bash
# Disk usage of the mounted file systems (pseudo and memory file systems left out), or of the file
# system holding PATH; file systems at 90% or more are flagged.
# Usage: disk-usage.sh [PATH]
set -euo pipefail

columns=source,fstype,size,used,avail,pcent,target
if [[ $# -ge 1 && -n "$1" ]]; then
    if [[ ! -e "$1" ]]; then
        echo "no such file or directory: $1" >&2
        exit 2
    fi
    report=$(df -h --output="$columns" -- "$1")
else
    report=$(df -h --output="$columns" -x tmpfs -x devtmpfs -x squashfs -x ramfs -x efivarfs -x proc -x sysfs)
fi
echo "$report"
printf '%s\n' "$report" | awk 'NR > 1 { p = $6; sub(/%/, "", p); if (p + 0 >= 90) printf "warning: %s is %s%% full\n", $7, p }'
