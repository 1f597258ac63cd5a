# Sourced by scripts/install and scripts/release-smoke: the `swift build` flags of the installed
# `brigade`, in the array `release_flags` (docs/benchmarks.md, "Memory (peak RSS)", passes two to four).
#
#   --static-swift-stdlib              the Swift runtime and FoundationEssentials linked in: ≈ 5 MB less
#                                      memory per run than loading them as shared libraries
#   -fuse-ld=bfd, -z pack-relative-relocs   GNU ld's packed relative relocations (glibc 2.36+): ≈ 1.5 MB
#   --no-export-dynamic                no symbols exported (swiftc passes -export-dynamic; nothing looks
#                                      them up): ≈ 0.9 MB
#   libstdc++.a, -static-libgcc        the C++ runtime the Swift runtime uses linked in, not loaded as
#                                      libstdc++.so.6 and libgcc_s.so.1, whose symbol tables and
#                                      relocations the loader reads: ≈ 1.6–2 MB. swiftc asks for
#                                      `-lstdc++`; a folder holding only libstdc++.a, searched first,
#                                      makes that the static library. Without libstdc++.a (no
#                                      libstdc++-dev), the shared one is linked as before.
#
# libcurl (loaded by the first HTTP request), libyaml, SQLite and libedit (loaded by `chat`) stay shared.
release_flags=(-c release --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=bfd
    -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic)
release_static_cxx="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.build/static-libstdc++"
release_clang="$(dirname "$(command -v swift)")/clang"        # the toolchain's clang, which swiftc links with
[[ -x "$release_clang" ]] || release_clang=clang
release_cxx_archive="$("$release_clang" -print-file-name=libstdc++.a 2>/dev/null || true)"
if [[ "$release_cxx_archive" == /* && -f "$release_cxx_archive" ]]; then
    mkdir -p "$release_static_cxx"
    ln -sfn "$release_cxx_archive" "$release_static_cxx/libstdc++.a"
    release_flags+=(-Xswiftc "-L$release_static_cxx" -Xswiftc -Xclang-linker -Xswiftc -static-libgcc)
else
    echo "libstdc++.a not found (clang -print-file-name=libstdc++.a): linking the shared libstdc++" >&2
fi
