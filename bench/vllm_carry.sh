#!/usr/bin/env bash
# Carry vLLM 0.25.1 (the build for torch 2.11) to the offline H200 machine in pieces of at most 60 MiB.
#
# The device tool sends at most 64 MiB a call, and ignored files it leaves in the checkout stay there while
# the machine is held (30 s idle). vLLM's wheel is 250 MB and its direct requirements not on the machine's
# image add about 700 MB (flashinfer-cubin alone is 458 MB), so the carry takes 6 calls without
# flashinfer-cubin and about 14 with it, back to back (the minimal set is chosen from its requirements, not yet tried).
#
# Here (with network):   bash bench/vllm_carry.sh download      # wheels into .vllm-whl/, parts into .carry/pNN/
# There, one call each:  carry [".carry/p01"], command "true"; then p02, ...  (keep calls < 30 s apart)
# There, last call:      bash bench/vllm_carry.sh install && python3 bench/rollout_gpu.py --json-out $OUT/rollout.json
# Set WITH_FLASHINFER_CUBIN=1 to include flashinfer's precompiled kernels (otherwise vLLM JIT-compiles or
# falls back; VLLM_USE_FLASHINFER_SAMPLER=0 keeps sampling off flashinfer).
set -euo pipefail
cd "$(dirname "$0")/.."
PART_BYTES=$((60 * 1024 * 1024))

download() {
  mkdir -p .vllm-whl
  grep -qx '/.vllm-whl/' .git/info/exclude || echo '/.vllm-whl/' >>.git/info/exclude
  grep -qx '/.carry/' .git/info/exclude || echo '/.carry/' >>.git/info/exclude
  # vLLM 0.25.1's requirements that the H200 image lacks (it has torch 2.11, torchvision, torchaudio,
  # transformers 5.17, tokenizers, safetensors, numpy, sentencepiece, tiktoken, huggingface_hub, triton)
  local pkgs=(vllm==0.25.1 flashinfer-python==0.6.13 apache-tvm-ffi==0.1.9 nvidia-cudnn-frontend
    nvtx==0.2.15 msgspec pyzmq blake3 cbor2 compressed-tensors==0.17.0 depyf==0.20.0 gguf mistral_common
    openai-harmony outlines_core==0.2.14 xgrammar llguidance lm-format-enforcer==0.11.3 diskcache==5.6.3
    lark==1.2.2 partial-json-parser pybase64 ijson setproctitle py-cpuinfo cloudpickle numba==0.65.0 llvmlite
    prometheus_client prometheus-fastapi-instrumentator fastsafetensors)
  if [[ "${WITH_FLASHINFER_CUBIN:-0}" == 1 ]]; then pkgs+=(flashinfer-cubin==0.6.13); fi
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_35_x86_64 --platform manylinux_2_34_x86_64 --platform manylinux_2_31_x86_64 \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform any -d .vllm-whl "${pkgs[@]}"
  rm -rf .carry && mkdir -p .carry
  # one stream of all wheels (a tar), cut into parts; `install` joins them back
  tar cf - -C .vllm-whl . | split -b "$PART_BYTES" -d -a 3 - .carry/wheels.tar.
  local i=1
  for f in .carry/wheels.tar.*; do
    d=$(printf '.carry/p%02d' "$i")
    mkdir -p "$d" && mv "$f" "$d/"
    i=$((i + 1))
  done
  du -sh .vllm-whl
  ls -d .carry/p* | wc -l | xargs echo "parts (one device call each):"
}

install() {
  cat .carry/p*/wheels.tar.* | tar xf - -C /tmp --one-top-level=vllm-whl
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site /tmp/vllm-whl/*.whl
  echo "export PYTHONPATH=/tmp/site:\$PWD VLLM_USE_FLASHINFER_SAMPLER=0"
  PYTHONPATH=/tmp/site python3 -c 'import vllm; print("vllm", vllm.__version__)'
}

case "${1:-}" in
  download) download ;;
  install) install ;;
  *) echo "usage: bash bench/vllm_carry.sh download|install" >&2; exit 2 ;;
esac
