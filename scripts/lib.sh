# shellcheck shell=bash
# Shared helpers of the scripts in scripts/: sourced (`source "$(dirname "$0")/lib.sh"`), never
# run. Sets `root` (the workspace) and `script` (the caller's name, which prefixes messages).
#
#   say TEXT / step TITLE / die TEXT      messages on stderr (die exits 1)
#   pin KEY...                            a value of upstream/openvino.toml
#   fetch_pinned_wheel VERSION            the wheel of a pinned release, downloaded and hash-checked
#   unpack_wheel WHEEL DEST PREFIX...     the wheel's files under PREFIX.. into DEST, atomically
#   libclang_for_bindgen [ROOT]           the libclang bindgen (clang-sys) would load, or fail
#   ensure_packages CHECK PACKAGE ...     apt-get install each PACKAGE whose CHECK fails
#   ensure_venv DIR REQUIREMENTS          a Python venv with those requirements, rebuilt on change

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
script=$(basename "$0")

say() { echo "$script: $*" >&2; }
# `step` also records the step's name in $current_step, for a report on failure.
step() { current_step=$*; printf '\n=== %s\n' "$*" >&2; }
die() { echo "$script: $*" >&2; exit 1; }

# pin KEY...: one value of upstream/openvino.toml (`pin release version`,
# `pin releases 2025.1.0 linux-x86_64 sha256`), read with Python's tomllib.
pin() {
    python3 - "$root/upstream/openvino.toml" "$@" <<'PY'
import sys, tomllib
node = tomllib.load(open(sys.argv[1], "rb"))
for key in sys.argv[2:]:
    if not isinstance(node, dict) or key not in node:
        sys.exit(f"upstream/openvino.toml has no entry {'.'.join(sys.argv[2:])}")
    node = node[key]
print("\n".join(node) if isinstance(node, dict) else node)
PY
}

# This machine's key in the pin file (linux-x86_64, linux-aarch64).
platform() { echo "$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m)"; }

# fetch_pinned_wheel VERSION: prints the path of the OpenVINO VERSION wheel for this platform in
# upstream/downloads, downloading it with pip when it is missing or its sha256 differs from the
# pin (the newest release is pinned under [wheel.*], every matrix release under [releases.*]).
fetch_pinned_wheel() {
    local version=$1 table file sha256 tag downloads=$root/upstream/downloads
    if [ "$version" = "$(pin release version)" ]; then table=(wheel "$(platform)"); else table=(releases "$version" "$(platform)"); fi
    file=$(pin "${table[@]}" file) || die "no pinned wheel of OpenVINO $version for $(platform) in upstream/openvino.toml"
    sha256=$(pin "${table[@]}" sha256)
    tag=$(pin "${table[@]}" platform-tag)
    mkdir -p "$downloads"
    if ! echo "$sha256  $downloads/$file" | sha256sum -c --status 2>/dev/null; then
        say "downloading $file from PyPI"
        python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
            --python-version 3.11 --implementation cp --abi cp311 --platform "$tag" \
            --dest "$downloads" "openvino==$version" >&2
        echo "$sha256  $downloads/$file" | sha256sum -c --status \
            || die "sha256 mismatch for $downloads/$file (expected $sha256); delete it and retry"
    fi
    echo "$downloads/$file"
}

# unpack_wheel WHEEL DEST PREFIX...: replaces DEST with the wheel's files under each PREFIX
# (`openvino/libs/`), the prefix's parent (`openvino/`) stripped, modes kept. Unpacks into a
# staging folder first, so an interrupted run leaves no half folder; DEST/.installed holds the
# wheel's sha256, and a second run with the same wheel does nothing.
unpack_wheel() {
    local wheel=$1 dest=$2 sha staging
    shift 2
    sha=$(sha256sum "$wheel" | cut -d' ' -f1)
    if [ "$(cat "$dest/.installed" 2>/dev/null)" = "$sha" ]; then return 0; fi
    mkdir -p "$(dirname "$dest")"
    staging=$(mktemp -d "${dest%/}.staging.XXXXXX")
    python3 - "$wheel" "$staging" "$@" <<'PY' || { rm -rf "$staging"; die "cannot unpack $wheel"; }
import os, sys, zipfile
wheel, out, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name.endswith("/") or not any(name.startswith(p) for p in prefixes):
            continue
        target = os.path.join(out, name.split("/", 1)[1])
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, "wb") as dst:
            dst.write(src.read())
        os.chmod(target, (info.external_attr >> 16) & 0o777 or 0o644)
