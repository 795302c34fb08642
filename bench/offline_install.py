"""Install aha and its optional GPU stacks (TRL, liger, bitsandbytes, vLLM, Unsloth) on a machine without network.

On a machine with network, `download` fetches the wheels of the named sets for the target's Python and platform
(CPython 3.12, x86-64 Linux by default); carry the folder across; there, `install` installs them with no index:

    python bench/offline_install.py list
    python bench/offline_install.py download aha trl liger bitsandbytes vllm unsloth     # into .whl/<set>/
    python bench/offline_install.py download vllm --part-size 60M      # also .whl/parts/vllm.tar.NNN + manifest
    python bench/offline_install.py install trl liger bitsandbytes --target /opt/aha-site  # then PYTHONPATH
    python bench/offline_install.py install vllm --from /media/usb --target /opt/aha-site-vllm

`--part-size` is for transfer media with a size limit: each set becomes one tar stream cut into parts of at most
that size, with a manifest of their sizes and SHA-256 sums; `install` joins and checks them wherever they lie
(`--from DIR` with the parts in DIR or in DIR/parts; a plain folder of wheels is installed whole). Without
`--target` the wheels go into the running Python's environment. The package lists assume a target that already has a CUDA build of torch and the libraries around
it (`assumes` in `list`); `--package SPEC` adds packages of your own to a set named `extra`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / ".whl"  # covered by .gitignore
PLATFORMS = [
    "manylinux_2_35_x86_64",
    "manylinux_2_34_x86_64",
    "manylinux_2_31_x86_64",
    "manylinux_2_28_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux_2_24_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
    "any",
]
# Extract plain files only, where the Python has tarfile's filters (3.11.4+).
SAFE_EXTRACT = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
TORCH_IMAGE = "torch 2.11 (CUDA), triton, transformers, tokenizers, safetensors, peft, accelerate, numpy"


@dataclass(frozen=True)
class WheelSet:
    """A named list of packages that are downloaded and installed together."""

    name: str
    about: str
    packages: tuple[str, ...]
    assumes: str = TORCH_IMAGE
    resolve: bool = False  # True: pip resolves their dependencies too; False: the list is complete
    own_site: bool = False  # its pins clash with other sets: give it a --target of its own
    notes: tuple[str, ...] = field(default_factory=tuple)


SETS: dict[str, WheelSet] = {
    s.name: s
    for s in (
        WheelSet(
            "aha",
            "aha itself (a wheel built from this checkout) and its runtime dependencies",
            ("<this checkout>",),
            assumes="Python 3.11+; the train extra's packages come with the torch image or sets below",
            resolve=True,
        ),
        WheelSet(
            "trl",
            "TRL 1.16 and datasets 5.2, the baseline of the update-phase and end-to-end benchmarks",
            ("trl==1.16.0", "datasets==5.2.0", "dill==0.4.1", "multiprocess==0.70.19"),
            assumes=TORCH_IMAGE + ", pyarrow, pandas, fsspec, xxhash",
        ),
        WheelSet("liger", "liger-kernel, a variant of the update-phase benchmark", ("liger-kernel==0.8.5",)),
        WheelSet("bitsandbytes", "4-bit QLoRA (the `quant` extra)", ("bitsandbytes==0.50.2",)),
        WheelSet(
            "vllm",
            "vLLM 0.25.1 (the build for torch 2.11) and what it needs beyond the torch image",
            (
                "vllm==0.25.1",
                "flashinfer-python==0.6.13",
                "apache-tvm-ffi==0.1.9",
                "nvidia-cudnn-frontend",
                "nvtx==0.2.15",
                "msgspec",
                "pyzmq",
                "blake3",
                "cbor2",
                "compressed-tensors==0.17.0",
                "depyf==0.20.0",
                "gguf",
                "mistral_common",
                "openai-harmony",
                "outlines_core==0.2.14",
                "xgrammar==0.2.5.post1",
                "llguidance>=1.7,<1.8",
                "lm-format-enforcer==0.11.3",
                "diskcache==5.6.3",
                "lark==1.2.2",
                "partial-json-parser",
                "pybase64",
                "ijson",
                "setproctitle",
                "py-cpuinfo",
                "cloudpickle",
                "prometheus_client",
                "prometheus-fastapi-instrumentator",
                "fastsafetensors",
                "pydantic==2.14.4",
                "pydantic-core==2.50.5",
                "annotated-types",
                "typing-inspection",
                "typing-extensions==4.16.0",
                "openai>=2,<3",
                "anthropic>=0.71,<1",
                "distro",
                "jiter",
                "sniffio",
                "docstring-parser",
                "fastapi>=0.133,<0.137",
                "starlette",
                "cachetools",
                "jsonschema",
                "jsonschema-specifications",
                "referencing",
                "rpds-py",
                "python-json-logger",
                "pydantic-extra-types",
                "interegular",
                "loguru",
                "astor",
                "watchfiles",
            ),
            assumes=TORCH_IMAGE + ", torchvision, torchaudio, sentencepiece, tiktoken, huggingface_hub, httpx",
            own_site=True,
            notes=(
                "About 340 MB. Left out, as vLLM imports them only on paths a dense model on Hopper does not take:"
                " flashinfer-cubin (the `vllm-cubin` set), nvidia-cutlass-dsl, quack-kernels, tilelang,"
                " torchcodec, opentelemetry, mcp.",
                "xgrammar and llguidance are pinned to releases that accept vLLM 0.25.1's apache-tvm-ffi 0.1.9;"
                " openai < 3 and anthropic < 1 because newer releases need httpx2.",
                "Without flashinfer-cubin set VLLM_USE_FLASHINFER_SAMPLER=0 (vLLM then samples without flashinfer).",
            ),
        ),
        WheelSet(
            "vllm-cubin",
            "flashinfer's precompiled kernels for the vllm set (458 MB; otherwise compiled when first used)",
            ("flashinfer-cubin==0.6.13",),
            own_site=True,
        ),
        WheelSet(
            "unsloth",
            "Unsloth 2026.10.9 with the TRL and datasets releases it pins",
            (
                "unsloth==2026.10.9",
                "unsloth_zoo==2026.10.9",
                "trl==1.15.0",
                "datasets<5,!=4.4.*,!=4.5.0,>=4.2",
                "torchao",
                "cut_cross_entropy",
                "tyro",
                "shtab",
                "typeguard",
                "docstring-parser",
                "hf_transfer",
                "diffusers",
                "importlib-metadata",
                "json5",
                "nest_asyncio",
                "structlog",
                "msgspec",
                "pydantic==2.14.4",
                "pydantic-core==2.50.5",
                "annotated-types",
                "typing-inspection",
                "typing-extensions==4.16.0",
            ),
            assumes=TORCH_IMAGE + ", and the packages of the trl set's `assumes`",
            own_site=True,
            notes=(
                "Unsloth pins trl <= 1.15 and datasets < 5, so it goes into a site folder of its own"
                " (bench/grpo_e2e.py --unsloth-path puts it first on the path of the Unsloth run alone).",
                "xformers is left out: Unsloth falls back to PyTorch attention.",
            ),
        ),
    )
}


def parse_size(text: str) -> int:
    """Bytes from '60M', '1.5G', '512K', '4096' (binary units)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (examples: 60M, 1.5G, 4096)")
    number, unit = float(match.group(1)), match.group(2).upper()
    size = int(number * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[unit])
    if size < 1:
        raise argparse.ArgumentTypeError(f"a part size must be at least 1 byte, got {text!r}")
    return size


