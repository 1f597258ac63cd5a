#!/usr/bin/env bash
# Disk usage of the mounted file systems (pseudo and memory file systems left out), or of the file
# system holding PATH (a mount point, or a path inside the working directory); file systems at 90%
# or more are flagged.
# Usage: disk-usage.sh [PATH]
set -euo pipefail

columns=source,fstype,size,used,avail,pcent,target
pseudo=(-x tmpfs -x devtmpfs -x squashfs -x ramfs -x efivarfs -x proc -x sysfs)
if [[ $# -ge 1 && -n "$1" ]]; then
    # Only a mount point (which the full report lists anyway) or a path inside the working
    # directory (which list_dir shows anyway): whether any other path exists is not the model's to
    # learn, so every other path gets the same answer, existing or not.
    place=$(realpath -m -- "$1")
    here=$(pwd -P)
    if df --output=target "${pseudo[@]}" | tail -n +2 | grep -qxF -- "$place"; then
        :
    elif [[ "$place" == "$here" || "$place" == "$here"/* ]]; then
        if [[ ! -e "$place" ]]; then
            echo "no such file or directory: $1" >&2
            exit 2
        fi
    else
        echo "refused: $1 is neither a mount point nor inside the working directory" >&2
        exit 2
    fi
    report=$(df -h --output="$columns" -- "$place")
else
    report=$(df -h --output="$columns" "${pseudo[@]}")
fi
echo "$report"
printf '%s\n' "$report" | awk 'NR > 1 { p = $6; sub(/%/, "", p); if (p + 0 >= 90) printf "warning: %s is %s%% full\n", $7, p }'