PY
    chmod 755 "$staging"
    echo "$sha" > "$staging/.installed"
    rm -rf "$dest"
    mv "$staging" "$dest"
}

# libclang_for_bindgen [ROOT]: prints the path of a libclang that bindgen can load, or fails.
# bindgen loads libclang at run time through clang-sys (its `runtime` feature), which looks
# (clang-sys 1.9, build/dynamic.rs and build/common.rs) for files named libclang.so,
# libclang-*.so, libclang.so.* or libclang-*.so.*, except names containing "-cpp." (Debian's
# libclang-cpp.so.14 is another library), that are 64-bit ELF files, in: only $LIBCLANG_PATH when
# it is set; else `llvm-config --prefix`/{bin,lib,lib64}, the $LD_LIBRARY_PATH and $LIBRARY_PATH
# entries, and the folders matching /usr/local/llvm*/lib*, /usr/local/lib*/*/*,
# /usr/local/lib*/*, /usr/local/lib*, /usr/lib*/*/*, /usr/lib*/*, /usr/lib*. ROOT (default /)
# prefixes those fixed folders, for tests.
libclang_for_bindgen() {
    local prefix=${1:-/} dirs=() dir name file llvm
    prefix=${prefix%/}
    if [ -n "${LIBCLANG_PATH:-}" ]; then
        if [ -f "$LIBCLANG_PATH" ]; then dirs=("$(dirname "$LIBCLANG_PATH")"); else dirs=("$LIBCLANG_PATH"); fi
    else
        if llvm=$(llvm-config --prefix 2>/dev/null); then dirs+=("$llvm/bin" "$llvm/lib" "$llvm/lib64"); fi
        local IFS=:
        # shellcheck disable=SC2206
        dirs+=(${LD_LIBRARY_PATH:-} ${LIBRARY_PATH:-})
        unset IFS
        shopt -s nullglob
        for dir in "$prefix"/usr/local/llvm*/lib* "$prefix"/usr/local/lib*/*/* "$prefix"/usr/local/lib*/* \
            "$prefix"/usr/local/lib* "$prefix"/usr/lib*/*/* "$prefix"/usr/lib*/* "$prefix"/usr/lib*; do
            [ -d "$dir" ] && dirs+=("$dir")
        done
        shopt -u nullglob
    fi
    for dir in "${dirs[@]}"; do
        [ -n "$dir" ] || continue
        for file in "$dir"/libclang.so "$dir"/libclang-*.so "$dir"/libclang.so.* "$dir"/libclang-*.so.*; do
            name=$(basename "$file")
            case "$name" in *-cpp.*) continue ;; esac
            [ -f "$file" ] || continue
            # ELF magic, then class 2 (64-bit): what clang-sys's validate_library checks.
            [ "$(head -c 5 "$file" | od -An -tx1 | tr -d ' \n')" = "7f454c4602" ] || continue
            echo "$file"
            return 0
        done
    done
    return 1
}

# ensure_packages CHECK PACKAGE [CHECK PACKAGE ...]: runs each CHECK (a shell command) and
# installs, with apt-get (sudo when not root), the PACKAGE of every check that fails; then runs
# the failed checks again and dies if one still fails.
ensure_packages() {
    local missing=() checks=() sudo=""
    while [ $# -ge 2 ]; do
        if ! eval "$1" >/dev/null 2>&1; then missing+=("$2"); checks+=("$1"); fi
        shift 2
    done
    [ ${#missing[@]} -gt 0 ] || return 0
    [ "$(id -u)" = 0 ] || sudo=sudo
    say "installing ${missing[*]} (apt-get)"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    local check
    for check in "${checks[@]}"; do
        eval "$check" >/dev/null 2>&1 || die "still missing after installing ${missing[*]}: $check"
    done
}

# ensure_venv DIR REQUIREMENTS: a Python venv in DIR with REQUIREMENTS installed, made again when
# the requirements file changes (its hash is kept in DIR/.requirements). Wheels already in
# upstream/downloads are used first.
ensure_venv() {
    local venv=$1 requirements=$2 hash
    hash=$(sha256sum "$requirements" | cut -d' ' -f1)
    if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.requirements" 2>/dev/null)" = "$hash" ]; then return 0; fi
    ensure_packages "python3 -c 'import venv, ensurepip'" python3-venv
    say "creating $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --find-links "$root/upstream/downloads" -r "$requirements"
    echo "$hash" > "$venv/.requirements"
}
