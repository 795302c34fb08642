"""Run aha's benchmarks by name; each writes its log and JSON into a folder of its own.

    python bench/run.py --list                       # every benchmark: what it measures, where it runs
    python bench/run.py score-throughput maths-compare
    python bench/run.py cpu                          # every CPU benchmark (also: gpu, smoke)
    python bench/run.py e2e-vllm --vllm-site /opt/aha-site-vllm --out out/bench/h200
    python bench/run.py update-phase --dry-run       # print the commands only
    python bench/run.py time-to-accuracy -- --max-steps 120    # options after -- go to every command

OUT/NAME/ gets the benchmark's log (`NAME.log`, stdout and stderr) and the JSON its script writes; OUT/
environment.json records the machine (Python, platform, CPU count, package versions, GPUs) and OUT/summary.json
each benchmark's exit status and wall time. A failing benchmark is reported and the others still run; the exit
status is 1 if any failed. The published numbers, with their commands, machines and dates, are in
docs/benchmarks.md and bench/results/; see bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = "{python}"  # replaced by the running interpreter
VLLM_ENV = {"PYTHONPATH": "{vllm_site}", "VLLM_USE_FLASHINFER_SAMPLER": "0"}
PACKAGES = ("aha", "torch", "transformers", "peft", "triton", "trl", "vllm", "unsloth", "bitsandbytes", "sympy")


@dataclass(frozen=True)
class Benchmark:
    """One named benchmark: what it measures, where it runs, and its commands (run in order)."""

    name: str
    measures: str
    where: str  # "cpu", "gpu" (one CUDA GPU), "gpu x2"
    commands: tuple[tuple[str, ...], ...]
    env: dict[str, str] = field(default_factory=dict)  # PYTHONPATH entries are put first on the path
    one_process_per_test: bool = False  # commands are pytest runs whose tests each get a process of their own
    needs: str = ""  # what must be installed beyond aha[train]


def bench(name: str, measures: str, where: str, *commands: str, **kw) -> Benchmark:
    """A Benchmark from shell-like command strings ({python}, {dir}, {vllm_site}, {unsloth_site} filled in)."""
    return Benchmark(name, measures, where, tuple(tuple(shlex.split(c)) for c in commands), **kw)


BENCHMARKS: dict[str, Benchmark] = {
    b.name: b
    for b in (
        # CPU
        bench(
            "score-throughput",
            "`aha score` rows/s on 100,000 generated rows, exact match + format reward, 1 and 2 workers",
            "cpu",
            f"{PY} bench/score_throughput.py --rows 100000 --workers 1 2 --json {{dir}}/score_throughput.json",
        ),
        bench(
            "score-vs-loop",
            "`aha score` against a bare Python loop doing the same check, median ratio over 9 pairs",
            "cpu",
            f"{PY} bench/score_throughput.py --rows 100000 --workers 2 --reward exact_match --repeat 9"
            " --json {dir}/score_vs_loop.json",
        ),
        bench(
            "maths-compare",
            "`math_equivalence` against HF Math-Verify: agreement, pairs/s and latency on one core, same rows",
            "cpu",
            f"{PY} bench/math_verify_compare.py --cpu 1 --repeat 3 --show-slow 15 --json {{dir}}/maths_compare.json",
            needs="the bench extra (math-verify)",
        ),
        bench(
            "maths-parsers",
            "aha's LaTeX parser against latex2sympy2_extended and sympy's parse_latex on the corpus answers",
            "cpu",
            f"{PY} bench/math_verify_compare.py --parsers",
            needs="the bench extra (math-verify)",
        ),
        bench(
            "maths-probe",
            "`math_equivalence` agreement with the labels of 2,890 hand-written probe pairs, per kind",
            "cpu",
            f"{PY} bench/maths_probe.py --markdown --failures {{dir}}/misses.txt",
        ),
        bench(
            "domain-speed",
            "spelling, rule packs, legal and medical verifiers: rows/s and per-answer latency",
            "cpu",
            f"{PY} bench/domain_verifiers.py --json {{dir}}/domain_speed.json",
            env={"OMP_NUM_THREADS": "1"},
        ),
        bench(
            "domain-pairs",
            "how often a content-only reward scores the good answer of a pair above the bad one, per pair set",
            "cpu",
            f"{PY} bench/domain_verifiers.py --pairs",
        ),
        bench(
            "eval-scale",
            "`aha eval` (local pool and Ray) and `aha score` on 1,000,000 maths rows: rows/s and wall time",
            "cpu",
            f"{PY} bench/eval_scale.py --work {{dir}}/work",
            needs="the ray and eval extras",
        ),
        bench(
            "demo-train",
            "`aha train` with no options: the demo's held-out accuracy before and after 100 GRPO steps, time",
            "cpu",
            f"{PY} -m verifiers.cli train --output_dir {{dir}}/run",
        ),
        bench(
            "demo-model",
            "rebuild the bundled demo model into the output folder and probe it with bare-bones GRPO",
            "cpu",
            f"{PY} examples/demo/make_demo_model.py --probe --out {{dir}}/assets --report {{dir}}/demo_model.json",
        ),
        # CPU runs of the GPU scripts: they check the scripts, not speed
        bench(
            "smoke",
            "every GPU script on tiny shapes on the CPU (update phase, decode step, trainer, end to end, scaling)",
            "cpu",
            f"{PY} bench/update_phase.py --smoke",
            f"{PY} bench/decode_step.py --smoke",
            f"{PY} bench/trainer_gpu.py --smoke",
            f"{PY} bench/grpo_e2e.py --smoke --work {{dir}}/e2e",
            f"{PY} bench/scaling_gpu.py --smoke",
        ),
        bench(
            "rollout-smoke",
            "bench/rollout_gpu.py on a tiny model with vLLM's CPU build (checks the script)",
            "cpu",
            f"{PY} bench/rollout_gpu.py --smoke --json-out {{dir}}/rollout_smoke.json",
            needs="vLLM's CPU build (see .ci/vllm.sh)",
        ),
        # one GPU
        bench(
            "gpu-tests",
            "the tests that need a CUDA GPU: Triton kernels (bf16), the fast rollout engine, offload, fused update",
            "gpu",
            f"{PY} -m pytest tests/trainer/kernels tests/trainer/test_fast_rollout.py tests/trainer/test_offload.py"
            " tests/trainer/test_update_fused.py tests/trainer/test_model_paths.py -q -p no:cacheprovider -rfs",
        ),
        bench(
            "update-phase",
            "the GRPO update phase of a 1.5B LoRA model at 256, 1,024 and 4,096 tokens: peak memory and step"
            " time of the torch, Triton and liger paths and TRL",
            "gpu",
            f"{PY} bench/update_phase.py --offload --mb-tokens 9216 --json {{dir}}/update_phase.json",
            needs="the trl and liger sets (bench/offline_install.py)",
        ),
        bench(
            "update-profile",
            "the update phase at 256 and 4,096 tokens with a profile of the Triton path (where the time goes)",
            "gpu",
            f"{PY} bench/update_phase.py --lengths 256 4096 --variants torch triton trl --steps 3 --profile triton"
            " --json {dir}/update_profile.json",
            needs="the trl set",
        ),
        bench(
            "decode-step",
            "the fast engine's decode step (1.5B, 8 rows): in generate, graph replay alone, eager, sampling,"
            " against the bandwidth floor; uncompiled, then with generation.compile",
            "gpu",
            f"{PY} bench/decode_step.py --json {{dir}}/decode_step.json",
            f"{PY} bench/decode_step.py --compile --json {{dir}}/decode_step_compiled.json",
        ),
        bench(
            "trainer-gpu",
            "real trainer steps on a 1.5B model, bf16 LoRA and 4-bit QLoRA, plain PyTorch kernels: memory, time",
            "gpu",
            f"{PY} bench/trainer_gpu.py --kernels torch --steps 3 --json-out {{dir}}/trainer_gpu.json",
            needs="the bitsandbytes set",
        ),
        bench(
            "e2e",
            "a whole GRPO step, aha against TRL in the same run: (a) 1.5B LoRA and (b) QLoRA, 8 x 256 tokens",
            "gpu",
            f"{PY} bench/grpo_e2e.py --configs a,b --engines aha,trl --json {{dir}}/e2e_ab.json",
            needs="the trl and bitsandbytes sets",
        ),
        bench(
            "e2e-variants",
            "(a) without generation.compile, and (a) with the group in two micro-batches and 128-row head chunks",
            "gpu",
            f"{PY} bench/grpo_e2e.py --configs a --engines aha --aha-set generation.compile=false"
            " --json {dir}/e2e_a_uncompiled.json",
            f"{PY} bench/grpo_e2e.py --configs a --engines aha --aha-set optim.micro_batch_size=4"
            " --aha-set logprob_chunk_size=128 --json {dir}/e2e_a_lean.json",
        ),
        bench(
            "e2e-long",
            "(c) 8 x 4,096 tokens: memory beyond the weights for the whole step",
            "gpu",
            f"{PY} bench/grpo_e2e.py --configs c --engines aha --json {{dir}}/e2e_c.json",
        ),
        bench(
            "e2e-8b",
            "(d) an 8B QLoRA model: the longest completion the memory planner admits in 80 GB, then confirmed",
            "gpu",
            f"{PY} bench/grpo_e2e.py --configs d --engines aha --confirm-rows 1 --json {{dir}}/e2e_d.json",
            needs="the bitsandbytes set",
        ),
        bench(
            "e2e-unsloth",
            "(a) with Unsloth (its GRPOTrainer, no vLLM), in a site folder of its own",
            "gpu",
            f"{PY} bench/grpo_e2e.py --configs a --engines unsloth --unsloth-path {{unsloth_site}}"
            " --json {dir}/e2e_unsloth.json",
            needs="the unsloth set in --unsloth-site, on top of the trl set",
        ),
        bench(
            "e2e-vllm",
            "(a) end to end with rollout = 'vllm': adapter sync every step, the engine asleep during the update",
            "gpu",
            f"{PY} bench/grpo_e2e.py --configs a --engines aha --aha-set rollout=vllm --aha-set generation.fast=auto"
            " --json {dir}/e2e_vllm.json",
            env=VLLM_ENV,
            needs="the vllm set in --vllm-site",
        ),
        bench(
            "e2e-peers",
            "aha against TRL with colocated vLLM (its recommended one-GPU setup): (a), and (e) a real run's shape,"
            " 16 prompts x 8 completions of 1,024 tokens",
            "gpu",
            f"{PY} bench/grpo_e2e.py --configs a,e --engines aha,trl_vllm --vllm-path {{vllm_site}}"
            " --json {dir}/e2e_peers.json",
            needs="the trl set, and the vllm set in --vllm-site",
        ),
        bench(
            "e2e-unsloth-vllm",
            "(a) with Unsloth's fast_inference (vLLM sharing the weights)",
            "gpu",
            f"{PY} bench/grpo_e2e.py --configs a --engines unsloth_vllm --vllm-path {{vllm_site}}"
            " --unsloth-path {unsloth_site} --json {dir}/e2e_unsloth_vllm.json",
            needs="the unsloth set in --unsloth-site and the vllm set in --vllm-site",
        ),
        bench(
            "time-to-accuracy",
            "wall time for aha and for TRL with colocated vLLM to bring a pre-trained model to the same held-out"
            " accuracy on multi-step addition (examples/time_to_accuracy/grpo.toml)",
            "gpu",
            f"{PY} bench/time_to_accuracy.py all --out {{dir}}/run --vllm-path {{vllm_site}}",
            needs="the trl set, and the vllm set in --vllm-site",
        ),
        bench(
            "rollout-vllm",
            "rollout tokens/s of aha's vLLM engine (full weights, LoRA) against transformers' generate; start,"
            " weight sync, sync check, sleep and wake",
            "gpu",
            f"{PY} bench/rollout_gpu.py --json-out {{dir}}/rollout_vllm.json",
            env=VLLM_ENV,
            needs="the vllm set in --vllm-site",
        ),
        bench(
            "vllm-gpu-tests",
            "the vLLM tests that need a GPU (sleep and wake, LoRA sync in bf16), one process per test",
            "gpu",
            f"{PY} -m pytest tests/trainer -m 'vllm and gpu' -q -p no:cacheprovider -rfs",
            env=VLLM_ENV,
            one_process_per_test=True,
            needs="the vllm set in --vllm-site",
        ),
        # several GPUs
        bench(
            "scaling",
            "data-parallel strong scaling of `aha train` (DDP) on 1 and 2 GPUs: step time, speed-up, efficiency",
            "gpu x2",
            f"{PY} bench/scaling_gpu.py --gpus 1,2 --json-out {{dir}}/scaling.json",
        ),
    )
}
GROUPS = {
    "cpu": ["score-throughput", "score-vs-loop", "maths-compare", "maths-parsers", "maths-probe", "domain-speed"]
    + ["domain-pairs", "eval-scale", "demo-train", "demo-model"],
    # the vLLM and Unsloth ones need their sets in site folders of their own: named on their own
    "gpu": ["gpu-tests", "update-phase", "update-profile", "decode-step", "trainer-gpu", "e2e", "e2e-variants"]
    + ["e2e-long", "e2e-8b"],
}


def expand(names: list[str]) -> list[Benchmark]:
    """Benchmarks and groups by name, in order, each once; an unknown name is an error."""
    unknown = [n for n in names if n not in BENCHMARKS and n not in GROUPS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; `python bench/run.py --list` names them")
    chosen: list[str] = []
    for name in names:
        for member in GROUPS.get(name, [name]):
            if member not in chosen:
                chosen.append(member)
    return [BENCHMARKS[n] for n in chosen]


def fill(text: str, values: dict[str, str]) -> str:
    """A command word or environment value with its {placeholders} filled in."""
    return text.format(**values)


def environment_of(b: Benchmark, values: dict[str, str]) -> dict[str, str]:
    """The process environment for a benchmark: its variables, its PYTHONPATH entries before the repository."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
    path = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    for key, value in b.env.items():
        if key == "PYTHONPATH":
            path.insert(0, fill(value, values))
        else:
            env[key] = fill(value, values)
    env["PYTHONPATH"] = os.pathsep.join(path)
    return env


