#!/usr/bin/env bash
# Counts TODO, FIXME and XXX markers: in the tracked files when inside a git repository (git grep),
# otherwise in the files under the working directory (grep -r, skipping .git, .build, node_modules).
# Usage: todo-count.sh [TOP]   (files to list, 1...50, default 10)
set -euo pipefail
source "$(dirname "$0")/common.sh"

top="${1:-10}"
require_integer "$top" 1 50 top
top=$((10#$top))
pattern='TODO|FIXME|XXX'

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    root=$(git rev-parse --show-toplevel)
    cd "$root"
    scope="tracked files of $(basename "$root")"
    per_file=$(git -c core.quotepath=off grep -I -c -w -E "$pattern" -- . || true)
    per_kind=$(git grep -I -o -h -w -E "$pattern" -- . || true)
else
    scope="files under $PWD (not a git repository)"
    excludes=(--exclude-dir=.git --exclude-dir=.build --exclude-dir=node_modules)
    per_file=$(grep -r -I -c -w -E "$pattern" "${excludes[@]}" . 2>/dev/null | grep -v ':0$' | sed 's|^\./||' || true)
    per_kind=$(grep -r -I -o -h -w -E "$pattern" "${excludes[@]}" . 2>/dev/null || true)
fi

if [[ -z "$per_file" ]]; then
    echo "no TODO, FIXME or XXX markers in $scope"
    exit 0
fi
kinds=$(printf '%s\n' "$per_kind" | LC_ALL=C sort | uniq -c | LC_ALL=C sort -k1,1nr -k2,2 | awk '{printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1}')
total=$(printf '%s\n' "$per_kind" | grep -c . || true)
files=$(printf '%s\n' "$per_file" | grep -c . || true)
echo "$(plural "$total" marker) ($kinds) on lines of $(plural "$files" file), in $scope"
echo "files with the most marker lines:"
# "path:count" → "count<TAB>path"; the count is after the last colon (paths may hold colons).
printf '%s\n' "$per_file" \
    | awk '{ n = $0; sub(/.*:/, "", n); print n "\t" substr($0, 1, length($0) - length(n) - 1) }' \
    | LC_ALL=C sort -t "$(printf '\t')" -k1,1nr -k2,2 \
    | awk -F '\t' -v top="$top" 'NR <= top { printf "%6d  %s\n", $1, $2 }'
