#!/usr/bin/env bash
# Carry vLLM 0.25.1 (the build for torch 2.11) to the offline H200 machine in pieces of at most 60 MiB.
#
# The device tool sends at most 64 MiB a call, and ignored files it leaves in the checkout stay there while
# the machine is held (30 s idle). vLLM's wheel is 250 MB; its requirements that the machine's image lacks
# (pydantic, openai, fastapi, flashinfer, xgrammar, ...) bring the set to 339 MB, 6 parts. Left out, as
# vLLM imports them only on paths a dense Qwen2/Llama on Hopper does not take: flashinfer-cubin (458 MB of
# precompiled kernels), nvidia-cutlass-dsl, quack-kernels, tilelang, torchcodec, opentelemetry, mcp.
# xgrammar and llguidance are pinned to releases that accept vLLM's apache-tvm-ffi 0.1.9.
#
# Here (with network):   bash bench/vllm_carry.sh download      # wheels into .vllm-whl/, parts into .carry/pNN/
# There, one call each:  carry [".carry/p01"], command "mkdir -p /tmp/parts && cp .carry/p01/* /tmp/parts/";
#                        then p02, ... (keep calls < 30 s apart; several calls in one batch run back to back).
#                        Each call's carry replaces the whole .carry folder there, so the parts go to /tmp/parts.
# There, last call:      bash bench/gpu_session.sh 6   (installs into /tmp/site-vllm, runs the vLLM benchmark and tests)
# Set WITH_FLASHINFER_CUBIN=1 to include flashinfer's precompiled kernels (otherwise vLLM JIT-compiles or
# falls back; VLLM_USE_FLASHINFER_SAMPLER=0 keeps sampling off flashinfer).
set -euo pipefail
cd "$(dirname "$0")/.."
PART_BYTES=$((60 * 1024 * 1024))
# shellcheck source=bench/fetch_wheels.sh
source bench/fetch_wheels.sh

download() {
  grep -qx '/.carry/' .git/info/exclude || echo '/.carry/' >>.git/info/exclude
  # vLLM 0.25.1's requirements that the H200 image lacks (it has torch 2.11, torchvision, torchaudio,
  # transformers 5.17, tokenizers, safetensors, numpy, sentencepiece, tiktoken, huggingface_hub, triton)
  local pkgs=(vllm==0.25.1 flashinfer-python==0.6.13 apache-tvm-ffi==0.1.9 nvidia-cudnn-frontend
    nvtx==0.2.15 msgspec pyzmq blake3 cbor2 compressed-tensors==0.17.0 depyf==0.20.0 gguf mistral_common
    openai-harmony outlines_core==0.2.14 xgrammar==0.2.5.post1 "llguidance>=1.7,<1.8" lm-format-enforcer==0.11.3 diskcache==5.6.3
    lark==1.2.2 partial-json-parser pybase64 ijson setproctitle py-cpuinfo cloudpickle
    prometheus_client prometheus-fastapi-instrumentator fastsafetensors
    # pure-Python needs that the image lacks too (pydantic above all: vLLM's config is built on it); openai and
    # anthropic below 3 and 1, whose newer releases need httpx2 instead of the image's httpx
    pydantic==2.14.4 pydantic-core==2.50.5 annotated-types typing-inspection typing-extensions==4.16.0
    'openai>=2,<3' 'anthropic>=0.71,<1' distro jiter sniffio docstring-parser 'fastapi>=0.133,<0.137' starlette
    cachetools jsonschema jsonschema-specifications referencing rpds-py python-json-logger pydantic-extra-types
    interegular loguru astor watchfiles)
  if [[ "${WITH_FLASHINFER_CUBIN:-0}" == 1 ]]; then pkgs+=(flashinfer-cubin==0.6.13); fi
  fetch_wheels .vllm-whl "${pkgs[@]}"
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
  local parts=(/tmp/parts/wheels.tar.*)
  [[ -e "${parts[0]}" ]] || parts=(.carry/p*/wheels.tar.*)
  cat "${parts[@]}" | tar xf - -C /tmp --one-top-level=vllm-whl
  install_wheels /tmp/vllm-whl /tmp/site-vllm
  echo "export PYTHONPATH=/tmp/site-vllm:\$PWD VLLM_USE_FLASHINFER_SAMPLER=0"
  PYTHONPATH=/tmp/site-vllm python3 -c 'import vllm; print("vllm", vllm.__version__)'
}

case "${1:-}" in
  download) download ;;
  install) install ;;
  *) echo "usage: bash bench/vllm_carry.sh download|install" >&2; exit 2 ;;
esac
