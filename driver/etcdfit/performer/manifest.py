"""performers/<name>/performer.yaml: strict loading."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import paths
from ..errors import ConfigError, UnknownPerformerError

_FIELDS = {
    "name": "performer name, same as its folder",
    "language": "implementation language",
    "sdk_package": "the SDK package under test",
    "default_version": "SDK version used when none is given",
    "versions": "every SDK version the source builds against",
    "build": "argv to build; placeholders {version} {out}",
    "run": "argv to run; placeholders {out} {listen} {version} {python} (the driver's own Python)",
}
_OPTIONAL = {
    "shared": "folders (relative to this one) the build copies in, e.g. [../python-kit]; "
    "absent: none. Their files count in the source digest, so editing them rebuilds",
    "sdk_packages": "version -> SDK package, for listed versions whose SDK lives under another "
    "name (clientv3 3.4 is go.etcd.io/etcd/clientv3); absent: sdk_package for every version",
}


@dataclass(frozen=True)
class Manifest:
    name: str
    language: str
    sdk_package: str
    default_version: str
    versions: tuple[str, ...]
    build: tuple[str, ...]
    run: tuple[str, ...]
    folder: Path
    shared: tuple[Path, ...] = ()
    sdk_packages: tuple[tuple[str, str], ...] = ()

    def package_for(self, version: str) -> str:
        """The SDK package a version is built from (`sdk_packages`, else `sdk_package`)."""
        return dict(self.sdk_packages).get(version, self.sdk_package)

    def out_dir(self, version: str) -> Path:
        """Where this version is built: one folder per source digest, so checkouts that share
        ETCDFIT_CACHE (git worktrees, say) with different performer sources never build over
        each other's output, and checkouts with the same sources share one build."""
        from .build import source_digest

        return paths.cache_dir() / "performers" / self.name / version / source_digest(self)

    def resolve_version(self, version: str | None) -> str:
        if version is None:
            return self.default_version
        if version not in self.versions:
            raise UnknownPerformerError(
                f"{self.name} has no SDK version {version!r}; known versions: "
                f"{', '.join(self.versions)} (see {self.folder / 'performer.yaml'})"
            )
        return version


def parse_spec(spec: str) -> tuple[str, str | None]:
    """'name@version' -> (name, version); 'name' -> (name, None)."""
    name, sep, version = spec.partition("@")
    return name, (version if sep else None)


def available(root: Path | None = None) -> list[str]:
    root = root or paths.performers_dir()
    return sorted(p.parent.name for p in root.glob("*/performer.yaml"))


def load(name: str, root: Path | None = None) -> Manifest:
    root = root or paths.performers_dir()
    path = root / name / "performer.yaml"
    if not path.exists():
        names = ", ".join(available(root)) or "none"
        raise UnknownPerformerError(
            f"unknown performer {name!r}: no {path}. Available performers: {names}."
        )
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path) from exc
    if not isinstance(data, dict):
        raise ConfigError("a manifest is a mapping of the fields " + ", ".join(_FIELDS), path)
    unknown = set(data) - _FIELDS.keys() - _OPTIONAL.keys()
    if unknown:
        valid = sorted([*_FIELDS, *_OPTIONAL])
        raise ConfigError(f"unknown field(s) {sorted(unknown)}; valid fields: {valid}", path)
    absent = _FIELDS.keys() - set(data)
    if absent:
        raise ConfigError(f"missing field(s) {sorted(absent)}", path)
    if data["name"] != name:
        raise ConfigError(f"name {data['name']!r} differs from the folder name {name!r}", path)
    versions = tuple(str(v) for v in data["versions"])
    if str(data["default_version"]) not in versions:
        raise ConfigError("default_version must be one of versions", path)
    for key in ("build", "run"):
        if not isinstance(data[key], list) or not all(isinstance(a, str) for a in data[key]):
            raise ConfigError(f"{key!r} must be a list of strings (an argv)", path)
    return Manifest(
        name=name,
        language=str(data["language"]),
        sdk_package=str(data["sdk_package"]),
        default_version=str(data["default_version"]),
        versions=versions,
        build=tuple(data["build"]),
        run=tuple(data["run"]),
        folder=path.parent,
        shared=_shared_folders(data.get("shared", []), path),
        sdk_packages=_sdk_packages(data.get("sdk_packages", {}), versions, path),
    )


def _sdk_packages(value: object, versions: tuple[str, ...], path: Path) -> tuple[tuple[str, str], ...]:
    """`sdk_packages:` -> (version, package) pairs, each version one of `versions`."""
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        raise ConfigError("'sdk_packages' must map versions to package names, "
                          "e.g. {\"3.4.25\": go.etcd.io/etcd/clientv3}", path)
    unknown = sorted(str(k) for k in value if str(k) not in versions)
    if unknown:
        raise ConfigError(f"'sdk_packages' names version(s) {unknown} not in versions {list(versions)}", path)
    return tuple(sorted((str(k), str(v)) for k, v in value.items()))


def _shared_folders(value: object, path: Path) -> tuple[Path, ...]:
    """`shared:` -> existing folders outside the performer's own, resolved."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError("'shared' must be a list of folder paths relative to the manifest, "
                          "e.g. [../python-kit]", path)
    folders = []
    for rel in value:
        folder = (path.parent / rel).resolve()
        if not folder.is_dir():
            raise ConfigError(f"shared folder {rel!r} does not exist ({folder})", path)
        if folder == path.parent.resolve() or path.parent.resolve() in folder.parents:
            raise ConfigError(f"shared folder {rel!r} is inside the performer's own folder, "
                              "which is hashed already", path)
        folders.append(folder)
    return tuple(folders)
