#!/usr/bin/env bash
# fetch_wheels DIR PKG...: download x86-64 CPython 3.12 wheels (no dependencies) for the offline H200 machine.
# Sourced by bench/vllm_carry.sh and bench/unsloth_carry.sh.
fetch_wheels() {
  local dir="$1"
  shift
  mkdir -p "$dir"
  grep -qx "/$dir/" .git/info/exclude || echo "/$dir/" >>.git/info/exclude
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_35_x86_64 --platform manylinux_2_34_x86_64 --platform manylinux_2_31_x86_64 \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform any -d "$dir" "$@"
}

# install_wheels DIR TARGET: install every wheel in DIR into the site folder TARGET (there, no network)
install_wheels() {
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$2" "$1"/*.whl
}
