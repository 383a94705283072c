#!/usr/bin/env bash
# `cmake --install` then find_package(ifu) from a separate project.
# Usage: test_install.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail
build=$1
scratch=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
cmake -S "$here/consumer" -B "$scratch/consumer" -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/consumer" >/dev/null
"$scratch/consumer/consumer"
for f in include/ifu/image.h lib/cmake/ifu/ifuConfig.cmake; do
    [ -f "$scratch/prefix/$f" ] || { echo "install: $f missing"; exit 1; }
done
echo "install: 1 passed, 0 failed"
