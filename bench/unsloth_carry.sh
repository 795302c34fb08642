#!/usr/bin/env bash
# Carry Unsloth to the offline H200 machine for bench/grpo_e2e.py's Unsloth column (48 MB: one call).
#
# Unsloth 2026.10.9 pins trl <= 1.15 and datasets < 5, while the TRL column uses trl 1.16 and datasets 5.2
# (.whl/), so Unsloth gets its own site folder, /tmp/site-unsloth, that grpo_e2e.py puts first on the path of
# the Unsloth run alone (--unsloth-path). xformers is left out: Unsloth falls back to PyTorch attention.
#
# Here (with network):   bash bench/unsloth_carry.sh download   # wheels into .unsloth-whl/
# There:                 carry [".unsloth-whl"] alone (.whl and it together pass 64 MiB), on a machine where an
#                        earlier stage installed .whl into /tmp/site, then bash bench/gpu_session.sh 7
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/fetch_wheels.sh
source bench/fetch_wheels.sh

case "${1:-}" in
  download)
    fetch_wheels .unsloth-whl unsloth==2026.10.9 unsloth_zoo==2026.10.9 trl==1.15.0 'datasets<5,!=4.4.*,!=4.5.0,>=4.2' \
      torchao cut_cross_entropy tyro shtab typeguard docstring-parser hf_transfer diffusers importlib-metadata json5 \
      nest_asyncio structlog msgspec pydantic==2.14.4 pydantic-core==2.50.5 annotated-types typing-inspection \
      typing-extensions==4.16.0
    du -sh .unsloth-whl
    ;;
  install) install_wheels .unsloth-whl /tmp/site-unsloth ;;
  *) echo "usage: bash bench/unsloth_carry.sh download|install" >&2; exit 2 ;;
esac
