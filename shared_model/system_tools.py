"""The system commands the servers, tests and benchmarks run, each found on PATH or refused with the command that installs it.

`requirements/system.txt` lists them with their Debian packages; `make system-packages` (a prerequisite of
`make test` and `make bench`) installs what is missing. Looking a command up here, rather than with
`shutil.which` at the call site, is what lets a test prove that every command used is installed by the targets.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

SYSTEM_PACKAGES = Path(__file__).resolve().parent.parent / "requirements" / "system.txt"
INSTALL_TARGET = "make system-packages"
SYSTEM_BIN = "/usr/sbin:/sbin"


class SystemToolMissing(RuntimeError):
    """A system command is not on PATH; the message names the package and how to install it."""


@dataclass(frozen=True, slots=True)
class SystemTool:
    """A command and the Debian package that provides it."""

    command: str
    package: str

    def path(self) -> str:
        """The command's path, or SystemToolMissing saying how to install it."""
        # Debian puts daemons such as nginx in /usr/sbin, which is not on every user's PATH.
        found = shutil.which(self.command) or shutil.which(self.command, path=SYSTEM_BIN)
        if found is None:
            raise SystemToolMissing(
                f"`{self.command}` is not installed (Debian package {self.package}). Install it with:\n"
                f"    {INSTALL_TARGET}   (it runs: apt-get update && apt-get install -y "
                f"--no-install-recommends {self.package})"
            )
        return found


def read_system_packages(path: Path = SYSTEM_PACKAGES) -> dict[str, SystemTool]:
    """The tools listed in `path`, by command (comments and blank lines ignored)."""
    tools: dict[str, SystemTool] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 2:
            raise ValueError(f"{path}:{number}: expected `COMMAND PACKAGE`, got {line!r}")
        tools[words[0]] = SystemTool(words[0], words[1])
    return tools


SYSTEM_TOOLS = read_system_packages()


def tool_path(command: str) -> str:
    """The path of a listed system command, or SystemToolMissing; a command not listed is a programming error."""
    return SYSTEM_TOOLS[command].path()


def installed(command: str) -> bool:
    """Whether a listed system command is installed."""
    try:
        SYSTEM_TOOLS[command].path()
    except SystemToolMissing:
        return False
    return True
