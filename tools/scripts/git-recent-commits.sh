#!/usr/bin/env bash
# The most recent commits of the git repository holding the working directory.
# Usage: git-recent-commits.sh [COUNT]   (1...100, default 10)
set -euo pipefail
source "$(dirname "$0")/common.sh"

count="${1:-10}"
require_integer "$count" 1 100 count
count=$((10#$count))
require_git_repo

if ! git rev-parse --verify --quiet HEAD >/dev/null; then
    echo "the repository has no commits yet"
    exit 0
fi
branch=$(git symbolic-ref --quiet --short HEAD || echo "detached HEAD at $(git rev-parse --short HEAD)")
total=$(git rev-list --count HEAD)
shown=$(( count < total ? count : total ))
echo "branch $branch, $(plural "$total" commit) in total; the latest $shown:"
git --no-pager log -n "$count" --no-color --date=short --pretty=format:'%h %ad %an: %s'
echo
