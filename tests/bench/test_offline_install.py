"""bench/offline_install.py: download with parts, then install with no index, on a tiny local wheel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from bench_scripts import load_bench

offline = load_bench("offline_install")


def make_wheel(folder: Path, payload: bytes) -> Path:
    """A minimal pure-Python wheel, tinypkg 0.1, whose module carries `payload` (to span several parts)."""
    path = folder / "tinypkg-0.1-py3-none-any.whl"
    info = "tinypkg-0.1.dist-info"
    files = {
        "tinypkg/__init__.py": "VALUE = 42\n",
        "tinypkg/blob.bin": payload,
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: tinypkg\nVersion: 0.1\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr(f"{info}/RECORD", "".join(f"{n},,\n" for n in files) + f"{info}/RECORD,,\n")
    return path


@pytest.fixture
def downloaded(tmp_path):
    """tinypkg downloaded as the `extra` set from a local folder, cut into 2 KiB parts."""
    source = tmp_path / "index"
    source.mkdir()
    make_wheel(source, os.urandom(6000))
    dest = tmp_path / "wheels"
    offline.main(
        ["download", "extra", "--package", "tinypkg==0.1", "--no-index", "--find-links", str(source)]
        + ["--dir", str(dest), "--part-size", "2K"]
    )
    return dest


def installed_value(site: Path) -> str:
    """tinypkg.VALUE as a fresh interpreter sees it with only `site` added to its path."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = "import tinypkg; print(tinypkg.VALUE)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


def test_download_keeps_the_wheels_and_cuts_parts_no_larger_than_the_part_size(downloaded):
    assert [p.name for p in (downloaded / "extra").iterdir()] == ["tinypkg-0.1-py3-none-any.whl"]
    manifest = json.loads((downloaded / "parts" / "extra.parts.json").read_text())
    parts = sorted((downloaded / "parts").glob("extra.tar.*"))
    assert [p.name for p in parts] == [p["name"] for p in manifest["parts"]]
    assert len(parts) >= 3 and all(p.stat().st_size <= 2048 for p in parts)
    assert manifest["wheels"] == ["tinypkg-0.1-py3-none-any.whl"]


def test_install_from_the_parts_alone_into_a_site_folder(downloaded, tmp_path):
    flat = tmp_path / "carried"  # the parts copied to a folder of their own, the wheels left behind
    flat.mkdir()
    for part in (downloaded / "parts").iterdir():
        (flat / part.name).write_bytes(part.read_bytes())
    site = tmp_path / "site"
    offline.main(["install", "extra", "--from", str(flat), "--target", str(site)])
    assert installed_value(site) == "42\n"
    assert len((site / "tinypkg" / "blob.bin").read_bytes()) == 6000


def test_install_from_the_wheel_folder(downloaded, tmp_path):
    (downloaded / "parts" / "extra.parts.json").unlink()
    offline.main(["install", "extra", "--from", str(downloaded), "--target", str(tmp_path / "site")])
    assert installed_value(tmp_path / "site") == "42\n"


def test_a_missing_or_damaged_part_is_named_before_anything_is_installed(downloaded, tmp_path):
    shutil.rmtree(downloaded / "extra")
    parts = sorted((downloaded / "parts").glob("extra.tar.*"))
    site = tmp_path / "site"
    good = parts[1].read_bytes()
    parts[1].write_bytes(good[:10] + bytes([good[10] ^ 0xFF]) + good[11:])
    with pytest.raises(SystemExit, match=r"part 2 of \d+ \(extra\.tar\.001\) is damaged"):
        offline.main(["install", "extra", "--from", str(downloaded), "--target", str(site)])
    parts[1].write_bytes(good)
    parts[-1].unlink()
    with pytest.raises(SystemExit, match=r"extra\.tar\.\d+\) is missing"):
        offline.main(["install", "extra", "--from", str(downloaded), "--target", str(site)])
    assert not site.exists()


def test_install_from_a_plain_folder_of_wheels(tmp_path):
    make_wheel(tmp_path, b"x")
    offline.main(["install", "anything", "--from", str(tmp_path), "--target", str(tmp_path / "site")])
    assert installed_value(tmp_path / "site") == "42\n"


def test_an_unknown_set_or_an_absent_one_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="unknown set"):
        offline.main(["download", "no-such-set", "--dir", str(tmp_path)])
    with pytest.raises(SystemExit, match="vllm: no wheels"):
        offline.main(["install", "vllm", "--from", str(tmp_path)])


def test_part_sizes_read_binary_units():
    assert offline.parse_size("60M") == 60 * 2**20
    assert offline.parse_size("1.5G") == 3 * 2**29
    assert offline.parse_size("512k") == 512 * 1024
    assert offline.parse_size("4096") == 4096
    for bad in ("", "6 parts", "-1M", "0"):
        with pytest.raises(Exception, match="size"):
            offline.parse_size(bad)


def test_every_set_lists_pinned_packages_and_the_gpu_stacks_are_all_there():
    assert {"aha", "trl", "liger", "bitsandbytes", "vllm", "vllm-cubin", "unsloth"} <= set(offline.SETS)
    assert "vllm==0.25.1" in offline.SETS["vllm"].packages
    assert "unsloth==2026.10.9" in offline.SETS["unsloth"].packages
    assert offline.SETS["vllm"].own_site and offline.SETS["unsloth"].own_site
