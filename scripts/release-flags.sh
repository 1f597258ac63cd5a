# Sourced by scripts/install and scripts/release-smoke: how the installed `brigade` is built. Defines
# the `swift build` flags in the array `release_flags`, and `release_build`, which builds `brigade`
# with them and prints the binary's path (docs/benchmarks.md, "Memory (peak RSS)", passes two to four).
#
#   --static-swift-stdlib              the Swift runtime and FoundationEssentials linked in: ≈ 5 MB less
#                                      memory per run than loading them as shared libraries
#   -z pack-relative-relocs            packed relative relocations (glibc 2.36+): ≈ 1.5 MB
#   --no-export-dynamic                no symbols exported (swiftc passes -export-dynamic; nothing looks
#                                      them up): ≈ 0.9 MB
#   libstdc++.a, -static-libgcc        the C++ runtime the Swift runtime uses linked in, not loaded as
#                                      libstdc++.so.6 and libgcc_s.so.1, whose symbol tables and
#                                      relocations the loader reads: ≈ 1 MB. swiftc asks for `-lstdc++`;
#                                      a folder holding only libstdc++.a, searched first, makes that the
#                                      static library. Without libstdc++.a the shared one is linked.
#   -function-sections, ld.lld --symbol-ordering-file   the code that `--version`, `tools list` and
#                                      the offline `ask` run, recorded by scripts/code-order, linked
#                                      together at the start of the code: ≈ 1–1.3 MB (the kernel maps
#                                      code 64 KB around each page that runs). Needs the toolchain's
#                                      ld.lld; without it, GNU ld links in the usual order.
#
# libcurl (loaded by the first HTTP request), libyaml, SQLite and libedit (loaded by `chat`) stay shared.
release_checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
release_toolchain="$(dirname "$(readlink -f "$(command -v swift)")")"   # the real toolchain, also behind a symlink
release_flags=(-c release --static-swift-stdlib -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic)

release_clang="$release_toolchain/clang"
[[ -x "$release_clang" ]] || release_clang=clang
release_cxx_archive="$("$release_clang" -print-file-name=libstdc++.a 2>/dev/null || true)"
if [[ "$release_cxx_archive" == /* && -f "$release_cxx_archive" ]]; then
    mkdir -p "$release_checkout/.build/static-libstdc++"
    ln -sfn "$release_cxx_archive" "$release_checkout/.build/static-libstdc++/libstdc++.a"
    release_flags+=(-Xswiftc "-L$release_checkout/.build/static-libstdc++" -Xswiftc -Xclang-linker -Xswiftc -static-libgcc)
else
    echo "libstdc++.a not found ($release_clang -print-file-name=libstdc++.a): linking the shared libstdc++" >&2
fi

release_code_order=""
if [[ -x "$release_toolchain/ld.lld" ]]; then
    release_code_order="$release_checkout/.build/brigade.order"
    [[ -f "$release_code_order" ]] || : > "$release_code_order"
    release_flags+=(-Xswiftc -Xfrontend -Xswiftc -function-sections -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
        -Xlinker "--symbol-ordering-file=$release_code_order" -Xlinker --no-warn-symbol-ordering)
else
    echo "ld.lld not found next to swift: linking with GNU ld, code in the usual order" >&2
    release_flags+=(-Xswiftc -Xclang-linker -Xswiftc -fuse-ld=bfd)
fi

# Builds `brigade` (and PRODUCTS…, if given) with release_flags and prints the folder of the binaries.
# With ld.lld it then orders the code: links `brigade` twice more with its functions shuffled, records
# what the short commands run in the three layouts (scripts/code-order), and links it again with that
# code first, in the order of the first link.
release_build() {
    local bin product seed
    release_swift_build() { (cd "$release_checkout" && swift build "${release_flags[@]}" "$@" >&2); }
    bin="$(cd "$release_checkout" && swift build "${release_flags[@]}" --show-bin-path)"
    # The order file is not an input swift build tracks: with one, always link again.
    [[ -z "$release_code_order" ]] || rm -f "$bin/brigade"
    release_swift_build --product brigade || return 1
    for product in "$@"; do release_swift_build --product "$product" || return 1; done
    if [[ -n "$release_code_order" ]]; then
        local layouts
        layouts="$(mktemp -d "${TMPDIR:-/tmp}/brigade-layouts.XXXXXX")"
        cp "$bin/brigade" "$layouts/brigade-0"
        for seed in 1 2; do
            rm -f "$bin/brigade"
            release_swift_build --product brigade -Xlinker --symbol-ordering-file=/dev/null \
                -Xlinker "--shuffle-sections=.text*=$seed" || { rm -rf "$layouts"; return 1; }
            cp "$bin/brigade" "$layouts/brigade-$seed"
        done
        "$release_checkout/scripts/code-order" "$release_code_order.new" "$layouts"/brigade-{0,1,2} >&2 \
            && mv -f "$release_code_order.new" "$release_code_order"
        rm -rf "$layouts" "$release_code_order.new"
        rm -f "$bin/brigade"
        release_swift_build --product brigade || return 1
    fi
    echo "$bin"
}