def collected_tests(command: list[str], env: dict[str, str]) -> list[str]:
    """The node ids a pytest command would run (collected in a process of its own)."""
    quiet = [w for w in command if w not in ("-q", "-qq")]  # one -q lists node ids; two list files
    done = subprocess.run([*quiet, "--collect-only", "-q"], cwd=ROOT, env=env, capture_output=True, text=True)
    return [line.strip() for line in done.stdout.splitlines() if "::" in line]


def commands_of(b: Benchmark, values: dict[str, str], env: dict[str, str], dry_run: bool) -> list[list[str]]:
    """The commands to run for a benchmark, filled in; pytest runs split per test where the benchmark asks."""
    commands = [[fill(word, values) for word in c] for c in b.commands]
    if not b.one_process_per_test or dry_run:
        return commands
    split = []
    for command in commands:
        ids = collected_tests(command, env)
        # the same command with its test paths replaced by one collected test at a time
        at = command.index("pytest") + 1
        rest = command[:at] + [w for w in command[at:] if not (ROOT / w).exists()]
        split += [[*rest, node] for node in ids] or [command]
    return split


def run_one(
    b: Benchmark, out: Path, values: dict[str, str], timeout: float, dry_run: bool, extra: list[str] | None = None
) -> dict:
    """Run a benchmark's commands, log in OUT/NAME/NAME.log; returns its summary (status, seconds)."""
    folder = out / b.name
    values = {**values, "dir": str(folder)}
    env = environment_of(b, values)
    commands = [[*c, *(extra or [])] for c in commands_of(b, values, env, dry_run)]
    if dry_run:
        for command in commands:
            print(shlex.join(command))
        return {"name": b.name, "status": "dry-run"}
    folder.mkdir(parents=True, exist_ok=True)
    started, failures = time.monotonic(), []
    with (folder / f"{b.name}.log").open("w") as log:
        for command in commands:
            print(f"[{b.name}] {shlex.join(command)}", flush=True)
            log.write(f"$ {shlex.join(command)}\n")
            log.flush()
            try:
                code = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
                rc = code.returncode
            except subprocess.TimeoutExpired:
                rc = "timeout"
                log.write(f"\n[run.py] stopped after {timeout:g} s\n")
            if rc != 0:
                failures.append({"command": shlex.join(command), "exit": rc})
    seconds = round(time.monotonic() - started, 1)
    status = "failed" if failures else "ok"
    print(f"[{b.name}] {status} in {seconds} s; log: {folder / (b.name + '.log')}", flush=True)
    return {"name": b.name, "status": status, "seconds": seconds, "failures": failures}