def pip(*args: str) -> None:
    """Run pip in this interpreter; a failure stops the script with pip's exit status."""
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(command)
    if done.returncode:
        raise SystemExit(f"pip failed ({done.returncode}): {' '.join(command)}")


def download_set(wheel_set: WheelSet, dest: Path, args: argparse.Namespace) -> list[Path]:
    """Download one set's wheels into dest (emptied first); returns the wheel files."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    target = ["--only-binary=:all:", "--python-version", args.python_version, "--implementation", "cp"]
    for platform in args.platform or PLATFORMS:
        target += ["--platform", platform]
    index = ["--no-index"] if args.no_index else []
    for link in args.find_links:
        index += ["--find-links", str(link)]
    packages = list(wheel_set.packages)
    if wheel_set.name == "aha":
        pip("wheel", "-q", "--no-deps", "-w", str(dest), str(ROOT))
        packages = [str(p) for p in dest.glob("aha-*.whl")]
    pip("download", "-q", *([] if wheel_set.resolve else ["--no-deps"]), *target, *index, "-d", str(dest), *packages)
    wheels = sorted(dest.glob("*.whl"))
    if not wheels:
        raise SystemExit(f"{wheel_set.name}: pip downloaded no wheel")
    return wheels


class PartWriter:
    """A binary stream written into files of at most `size` bytes: NAME.000, NAME.001, ..."""

    def __init__(self, stem: Path, size: int):
        self.stem, self.size = stem, size
        self.parts: list[dict] = []
        self._file = None
        self._left = 0

    def _next(self) -> None:
        self._close_part()
        path = self.stem.with_name(f"{self.stem.name}.{len(self.parts):03d}")
        self._file = path.open("wb")
        self._hash = hashlib.sha256()
        self.parts.append({"name": path.name, "bytes": 0})
        self._left = self.size

    def _close_part(self) -> None:
        if self._file is not None:
            self._file.close()
            self.parts[-1]["sha256"] = self._hash.hexdigest()
            self._file = None

    def write(self, data: bytes) -> int:
        """Append data, starting a new part whenever the current one is full."""
        view = memoryview(data)
        while view:
            if self._file is None or self._left == 0:
                self._next()
            chunk = view[: self._left]
            self._file.write(chunk)
            self._hash.update(chunk)
            self.parts[-1]["bytes"] += len(chunk)
            self._left -= len(chunk)
            view = view[len(chunk) :]
        return len(data)

    def close(self) -> None:
        """Finish the last part (its SHA-256 goes into `parts`)."""
        self._close_part()


def split_set(name: str, wheels: list[Path], parts_dir: Path, part_size: int) -> dict:
    """Pack the wheels into one tar stream cut into parts; writes and returns the manifest."""
    parts_dir.mkdir(parents=True, exist_ok=True)
    for old in parts_dir.glob(f"{name}.tar.*"):
        old.unlink()
    writer = PartWriter(parts_dir / f"{name}.tar", part_size)
    with tarfile.open(fileobj=writer, mode="w|") as tar:
        for wheel in wheels:
            tar.add(wheel, arcname=wheel.name)
    writer.close()
    manifest = {"set": name, "part_size": part_size, "wheels": [w.name for w in wheels], "parts": writer.parts}
    (parts_dir / f"{name}.parts.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


class _JoinedParts:
    """The parts of a manifest read back as one stream."""

    def __init__(self, paths: list[Path]):
        self._paths = iter(paths)
        self._file = None

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all with -1), across part boundaries; b"" at the end."""
        out = b""
        while size < 0 or len(out) < size:
            if self._file is None:
                path = next(self._paths, None)
                if path is None:
                    break
                self._file = path.open("rb")
            chunk = self._file.read(-1 if size < 0 else size - len(out))
            if not chunk:
                self._file.close()
                self._file = None
                continue
            out += chunk
        return out


def sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def join_parts(manifest_path: Path, dest: Path) -> list[Path]:
    """Check every part of a manifest (present, size, SHA-256), then unpack the wheels into dest."""
    manifest = json.loads(manifest_path.read_text())
    paths = []
    for i, part in enumerate(manifest["parts"], 1):
        path = manifest_path.parent / part["name"]
        where = f"{manifest['set']}: part {i} of {len(manifest['parts'])} ({part['name']})"
        if not path.is_file():
            raise SystemExit(f"{where} is missing from {manifest_path.parent}")
        if path.stat().st_size != part["bytes"] or sha256(path) != part["sha256"]:
            raise SystemExit(f"{where} is damaged: its size or SHA-256 differs from {manifest_path.name}")
        paths.append(path)
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=_JoinedParts(paths), mode="r|") as tar:
        for member in tar:
            if not member.isfile() or "/" in member.name or not member.name.endswith(".whl"):
                raise SystemExit(f"{manifest['set']}: unexpected entry {member.name!r} in the parts")
            tar.extract(member, dest, **SAFE_EXTRACT)
    return [dest / name for name in manifest["wheels"]]


def find_wheels(name: str, source: Path, scratch: Path) -> list[Path]:
    """The wheels of set `name`: SOURCE/NAME/*.whl, its parts in SOURCE/parts or SOURCE, else every SOURCE/*.whl."""
    folder = source / name
    if folder.is_dir() and any(folder.glob("*.whl")):
        return sorted(folder.glob("*.whl"))
    for parts_dir in (source / "parts", source):
        manifest = parts_dir / f"{name}.parts.json"
        if manifest.is_file():
            return join_parts(manifest, scratch / name)
    if any(source.glob("*.whl")):  # a plain folder of wheels: all of them
        return sorted(source.glob("*.whl"))
    raise SystemExit(
        f"{name}: no wheels in {folder} or {source}, and no {name}.parts.json in {source}/parts or {source}"
    )


