# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""A stand-in for Servo's root Cargo.toml, so that the tree can hold the crates' own manifests.

The tree holds each patched crate as a Servo checkout has it: its original, workspace-style
manifest (`servo-base = { workspace = true }`, `version.workspace = true`), which crates.io
keeps as `Cargo.toml.orig`. The patch series is written against those manifests, so it applies
to a real checkout and to the tree alike. Servo's root manifest is not published, so mach
derives the part the members inherit from the published, normalized manifests, which cargo
wrote by resolving exactly that inheritance: for every `workspace = true` entry, the
normalized manifest holds the result.

The derivation is checked: every member's dependencies, resolved against the stand-in, must
come out as the normalized manifest says, or mach stops and names the entry.
"""

import json
import re
import tomllib

DEPENDENCY_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")


class StandInError(Exception):
    pass


def _dependency_tables(manifest):
    """Yields (label, path) for the manifest's dependency tables, target-specific ones too:
    `path` is the keys that lead to the table, the same in the normalized manifest."""
    for kind in DEPENDENCY_TABLES:
        if kind in manifest:
            yield kind, (kind,)
    for cfg, target in manifest.get("target", {}).items():
        for kind in DEPENDENCY_TABLES:
            if kind in target:
                yield f"target.{cfg}.{kind}", ("target", cfg, kind)


def _table_at(manifest, path):
    for key in path:
        manifest = manifest.get(key, {})
    return manifest


def _as_table(entry):
    return {"version": entry} if isinstance(entry, str) else dict(entry)


def derive(crates, extra_dependencies=()):
    """`crates` maps a package name to (original manifest text, normalized manifest text).
    `extra_dependencies` are (key, entry) pairs for keys only new crates inherit.
    Returns (package, lints, dependencies) for `[workspace.*]`."""
    package, lints = {}, None
    uses = {}  # key -> [(crate, label, local entry, normalized entry)]
    for name, (orig_text, norm_text) in sorted(crates.items()):
        orig, norm = tomllib.loads(orig_text), tomllib.loads(norm_text)
        for field, value in orig.get("package", {}).items():
            if value == {"workspace": True}:
                resolved = norm["package"].get(field)
                if resolved is None:
                    raise StandInError(f"{name}: package.{field} is inherited but not published")
                if package.setdefault(field, resolved) != resolved:
                    raise StandInError(f"{name}: package.{field} differs between crates")
        if orig.get("lints") == {"workspace": True}:
            if lints is not None and lints != norm.get("lints", {}):
                raise StandInError(f"{name}: its lints differ from another crate's")
            lints = norm.get("lints", {})
        for label, path in _dependency_tables(orig):
            normalized = _table_at(norm, path)
            for key, entry in _table_at(orig, path).items():
                if isinstance(entry, dict) and entry.get("workspace") is True:
                    if key not in normalized:
                        raise StandInError(f"{name}: {label}.{key} is missing from its published manifest")
                    uses.setdefault(key, []).append(
                        (name, label, entry, _as_table(normalized[key])))

    dependencies = {}
    for key, entries in sorted(uses.items()):
        versions = {n.get("version") for _, _, _, n in entries}
        packages = {n.get("package") for _, _, _, n in entries}
        if len(versions) != 1 or len(packages) != 1:
            raise StandInError(f"`{key}` resolves to different crates in different members")
        entry = {"version": versions.pop()}
        if packages != {None}:
            entry["package"] = packages.pop()
        # A feature every member ends up with may come from the workspace; any other is local.
        common = set.intersection(*(set(n.get("features", [])) for _, _, _, n in entries))
        if common:
            entry["features"] = sorted(common)
        # A member cannot turn default features off when the workspace entry leaves them on,
        # so a member published without them means the workspace entry has them off.
        if any(n.get("default-features") is False for _, _, _, n in entries):
            entry["default-features"] = False
        for crate, label, local, normalized in entries:
            _check_resolution(crate, label, key, entry, local, normalized)
        dependencies[key] = entry
    for key, entry in extra_dependencies:
        dependencies.setdefault(key, _as_table(entry))
    return package, lints or {}, dependencies


def _check_resolution(crate, label, key, workspace, local, normalized):
    """Cargo's inheritance: features add up; default features are on when the workspace entry
    leaves them on, and otherwise only when the member turns them back on."""
    features = set(workspace.get("features", [])) | set(local.get("features", []))
    defaults = workspace.get("default-features", True) or local.get("default-features") is True
    if features != set(normalized.get("features", [])) or defaults != normalized.get(
        "default-features", True
    ):
        raise StandInError(
            f"{crate}: {label}.{key} would not resolve as published "
            f"(features {sorted(features)}, default features {defaults})"
        )


def _key(key):
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise StandInError(f"cannot write {value!r} as TOML")


def root_manifest(members, crates, extra_dependencies=()):
    """The text of the stand-in root manifest for a tree whose crates sit at `members`."""
    package, lints, dependencies = derive(crates, extra_dependencies)
    lines = [
        "# A stand-in for Servo's root Cargo.toml, which crates.io does not publish: mach derived",
        "# what the members inherit from their published manifests. Not part of the patch series.",
        "[workspace]",
        'resolver = "2"',
        "members = [" + ", ".join(_value(m) for m in sorted(members)) + "]",
        "",
        "[workspace.package]",
    ]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in sorted(package.items())]
    lines += ["", "[workspace.dependencies]"]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in dependencies.items()]
    for tool, table in sorted(lints.items()):
        lines += ["", f"[workspace.lints.{_key(tool)}]"]
        lines += [f"{_key(k)} = {_value(v)}" for k, v in sorted(table.items())]
    return "\n".join(lines) + "\n"
