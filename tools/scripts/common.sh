# Helpers sourced by the scripts in this folder (not run on its own).

# Exits with a clear message unless the working directory is inside a git work tree.
require_git_repo() {
    if ! command -v git >/dev/null 2>&1; then
        echo "git is not installed" >&2
        exit 2
    fi
    if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        echo "not inside a git repository (working directory: $PWD)" >&2
        exit 2
    fi
}

# require_integer VALUE MIN MAX NAME: exits unless VALUE is an integer in MIN...MAX.
require_integer() {
    local value="$1" min="$2" max="$3" name="$4"
    if ! [[ "$value" =~ ^[0-9]{1,9}$ ]] || (( 10#$value < min || 10#$value > max )); then
        echo "$name must be an integer from $min to $max, got '$value'" >&2
        exit 2
    fi
}

# "1 commit", "2 commits": COUNT then NOUN, plural unless COUNT is 1 (PLURAL overrides NOUN + "s").
# Usage: plural COUNT NOUN [PLURAL]
plural() {
    if [ "$1" = 1 ]; then printf '%s %s' "$1" "$2"; else printf '%s %s' "$1" "${3:-$2s}"; fi
}
