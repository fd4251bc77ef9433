"""A wheel of the running stances, for `stances init` to put in a new explainer's vendor/.

stances is not on a package index, so a new site's workflows could not install it by name. The site
carries the stances that made it instead: a wheel (a zip of the package's files, with the .dist-info
that pip reads: METADATA, WHEEL, entry_points.txt and a RECORD of sha256 hashes) that its
requirements.txt names; pip fetches the dependencies from PyPI. The files are the running package's,
wherever it is installed or checked out, its default templates and assets at stances/templates and
stances/assets, as in the wheel `pip install .` builds. The bytes depend on nothing but those files,
so writing it again for the same stances changes nothing in the site's history.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from importlib import metadata
from pathlib import Path

from . import __version__
from .files import PACKAGE, default_folder

NAME = "stances"
DEFAULTS = ("templates", "assets")  # inside the package when installed, beside it in a checkout


def file_name(version: str = __version__) -> str:
    return f"{NAME}-{version}-py3-none-any.whl"


def shipped(inside: Path) -> bool:
    """Not compiled bytecode, nor a tool's hidden file or folder (.mypy_cache/, .DS_Store) in a checkout."""
    return not any(part == "__pycache__" or part.startswith(".") for part in inside.parts) \
        and inside.suffix != ".pyc"


def package_files() -> dict[str, Path]:
    """Each file the package is made of, by its path inside the wheel."""
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*")):
        inside = path.relative_to(PACKAGE)
        if inside.parts[0] in DEFAULTS or not shipped(inside) or not path.is_file():
            continue
        found[f"{NAME}/{inside.as_posix()}"] = path
    for name in DEFAULTS:
        folder = default_folder(name)
        for path in sorted(folder.rglob("*")):
            if path.is_file() and shipped(path.relative_to(folder)):
                found[f"{NAME}/{name}/{path.relative_to(folder).as_posix()}"] = path
    return found


def project() -> dict:
    """Name, summary, Python and dependencies: the installed distribution's, if it is this version;
    else, in a checkout that was never installed, pyproject.toml's."""
    try:
        installed = metadata.distribution(NAME)
    except metadata.PackageNotFoundError:
        installed = None
    if installed is not None and installed.version == __version__:
        fields = installed.metadata
        return {"summary": fields["Summary"] or "", "python": fields["Requires-Python"] or "",
                "requires": [line for line in installed.requires or [] if "extra ==" not in line],
                "scripts": {point.name: point.value for point in installed.entry_points
                            if point.group == "console_scripts"}}
    import tomllib

    declared = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {"summary": declared.get("description", ""), "python": declared.get("requires-python", ""),
            "requires": declared.get("dependencies", []), "scripts": declared.get("scripts", {})}


def dist_info(about: dict) -> dict[str, bytes]:
    lines = ["Metadata-Version: 2.1", f"Name: {NAME}", f"Version: {__version__}", f"Summary: {about['summary']}"]
    if about["python"]:
        lines.append(f"Requires-Python: {about['python']}")
    lines += [f"Requires-Dist: {requirement}" for requirement in about["requires"]]
    wheel = ["Wheel-Version: 1.0", f"Generator: stances {__version__}", "Root-Is-Purelib: true",
             "Tag: py3-none-any"]
    scripts = ["[console_scripts]", *(f"{name} = {target}" for name, target in sorted(about["scripts"].items()))]
    return {name: ("\n".join(text) + "\n").encode("utf-8")
            for name, text in (("METADATA", lines), ("WHEEL", wheel), ("entry_points.txt", scripts))}


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{name},sha256={digest},{len(data)}"


def write(folder: Path) -> Path:
    """Write the wheel of this stances into folder; return its path."""
    info = f"{NAME}-{__version__}.dist-info"
    entries = {name: path.read_bytes() for name, path in package_files().items()}
    entries.update({f"{info}/{name}": data for name, data in dist_info(project()).items()})
    record = [record_line(name, data) for name, data in entries.items()] + [f"{info}/RECORD,,"]
    entries[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode("utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries.items():  # the package, then its .dist-info, RECORD last
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return path
