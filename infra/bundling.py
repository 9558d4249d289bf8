"""What goes into the Lambda assets, built on this machine without Docker.

The functions' code (`stage_function_code`): a copy of `functions/` and nothing else (deploy/, infra/ and the
tests stay out), plus the OpenAPI document assembled at deploy time, where `GET /openapi.json` reads it.

The dependencies layer (`PipLayerBundling`): pip downloads wheels for the Lambda platform (arm64, CPython 3.14)
instead of building in a container, which works because every runtime dependency publishes manylinux aarch64
wheels (or is pure Python).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import ILocalBundling

LAMBDA_PLATFORM = "manylinux2014_aarch64"


@jsii.implements(ILocalBundling)
class PipLayerBundling:
    def __init__(self, *, requirements: Path, constraints: Path, python_version: str) -> None:
        self.requirements, self.constraints, self.python_version = requirements, constraints, python_version

    def try_bundle(self, output_dir: str, *_: Any, **__: Any) -> bool:
        subprocess.run(
            [
                sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                "--platform", LAMBDA_PLATFORM, "--implementation", "cp", "--python-version", self.python_version,
                "--only-binary=:all:", "--requirement", str(self.requirements),
                # The versions the tests ran with: the lock pins every transitive dependency too.
                "--constraint", str(self.constraints),
                "--target", str(Path(output_dir) / "python"),
            ],
            check=True,
        )  # fmt: skip
        return True


def stage_function_code(functions: Path, folder: Path) -> Path:
    """`folder` made a copy of `functions` (without caches) with the API document written into it; returned."""
    from deploy.openapi import write_document
    from orders.service.api_document import PACKAGED

    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(functions, folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    write_document(folder / PACKAGED.relative_to(functions))
    return folder