def cmd_list(_: argparse.Namespace) -> None:
    """Print every set: what it is for, its packages, what the target must have already."""
    for s in SETS.values():
        print(f"{s.name}: {s.about}")
        print(f"  packages ({'with' if s.resolve else 'without'} their dependencies): {' '.join(s.packages)}")
        print(f"  the target already has: {s.assumes}")
        if s.own_site:
            print("  install with a --target of its own (its pins clash with other sets)")
        for note in s.notes:
            print(f"  {note}")


def download_sets(args: argparse.Namespace) -> list[WheelSet]:
    """The sets named on the command line, plus `extra` from --package."""
    unknown = [n for n in args.sets if n not in SETS and n != "extra"]
    if unknown:
        raise SystemExit(f"unknown set(s) {', '.join(unknown)}; known: {', '.join(SETS)}, extra")
    chosen = [SETS[n] for n in args.sets if n in SETS]
    if args.package:
        chosen.append(WheelSet("extra", "packages named with --package", tuple(args.package), resolve=args.resolve))
    elif "extra" in args.sets:
        raise SystemExit("the extra set needs at least one --package SPEC")
    if not chosen:
        raise SystemExit("name at least one set (see `list`)")
    return chosen


def cmd_download(args: argparse.Namespace) -> None:
    """Download the sets' wheels into DIR/<set>/ and, with --part-size, cut each into parts in DIR/parts/."""
    for wheel_set in download_sets(args):
        wheels = download_set(wheel_set, args.dir / wheel_set.name, args)
        size = sum(w.stat().st_size for w in wheels)
        print(f"{wheel_set.name}: {len(wheels)} wheels, {size / 2**20:.1f} MiB in {args.dir / wheel_set.name}")
        if args.part_size:
            manifest = split_set(wheel_set.name, wheels, args.dir / "parts", args.part_size)
            print(
                f"{wheel_set.name}: {len(manifest['parts'])} parts of at most {args.part_size} bytes in {args.dir}/parts"
            )


def cmd_install(args: argparse.Namespace) -> None:
    """Install the sets' wheels from --from without an index, into --target or this environment."""
    with tempfile.TemporaryDirectory(prefix="aha-wheels-") as scratch:
        for name in args.sets:
            wheels = find_wheels(name, args.source, Path(scratch))
            where = ["--upgrade", "--target", str(args.target)] if args.target else []
            pip("install", "-q", "--no-index", "--no-deps", "--no-compile", "--no-cache-dir", *where, *map(str, wheels))
            print(f"{name}: {len(wheels)} wheels installed into {args.target or sys.prefix}")
    if args.target:
        print(f"use it with: export PYTHONPATH={args.target}:$PYTHONPATH")


def build_parser() -> argparse.ArgumentParser:
    """The command line: list, download, install."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the sets and their packages").set_defaults(func=cmd_list)
    down = sub.add_parser("download", help="download the sets' wheels (needs network)")
    down.add_argument("sets", nargs="*", help=f"sets: {', '.join(SETS)}, extra (with --package)")
    down.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the wheels go (default .whl/)")
    down.add_argument("--part-size", type=parse_size, help="also cut each set into parts of at most this size")
    down.add_argument("--python-version", default="3.12", help="the target's Python (default 3.12)")
    down.add_argument("--platform", action="append", help="a target platform tag (repeat; default x86-64 Linux)")
    down.add_argument("--package", action="append", help="a requirement for the `extra` set (repeat)")
    down.add_argument("--resolve", action="store_true", help="download the extra set's dependencies too")
    down.add_argument("--find-links", action="append", default=[], type=Path, help="a local folder of wheels")
    down.add_argument("--no-index", action="store_true", help="use only --find-links, not the package index")
    down.set_defaults(func=cmd_download)
    inst = sub.add_parser("install", help="install downloaded sets (no network)")
    inst.add_argument("sets", nargs="+", help="the sets to install (downloaded ones, extra included)")
    inst.add_argument("--from", dest="source", type=Path, default=DEFAULT_DIR, help="the downloaded folder or parts")
    inst.add_argument("--target", type=Path, help="a site folder to install into (default: this environment)")
    inst.set_defaults(func=cmd_install)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
