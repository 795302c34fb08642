#!/usr/bin/env bash
# aha against the peers' fast setups on one GPU machine with no network: TRL with colocated vLLM, Unsloth with
# fast_inference, and the time-to-accuracy race. Wheels are downloaded beforehand where there is network
# (vLLM 0.25.1 and its requirements into .vllm-whl/, TRL 1.16 + datasets + bitsandbytes into .whl/, Unsloth and
# its pins into .unsloth-whl/: see the download scripts in bench/) and copied along with the checkout.
#
#   bash bench/peer_runs.sh install     # .whl -> /tmp/site, vLLM (.vllm-whl or a split tar under /tmp/parts) -> /tmp/site-vllm
#   bash bench/peer_runs.sh e2e a       # grpo_e2e.py config (a): aha vs TRL + colocated vLLM
#   bash bench/peer_runs.sh e2e e       # config (e): 16 prompts x 8, prompt 256, completion 1,024
#   bash bench/peer_runs.sh tta         # time_to_accuracy.py: build, aha, TRL + colocated vLLM, report
#   bash bench/peer_runs.sh unsloth a   # Unsloth (.unsloth-whl -> /tmp/site-unsloth) with fast_inference on config (a)
# Results (JSON, logs, the plot) go to $OUT (./peer-out when unset).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-$PWD/peer-out}"
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 VLLM_USE_FLASHINFER_SAMPLER=0
export PYTHONPATH="/tmp/site:$PWD"
WHEELS="${WHEELS:-$PWD}"  # where .whl, .vllm-whl, .unsloth-whl and .carry are (the checkout's root by default)
pip_target() { python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$1" "${@:2}"; }

case "${1:-}" in
  install)
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
    pip_target /tmp/site "$WHEELS"/.whl/*.whl || exit 1
    if [[ ! -d "$WHEELS/.vllm-whl" ]]; then  # a tar stream split into parts: join them
      mkdir -p /tmp/vllm-whl
      cat /tmp/parts/wheels.tar.* "$WHEELS"/.carry/p*/wheels.tar.* 2>/dev/null | tar xf - -C /tmp/vllm-whl
      set -- install /tmp/vllm-whl
    fi
    pip_target /tmp/site-vllm "${2:-$WHEELS/.vllm-whl}"/*.whl || exit 1
    PYTHONPATH="/tmp/site-vllm:$PYTHONPATH" python3 -c 'import vllm, trl, torch; print("vllm", vllm.__version__, "trl", trl.__version__, "torch", torch.__version__)' \
      | tee -a "$OUT/gpu.txt"
    ;;
  e2e)
    cfg="${2:-a}"
    timeout 590 python3 bench/grpo_e2e.py --configs "$cfg" --engines "${ENGINES:-aha,trl_vllm}" --vllm-path /tmp/site-vllm \
      --timeout "${VARIANT_TIMEOUT:-280}" --json "$OUT/e2e_$cfg.json" 2>&1 | tee "$OUT/e2e_$cfg.log" | grep -v -i warn | tail -30
    ;;
  tta)
    timeout 590 python3 bench/time_to_accuracy.py all --out /tmp/tta --vllm-path /tmp/site-vllm --timeout 260 \
      --sft-steps "${SFT_STEPS:-2000}" --max-steps "${MAX_STEPS:-120}" --eval-rows 300 2>&1 | tee "$OUT/tta.log" \
      | grep -E "^\[|^==|sft step|to 90|parameters|Error|error" | tail -60
    cp /tmp/tta/time_to_accuracy.json /tmp/tta/time_to_accuracy.png /tmp/tta/build.json "$OUT/" 2>/dev/null
    ;;
  unsloth)
    pip_target /tmp/site-unsloth "$WHEELS"/.unsloth-whl/*.whl || exit 1
    cfg="${2:-a}"
    timeout 590 python3 bench/grpo_e2e.py --configs "$cfg" --engines "${ENGINES:-unsloth_vllm}" --vllm-path /tmp/site-vllm \
      --unsloth-path /tmp/site-unsloth --timeout 400 --json "$OUT/e2e_unsloth_$cfg.json" 2>&1 \
      | tee "$OUT/e2e_unsloth_$cfg.log" | grep -v -i warn | tail -40
    ;;
  *)
    echo "usage: bash bench/peer_runs.sh install|e2e CFG|tta|unsloth CFG" >&2
    exit 2
    ;;
esac
