#!/usr/bin/env bash
# Every pending H200 measurement, in stages that each fit one 10-minute device call.
#
# On the device machine, from the repository root, with the wheels (bitsandbytes, trl, liger-kernel,
# datasets, dill, multiprocess) downloaded into .whl/ and `.whl` named in `carry`:
#   bash bench/gpu_session.sh 1   # GPU tests; update phase at 256/4,096 with a profile; end-to-end (a) vs TRL
#   bash bench/gpu_session.sh 2   # fused-update/offload GPU tests; decode-step breakdown; full update-phase bench
#   bash bench/gpu_session.sh 3   # decode-step breakdown again; end-to-end (a), (b): aha vs TRL
#   bash bench/gpu_session.sh 4   # end-to-end (c) 4,096 tokens; (d) 8B QLoRA at the longest completion that fits
#   bash bench/gpu_session.sh 5   # the torch.compile'd decode step (generation.compile): breakdown and (a) vs TRL
#   bash bench/gpu_session.sh 6   # vLLM 0.25.1 (carried first: bench/vllm_carry.sh): install, rollout bench, GPU tests
#   bash bench/gpu_session.sh 7   # Unsloth (carry .unsloth-whl alone, after a stage that installed .whl): (a); CONFIGS=a,b too
#   bash bench/gpu_session.sh 8   # (a) end to end with rollout = 'vllm' (after stage 6 on the same machine)
# Logs and JSON land in a work folder that is packed into $OUT/stageN.tgz at the end (the device tool
# returns at most 8 files); $OUT is ./gpu-out when unset. Each stage runs on its own.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-$PWD/gpu-out}"
stage="${1:-1}"
W="$OUT/stage$stage"
mkdir -p "$W"
trap 'tar czf "$OUT/stage$stage.tgz" -C "$W" . && rm -rf "$W"' EXIT
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
# shellcheck source=bench/fetch_wheels.sh
source bench/fetch_wheels.sh
if compgen -G ".whl/*.whl" >/dev/null; then
  install_wheels .whl /tmp/site || exit 1
  export PYTHONPATH="/tmp/site:$PWD"
elif [[ -d /tmp/site ]]; then
  export PYTHONPATH="/tmp/site:$PWD" # installed by an earlier call on this machine (the wheels were not carried again)
else
  export PYTHONPATH="$PWD"
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$W/gpu.txt"
python3 -c 'import torch, transformers, peft, triton; print(torch.__version__, transformers.__version__, peft.__version__, triton.__version__)' | tee -a "$W/gpu.txt"
nproc | tee -a "$W/gpu.txt"

