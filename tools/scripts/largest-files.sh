#!/usr/bin/env bash
# The largest tracked files of the git repository, by size on disk.
# Usage: largest-files.sh [COUNT]   (1...100, default 10)
set -euo pipefail
source "$(dirname "$0")/common.sh"

count="${1:-10}"
require_integer "$count" 1 100 count
count=$((10#$count))
require_git_repo
root=$(git rev-parse --show-toplevel)
cd "$root"

# Tracked files deleted from the work tree make stat fail; they are skipped.
sizes=$(git -c core.quotepath=off ls-files -z | xargs -0 -r stat --printf '%s\t%n\n' -- 2>/dev/null || true)
if [[ -z "$sizes" ]]; then
    echo "no tracked files in $(basename "$root")"
    exit 0
fi
tab=$(printf '\t')
files=$(printf '%s\n' "$sizes" | grep -c . || true)
total=$(printf '%s\n' "$sizes" | awk -F '\t' '{ s += $1 } END { print s + 0 }')
echo "the $(( count < files ? count : files )) largest of $(plural "$files" "tracked file") in $(basename "$root") ($(numfmt --to=iec-i --suffix=B "$total") in total):"
printf '%s\n' "$sizes" \
    | LC_ALL=C sort -t "$tab" -k1,1nr -k2,2 \
    | awk -F '\t' -v n="$count" 'NR <= n' \
    | numfmt --to=iec-i --suffix=B --delimiter="$tab" --field=1 --padding=7 \
    | awk -F '\t' '{ printf "%s  %s\n", $1, substr($0, length($1) + 2) }'