def machine() -> dict:
    """What the results were measured on: Python, platform, CPUs, package versions, GPUs."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    gpus = []
    try:
        query = ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"]
        gpus = subprocess.run(query, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "gpus": gpus,
        "packages": versions,
    }


def list_benchmarks() -> None:
    """Print every benchmark and group."""
    for b in BENCHMARKS.values():
        needs = f" (needs {b.needs})" if b.needs else ""
        print(f"{b.name:<17} [{b.where}] {b.measures}{needs}")
    for name, members in GROUPS.items():
        print(f"{name:<17} [group] {' '.join(members)}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the named benchmarks, write the environment and the summary; 1 if any failed."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("names", nargs="*", help="benchmarks or groups (cpu, gpu)")
    p.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    p.add_argument("--out", type=Path, default=ROOT / "out" / "bench", help="results folder (default out/bench)")
    p.add_argument("--timeout", type=float, default=3600, help="seconds one command may run (default 3600)")
    p.add_argument("--vllm-site", default=str(ROOT / ".whl" / "site-vllm"), help="site folder with the vllm set")
    p.add_argument("--unsloth-site", default=str(ROOT / ".whl" / "site-unsloth"), help="site folder with unsloth")
    p.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    argv = sys.argv[1:] if argv is None else list(argv)
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = p.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    if args.list or not args.names:
        list_benchmarks()
        return 0
    chosen = expand(args.names)
    values = {"python": sys.executable, "vllm_site": args.vllm_site, "unsloth_site": args.unsloth_site}
    if not args.dry_run:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "environment.json").write_text(json.dumps(machine(), indent=1) + "\n")
    summary = [run_one(b, args.out, values, args.timeout, args.dry_run, extra) for b in chosen]
    if not args.dry_run:
        (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return 1 if any(s["status"] == "failed" for s in summary) else 0


if __name__ == "__main__":
    sys.exit(main())
