#!/usr/bin/env bash
# Lines of the tracked text files of the git repository, grouped by language (from the file extension).
# Usage: lines-by-language.sh [TOP]   (languages to list, 1...50, default 15)
set -euo pipefail
source "$(dirname "$0")/common.sh"

top="${1:-15}"
require_integer "$top" 1 50 top
top=$((10#$top))
require_git_repo
root=$(git rev-parse --show-toplevel)
cd "$root"

# git grep -c '' prints "path:lines" for every tracked text file (-I skips binaries, empty files are absent).
counts=$(git -c core.quotepath=off grep -I -c -e '' -- . || true)
if [[ -z "$counts" ]]; then
    echo "no tracked text files in $(basename "$root")"
    exit 0
fi
printf '%s\n' "$counts" | awk -v top="$top" -v repo="$(basename "$root")" '
function language(path,    name, ext) {
    name = path; sub(/.*\//, "", name)
    if (name == "Makefile" || name == "GNUmakefile") return "Make"
    if (name == "Dockerfile") return "Dockerfile"
    if (name == "CMakeLists.txt") return "CMake"
    if (name !~ /\./ || name ~ /^\.[^.]*$/) return "(no extension)"
    ext = tolower(name); sub(/.*\./, "", ext)
    if (ext in names) return names[ext]
    return "." ext " files"
}
BEGIN {
    split("swift:Swift c:C h:C/C++ header cc:C++ cpp:C++ cxx:C++ hpp:C++ hh:C++ m:Objective-C mm:Objective-C++ " \
          "py:Python rb:Ruby go:Go rs:Rust java:Java kt:Kotlin kts:Kotlin scala:Scala cs:C# fs:F# php:PHP pl:Perl " \
          "lua:Lua r:R dart:Dart ex:Elixir exs:Elixir erl:Erlang hs:Haskell ml:OCaml clj:Clojure zig:Zig nim:Nim " \
          "js:JavaScript mjs:JavaScript cjs:JavaScript jsx:JavaScript ts:TypeScript tsx:TypeScript vue:Vue svelte:Svelte " \
          "html:HTML htm:HTML css:CSS scss:SCSS less:Less sh:Shell bash:Shell zsh:Shell fish:Shell ps1:PowerShell " \
          "md:Markdown markdown:Markdown rst:reStructuredText txt:Text adoc:AsciiDoc tex:TeX " \
          "json:JSON yaml:YAML yml:YAML toml:TOML xml:XML ini:INI cfg:INI conf:Config csv:CSV sql:SQL " \
          "proto:Protocol-Buffers graphql:GraphQL gradle:Gradle cmake:CMake mk:Make dockerfile:Dockerfile " \
          "modulemap:Module-map plist:Property-list", pairs, " ")
    for (i in pairs) { split(pairs[i], kv, ":"); names[kv[1]] = kv[2] }
}
{
    n = $0; sub(/.*:/, "", n)
    path = substr($0, 1, length($0) - length(n) - 1)
    lang = language(path)
    lines[lang] += n; files[lang]++; total += n; count++
}
END {
    printf "%d %s in %d tracked text %s of %s, by language:\n", total, (total == 1 ? "line" : "lines"), count, (count == 1 ? "file" : "files"), repo
    for (lang in lines) order[lang] = lines[lang]
    shown = 0
    while (shown < top) {
        best = ""
        for (lang in order) if (best == "" || order[lang] > order[best] || (order[lang] == order[best] && lang < best)) best = lang
        if (best == "") break
        printf "%-20s %8d %-5s %6d %-5s %5.1f%%\n", best, lines[best], (lines[best] == 1 ? "line" : "lines"), files[best], (files[best] == 1 ? "file" : "files"), (total ? 100 * lines[best] / total : 0)
        delete order[best]; shown++
    }
    rest = 0; for (lang in order) rest++
    if (rest > 0) printf "(%d more %s not shown)\n", rest, (rest == 1 ? "language" : "languages")
}'