case "$stage" in
  1)
    timeout 200 python3 -m pytest tests/trainer/kernels tests/trainer/test_update_fused.py tests/trainer/test_fast_rollout.py \
      tests/trainer/test_offload.py -q -p no:cacheprovider -rs 2>&1 | tail -40 | tee "$W/gpu_tests.log"
    timeout 150 python3 bench/update_phase.py --lengths 256 4096 --variants torch triton trl --steps 3 --profile triton \
      --json "$W/update_probe.json" 2>&1 | tee "$W/update_probe.log" | grep -E "^(len |[0-9]+ |[0-9]+:)"
    timeout 45 python3 bench/update_phase.py --lengths 256 --variants triton --steps 3 --mb-tokens 4096 \
      --json "$W/update_mb4096.json" 2>&1 | tee "$W/update_mb4096.log" | tail -4
    timeout 200 python3 bench/grpo_e2e.py --configs a --engines aha,trl --timeout 170 --json "$W/e2e_a.json" 2>&1 \
      | tee "$W/e2e_a.log" | tail -12
    ;;
  2)
    timeout 90 python3 -m pytest tests/trainer/test_update_fused.py tests/trainer/test_offload.py -q -p no:cacheprovider -rfs \
      2>&1 | tail -15 | tee "$W/gpu_tests2.log"
    timeout 120 python3 bench/decode_step.py --json "$W/decode_step.json" 2>&1 | tee "$W/decode_step.log" | tail -14
    timeout 330 python3 bench/update_phase.py --offload --mb-tokens 9216 --json "$W/update_phase.json" 2>&1 \
      | tee "$W/update_phase.log" | tail -22
    ;;
  3)
    timeout 100 python3 bench/decode_step.py --json "$W/decode_step.json" 2>&1 | tee "$W/decode_step.log" | tail -11
    timeout 420 python3 bench/grpo_e2e.py --configs a,b --engines aha,trl --timeout 200 --json "$W/e2e_ab.json" 2>&1 \
      | tee "$W/e2e_ab.log" | tail -6
    ;;
  4)
    timeout 150 python3 bench/grpo_e2e.py --configs c --engines aha --timeout 145 --json "$W/e2e_c.json" 2>&1 \
      | tee "$W/e2e_c.log" | tail -3
    timeout 330 python3 bench/grpo_e2e.py --configs d --engines aha --timeout 320 --confirm-rows 1 --json "$W/e2e_d.json" \
      2>&1 | tee "$W/e2e_d.log" | tail -4
    # (a) with less memory: the group in two micro-batches, 128-row output-head chunks
    timeout 100 python3 bench/grpo_e2e.py --configs a --engines aha --timeout 95 --aha-set optim.micro_batch_size=4 \
      --aha-set logprob_chunk_size=128 --json "$W/e2e_a_lean.json" 2>&1 | tee "$W/e2e_a_lean.log" | tail -3
    ;;
  5)
    # the compiled decode step (generation.compile = true): decode breakdown, then (a) against TRL
    timeout 200 python3 bench/decode_step.py --compile --json "$W/decode_step.json" 2>&1 | tee "$W/decode_step.log" | tail -15
    timeout 300 python3 bench/grpo_e2e.py --configs a --engines aha,trl --timeout 280 --aha-set generation.compile=true \
      --json "$W/e2e_a_compiled.json" 2>&1 | tee "$W/e2e_a_compiled.log" | tail -4
    ;;
  6)
    # vLLM in a site folder of its own (its pins must not shadow the trainer's packages in the other stages)
    bash bench/vllm_carry.sh install 2>&1 | tail -8 | tee "$W/vllm_install.log"
    export PYTHONPATH="/tmp/site-vllm:$PYTHONPATH" VLLM_USE_FLASHINFER_SAMPLER=0
    [[ "${SKIP_ROLLOUT:-0}" == 1 ]] || timeout 300 python3 bench/rollout_gpu.py --json-out "$W/rollout.json" 2>&1 \
      | tee "$W/rollout.log" | tail -30
    # one process per test: vLLM allows one sleep-mode engine per process, and a closed engine can leave
    # blocks in its process-wide pool (docs/vllm.md)
    for t in $(python3 -m pytest tests/trainer/rollout_vllm/test_vllm_gpu.py --collect-only -q -p no:cacheprovider | grep ::); do
      timeout 120 python3 -m pytest "$t" -q -p no:cacheprovider -rfs 2>&1 | tail -4 | tee -a "$W/vllm_gpu_tests.log"
    done
    ;;
  7)
    bash bench/unsloth_carry.sh install 2>&1 | tail -5
    timeout 330 python3 bench/grpo_e2e.py --configs "${CONFIGS:-a}" --engines unsloth --unsloth-path /tmp/site-unsloth \
      --timeout 300 --json "$W/e2e_unsloth.json" 2>&1 | tee "$W/e2e_unsloth.log" | tail -40
    ;;
  8)
    # the colocated engine: adapter sync every step, sleep during the update
    export PYTHONPATH="/tmp/site-vllm:$PYTHONPATH" VLLM_USE_FLASHINFER_SAMPLER=0
    timeout 200 python3 bench/grpo_e2e.py --configs a --engines aha --timeout 190 --aha-set rollout=vllm \
      --aha-set generation.fast=auto --json "$W/e2e_a_vllm.json" 2>&1 | tee "$W/e2e_a_vllm.log" | tail -30
    ;;
  *)
    echo "usage: bash bench/gpu_session.sh 1|2|3|4|5|6|7|8" >&2
    exit 2
    ;;
esac
