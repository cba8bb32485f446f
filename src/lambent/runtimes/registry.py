"""Which host installation runs a Lambda runtime identifier, and what it needs to start."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lambent.runtimes.discovery import Installation


class Language(enum.Enum):
    PYTHON = "python"
    NODEJS = "nodejs"
    PROVIDED = "provided"


_IDENTIFIER = re.compile(r"^(python|nodejs)(\d+)(?:\.(\d+|x))?$")


class RuntimeUnavailable(Exception):
    """The host cannot run this runtime; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class RuntimeChoice:
    """How one runtime identifier runs here.

    ``warning`` is set when the host lacks the exact version and a neighbour stands in:
    every cold start writes it into the function's log, so the substitution is never
    silent.
    """

    identifier: str
    language: Language
    installation: Installation | None
    #: Mounted at /var/runtime: the runtime interface client and the runtime's SDK.
    runtime_dir: Path | None
    warning: str | None


def parse(identifier: str) -> tuple[Language, tuple[int, ...]]:
    if identifier.startswith("provided"):
        return Language.PROVIDED, ()
    match = _IDENTIFIER.match(identifier)
    if match is None:
        raise RuntimeUnavailable(f"Lambent does not support the runtime {identifier}.")
    minor = match[3]
    version = (int(match[2]),) if minor in (None, "x") else (int(match[2]), int(minor))
    return Language(match[1]), version


def _nearest(
    wanted: tuple[int, ...], available: dict[tuple[int, int], Installation]
) -> Installation | None:
    if not available:
        return None
    width = len(wanted)

    def distance(version: tuple[int, int]) -> tuple[int, int]:
        gap = [abs(a - b) for a, b in zip(version[:width], wanted, strict=True)]
        return (sum(gap[:-1]) * 1000 + gap[-1], -version[0] * 1000 - version[1])

    return available[min(available, key=distance)]


def nodejs_bootstrap_dir() -> Path:
    """The Node.js runtime interface client Lambent ships (mounted at /var/runtime)."""
    return Path(str(resources.files("lambent.runtimes") / "nodejs"))


#: Runtime identifiers come from the model's enum (a few dozen); bound it anyway.
_CHOICES_KEPT = 256


class RuntimeRegistry:
    def __init__(
        self,
        runtimes_dir: Path,
        pythons: dict[tuple[int, int], Installation],
        node: Installation | None,
        strict: bool,
    ) -> None:
        self._runtimes_dir = runtimes_dir
        self._pythons = {v: i for v, i in pythons.items() if self._python_dir(v).is_dir()}
        self._node = node
        self._strict = strict
        #: Every invocation asks: the answer (a choice or the refusal) never changes.
        self._chosen: dict[str, RuntimeChoice | RuntimeUnavailable] = {}

    @property
    def python_versions(self) -> tuple[tuple[int, int], ...]:
        """The interpreters that have Lambent's runtime client installed, oldest first."""
        return tuple(sorted(self._pythons))

    @property
    def nodejs_version(self) -> int | None:
        """The major version of the Node.js installation, if there is one."""
        return None if self._node is None else self._node.version[0]

    def _python_dir(self, version: tuple[int, int]) -> Path:
        return self._runtimes_dir / f"python{version[0]}.{version[1]}"

    def choose(self, identifier: str) -> RuntimeChoice:
        """How ``identifier`` runs here; ``RuntimeUnavailable`` if it cannot."""
        chosen = self._chosen.get(identifier)
        if chosen is None:
            try:
                chosen = self._choose(identifier)
            except RuntimeUnavailable as e:
                chosen = e
            if len(self._chosen) < _CHOICES_KEPT:
                self._chosen[identifier] = chosen
        if isinstance(chosen, RuntimeUnavailable):
            raise RuntimeUnavailable(str(chosen))
        return chosen

    def _choose(self, identifier: str) -> RuntimeChoice:
        language, version = parse(identifier)
        if language is Language.PROVIDED:
            return RuntimeChoice(identifier, language, None, None, None)
        if language is Language.PYTHON:
            exact = self._pythons.get((version[0], version[1]))
            chosen = exact or _nearest(version, self._pythons)
            runtime_dir = None if chosen is None else self._python_dir(chosen.version)
            actual = None if chosen is None else f"python{chosen.version[0]}.{chosen.version[1]}"
        else:
            node = self._node
            exact = node if node is not None and node.version[0] == version[0] else None
            chosen = node
            runtime_dir = nodejs_bootstrap_dir()
            actual = None if node is None else f"nodejs{node.version[0]}.x"
        if chosen is None:
            raise RuntimeUnavailable(
                f"The runtime {identifier} cannot run on this host: no {language.value} "
                "installation with Lambent's runtime client was found (see `lambent runtimes`)."
            )
        warning = None
        if exact is None:
            if self._strict:
                raise RuntimeUnavailable(
                    f"The runtime {identifier} is not installed on this host (nearest: {actual}) "
                    "and --strict-runtimes forbids substituting it."
                )
            warning = (
                f"WARNING Lambent: runtime {identifier} is not installed on this host; "
                f"running on {actual} instead."
            )
        return RuntimeChoice(identifier, language, chosen, runtime_dir, warning)
