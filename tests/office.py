"""LibreOffice (headless) and poppler-utils for print-layout tests: Debian's packages,
installed on demand.

Tests call `to_pdf(workbook, out_dir)`: it installs `libreoffice-calc` and `poppler-utils`
with apt when they are missing and we are root (CI is), and skips the test with the reason
otherwise. `pdf_pages(pdf)` gives the text of every page as `pdftotext -layout` lays it out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

PACKAGES = ("libreoffice-calc", "poppler-utils")
TOOLS = ("soffice", "pdftotext", "pdfinfo")


def _install() -> None:
    if all(shutil.which(tool) for tool in TOOLS):
        return
    if os.geteuid() != 0:
        pytest.skip("LibreOffice or poppler-utils is not installed and installing needs root")
    apt = ["apt-get", "-qq", "-o", "DPkg::Lock::Timeout=300"]
    update = subprocess.run([*apt, "update"], capture_output=True, text=True)
    install = subprocess.run(
        [*apt, "install", "-y", "--no-install-recommends", *PACKAGES],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} could not be installed from Debian: "
            f"{(update.stderr + install.stderr).strip()[-500:]}"
        )


def to_pdf(document: Path, out_dir: Path) -> Path:
    """document converted by LibreOffice headless, as it would print: out_dir/<stem>.pdf."""
    _install()
    out_dir.mkdir(parents=True, exist_ok=True)
    # A profile of its own: no clash with a running LibreOffice, nothing left in $HOME.
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(document),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    pdf = out_dir / f"{document.stem}.pdf"
    assert pdf.exists(), f"LibreOffice wrote no PDF:\n{done.stdout}\n{done.stderr}"
    return pdf


def pdf_info(pdf: Path) -> dict[str, str]:
    """`pdfinfo`'s fields: Pages, Page size, ..."""
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in out.stdout.splitlines())
    }


def pdf_pages(pdf: Path) -> list[str]:
    """The text of every page, laid out as printed (`pdftotext -layout`)."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    pages = out.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages
