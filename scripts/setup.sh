#!/usr/bin/env bash
# Installs the Debian packages flowkit needs to build, test and benchmark.
#   scripts/setup.sh          install what is missing (apt-get; sudo when not root)
#   scripts/setup.sh --check  exit 1 and list what is missing, install nothing
# Groups: build (compilers, libraries), test (peer tools the interop tests run against),
# extra (ClickHouse). FLOWKIT_SETUP_GROUPS selects groups (default: all).
set -euo pipefail

build_pkgs=(g++ clang libclang-rt-14-dev cmake make pkg-config libtins-dev libpcap-dev
            libcli11-dev libsimdjson-dev libzstd-dev zlib1g-dev libgtest-dev libssl-dev
            libcairo2-dev)
test_pkgs=(nfdump softflowd tshark iproute2 python3 python3-ipfix hyperfine time chromium
           poppler-utils curl)
extra_pkgs=(clickhouse-server clickhouse-client)

groups=${FLOWKIT_SETUP_GROUPS:-build test extra}
wanted=()
for g in $groups; do
    case $g in
        build) wanted+=("${build_pkgs[@]}") ;;
        test) wanted+=("${test_pkgs[@]}") ;;
        extra) wanted+=("${extra_pkgs[@]}") ;;
        *) echo "setup.sh: unknown group '$g' (build, test, extra)" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${1:-}" = "--check" ]; then
    [ ${#missing[@]} -eq 0 ] && exit 0
    echo "missing Debian packages: ${missing[*]}" >&2
    exit 1
fi
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
echo "setup.sh: installing ${missing[*]}" >&2
if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
