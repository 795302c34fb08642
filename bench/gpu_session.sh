#!/usr/bin/env bash
# Every pending H200 measurement, in three stages that each fit one 10-minute device call.
#
# On the device machine, from the repository root, with the wheels (bitsandbytes, trl, liger-kernel,
# datasets, dill, multiprocess) downloaded into .whl/ and `.whl` named in `carry`:
#   bash bench/gpu_session.sh 1   # GPU tests of kernels, fused update, fast rollouts, offload; update-phase bench
#   bash bench/gpu_session.sh 2   # end-to-end (a), (b), (c): aha vs TRL; transformers rollouts
#   bash bench/gpu_session.sh 3   # end-to-end (d): 8B QLoRA at the longest completion that fits; trainer LoRA/QLoRA
# Results and logs land in $OUT (or ./gpu-out when OUT is unset). Stages 2 and 3 do not need stage 1.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-$PWD/gpu-out}"
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH="/tmp/site:$PWD"
else
  export PYTHONPATH="$PWD"
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 -c 'import torch, transformers, peft, triton; print(torch.__version__, transformers.__version__, peft.__version__, triton.__version__)' | tee -a "$OUT/gpu.txt"

stage="${1:-1}"
case "$stage" in
  1)
    python3 -m pytest tests/trainer/kernels tests/trainer/test_update_fused.py tests/trainer/test_fast_rollout.py \
      tests/trainer/test_offload.py -q -p no:cacheprovider 2>&1 | tee "$OUT/gpu_tests.log"
    timeout 330 python3 bench/update_phase.py --json "$OUT/update_phase.json" 2>&1 | tee "$OUT/update_phase.log"
    ;;
  2)
    timeout 540 python3 bench/grpo_e2e.py --configs a,b,c --json "$OUT/e2e_abc.json" 2>&1 | tee "$OUT/e2e_abc.log"
    ;;
  3)
    timeout 360 python3 bench/grpo_e2e.py --configs d --engines aha --json "$OUT/e2e_d.json" 2>&1 | tee "$OUT/e2e_d.log"
    timeout 200 python3 bench/trainer_gpu.py --kernels auto --json-out "$OUT/trainer_gpu.json" 2>&1 | tee "$OUT/trainer_gpu.log"
    ;;
  *)
    echo "usage: bash bench/gpu_session.sh 1|2|3" >&2
    exit 2
    ;;
esac
