#!/usr/bin/env python3
"""Checks the bundled recipes offline.

Validates every recipes/*.yaml against docs/recipe.schema.json, then checks what a
schema cannot say: the file name equals the id; input, secret and component names are
unique; every ${input.X} / ${secret.X} used is declared (and every declared one is used);
every ${component.X.host|port} names a component (with a `port` for `.port`); templates
appear only where they are rendered; web/health entries name existing components and
services; depends_on targets exist and `service_healthy` points at a service with a
healthcheck; no two services of a component publish the same host port.

Prints `file: path: message` per problem and exits 1 if there is any.
Usage: python3 recipes/check-schema.py [FILE_OR_DIR ...]   (default: the recipes folder)
Needs python3-yaml and python3-jsonschema (deploy/dev/install-prereqs.sh installs them).
"""

import json
import re
import sys
from pathlib import Path

try:
    import yaml
    import jsonschema
except ImportError as exc:  # pragma: no cover
    sys.exit(f"check-schema.py: {exc.name} is missing (apt-get install python3-yaml python3-jsonschema)")

HERE = Path(__file__).resolve().parent
SCHEMA_PATH = HERE.parent / "docs" / "recipe.schema.json"
MAX_BYTES = 1024 * 1024

DEPLOYMENT_VARS = {"name", "id", "timezone", "uid", "gid", "domain"}


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML silently keeps the last)."""


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen[key] = True
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def fmt_path(parts):
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "(root)"


def template_vars(text):
    """Yields the contents of each ${...} in text, honouring $$ as a literal $."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "$" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "$":
                i += 2
                continue
            if nxt == "{":
                end = text.find("}", i + 2)
                if end < 0:
                    yield text[i + 2:], False
                    return
                yield text[i + 2:end], True
                i = end + 1
                continue
        i += 1


def walk_strings(value, path):
    """Yields (path, string) for every string (keys of mappings included) below value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield path + [k], k
            yield from walk_strings(v, path + [k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk_strings(v, path + [i])


def published_ports(service):
    """Host ports a service publishes, as (port, protocol) with templated values kept as text."""
    out = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            if "published" in entry:
                out.append((str(entry["published"]), entry.get("protocol", "tcp")))
            continue
        text = str(entry)
        proto = "tcp"
        if "/" in text:
            text, proto = text.rsplit("/", 1)
        # [host_ip:][published:]target ; templates contain no ':' of their own here
        parts = re.split(r":(?![^{]*\})", text)
        if len(parts) >= 2:
            out.append((parts[-2], proto))
    return out


SAMPLES = {"text": "sample", "password": "sample", "email": "admin@example.com", "boolean": "false",
           "fqdn": "app.example.com", "ip": "192.0.2.1", "url": "https://app.example.com", "port": "8080"}


def input_sample(item):
    """The value the loader's checks (and the catalog test) use for an input without a default."""
    kind = item.get("type")
    if kind == "number":
        return str(item.get("min", 1))
    if kind == "select":
        return (item.get("options") or [""])[0]
    if kind == "random":
        return "x" * int(item.get("length", 32))
    return SAMPLES.get(kind, "sample")


def check_input_values(item, where, add):
    """A default must match the input's regex; so must the sample the loader renders a required input with."""
    pattern = item.get("regex")
    if not isinstance(pattern, str):
        return
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        add(where + ["regex"], f'"{pattern}" is not a regular expression: {exc}')
        return
    if "default" in item and item["default"] is not None:
        value = item["default"]
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if not regex.fullmatch(text):
            add(where + ["default"], f'"{text}" does not match {pattern}')
    elif item.get("required") and item.get("type") != "random":
        sample = input_sample(item)
        if not regex.fullmatch(sample):
            add(where + ["regex"], f'a required input without a default is checked with the sample "{sample}", '
                                   f"which does not match {pattern}: give a default or loosen the regex")


def check_recipe(path, data, validator):
    problems = []

    def add(where, msg):
        problems.append(f"{path}: {fmt_path(where) if isinstance(where, list) else where}: {msg}")

    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        add(list(err.absolute_path), err.message)
    if not isinstance(data, dict):
        return problems

    rid = data.get("id")
    if isinstance(rid, str) and rid != path.stem:
        add(["id"], f'"{rid}" does not equal the file name "{path.stem}"')

    def names(key):
        seen, dups = [], []
        for i, item in enumerate(data.get(key) or []):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                if item["name"] in seen:
                    dups.append((i, item["name"]))
                seen.append(item["name"])
        for i, name in dups:
            add([key, i, "name"], f'"{name}" is declared twice')
        return seen

    inputs = names("inputs")
    for i, item in enumerate(data.get("inputs") or []):
        if isinstance(item, dict):
            check_input_values(item, ["inputs", i], add)
    secrets = names("secrets")
    comps = [c for c in (data.get("components") or []) if isinstance(c, dict)]
    comp_names = names("components")
    comp_by_name = {c.get("name"): c for c in comps}
    used_inputs, used_secrets = set(), set()

    def check_templates(where, text):
        for var, closed in template_vars(text):
            if not closed:
                add(where, f'unterminated "${{{var}"')
                continue
            parts = var.split(".")
            if parts[0] == "input" and len(parts) == 2:
                if parts[1] not in inputs:
                    add(where, f'${{{var}}}: no input "{parts[1]}" is declared')
                used_inputs.add(parts[1])
            elif parts[0] == "secret" and len(parts) == 2:
                if parts[1] not in secrets:
                    add(where, f'${{{var}}}: no secret "{parts[1]}" is declared')
                used_secrets.add(parts[1])
            elif parts[0] == "deployment" and len(parts) == 2 and parts[1] in DEPLOYMENT_VARS:
                pass
            elif parts[0] == "component" and len(parts) == 3 and parts[2] in ("host", "port"):
                if parts[1] not in comp_names:
                    add(where, f'${{{var}}}: no component "{parts[1]}"')
                elif parts[2] == "port" and "port" not in comp_by_name[parts[1]]:
                    add(where, f'${{{var}}}: component "{parts[1]}" has no port')
            else:
                add(where, f'${{{var}}} is not a variable (input.NAME, secret.NAME, '
                           'deployment.name|id|timezone|uid|gid|domain, component.NAME.host|port)')

    # Where templates are rendered, and where they are not.
    rendered_roots = []
    for ci, comp in enumerate(comps):
        if "port" in comp:
            rendered_roots.append((["components", ci, "port"], comp["port"]))
        if "compose" in comp:
            rendered_roots.append((["components", ci, "compose"], comp["compose"]))
    web = data.get("web") if isinstance(data.get("web"), dict) else None
    if web:
        for key in ("port", "path"):
            if key in web:
                rendered_roots.append((["web", key], web[key]))
    for key in ("health", "notes"):
        if key in data:
            rendered_roots.append(([key], data[key]))
    rendered_ids = {id(v) for _, v in rendered_roots}

    for root, value in rendered_roots:
        for where, text in walk_strings(value, root):
            check_templates(where, text)

    def unrendered(value, where):
        if id(value) in rendered_ids:
            return
        if isinstance(value, str):
            if any(closed for _, closed in template_vars(value)):
                add(where, "templates are not rendered here")
        elif isinstance(value, dict):
            for k, v in value.items():
                unrendered(v, where + [k])
        elif isinstance(value, list):
            for i, v in enumerate(value):
                unrendered(v, where + [i])

    for key, value in data.items():
        unrendered(value, [key])

    for i, name in enumerate(inputs):
        if name not in used_inputs:
            add(["inputs", i, "name"], f'input "{name}" is never used')
    for i, name in enumerate(secrets):
        if name not in used_secrets:
            add(["secrets", i, "name"], f'secret "{name}" is never used')

    # Services, depends_on, published ports.
    for ci, comp in enumerate(comps):
        compose = comp.get("compose") if isinstance(comp.get("compose"), dict) else {}
        services = compose.get("services") if isinstance(compose.get("services"), dict) else {}
        volumes = compose.get("volumes") if isinstance(compose.get("volumes"), dict) else {}
        seen_ports = {}
        for sname, svc in services.items():
            if not isinstance(svc, dict):
                continue
            base = ["components", ci, "compose", "services", sname]
            deps = svc.get("depends_on")
            dep_items = deps.items() if isinstance(deps, dict) else ((d, {}) for d in (deps or []))
            for dep, cond in dep_items:
                if dep not in services:
                    add(base + ["depends_on", dep], f'unknown service "{dep}"')
                elif dep == sname:
                    add(base + ["depends_on", dep], "a service cannot depend on itself")
                elif isinstance(cond, dict) and cond.get("condition") == "service_healthy":
                    hc = services[dep].get("healthcheck") if isinstance(services[dep], dict) else None
                    if not hc or hc.get("disable") is True:
                        add(base + ["depends_on", dep],
                            f'service_healthy towards "{dep}", which has no healthcheck here '
                            "(declare one in the recipe)")
            for vi, vol in enumerate(svc.get("volumes") or []):
                if isinstance(vol, str):
                    src = vol.split(":", 1)[0] if ":" in vol else None
                    if src and not src.startswith(("/", ".", "$")) and src not in volumes:
                        add(base + ["volumes", vi], f'named volume "{src}" is not declared under volumes')
                elif isinstance(vol, dict) and vol.get("type") == "volume":
                    if vol.get("source") not in volumes:
                        add(base + ["volumes", vi], f'named volume "{vol.get("source")}" is not declared')
            if svc.get("network_mode") == "host" and svc.get("ports"):
                add(base + ["ports"], "ports are ignored with network_mode: host")
            for port, proto in published_ports(svc):
                key = (port, proto)
                if key in seen_ports:
                    add(base + ["ports"], f"host port {port}/{proto} is also published by {seen_ports[key]}")
                seen_ports[key] = sname

    def check_ref(where, entry, needs_component):
        cname = entry.get("component")
        if cname is None:
            if needs_component and len(comps) > 1:
                add(where, "component is required when there are several components")
            comp = comps[0] if comps else None
        elif cname not in comp_names:
            add(where + ["component"], f'no component "{cname}"')
            return
        else:
            comp = comp_by_name[cname]
        if comp is None:
            return
        services = (comp.get("compose") or {}).get("services") or {}
        sname = entry.get("service")
        if sname is None:
            if len(services) > 1:
                add(where, f'service is required: component "{comp.get("name")}" has several services')
        elif sname not in services:
            add(where + ["service"], f'no service "{sname}" in component "{comp.get("name")}"')

    if web:
        check_ref(["web"], web, True)
    for hi, entry in enumerate(data.get("health") or []):
        if isinstance(entry, dict):
            check_ref(["health", hi], entry, True)

    return problems


def main(argv):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    targets = [Path(a) for a in argv] or [HERE]
    files = []
    for t in targets:
        files.extend(sorted(t.glob("*.yaml")) if t.is_dir() else [t])

    problems = []
    ids = {}
    for f in files:
        shown = f.relative_to(Path.cwd()) if f.is_absolute() and f.is_relative_to(Path.cwd()) else f
        raw = f.read_bytes()
        if len(raw) > MAX_BYTES:
            problems.append(f"{shown}: (root): larger than 1 MiB")
            continue
        try:
            data = yaml.load(raw.decode("utf-8"), Loader=UniqueKeyLoader)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{mark.line + 1}:{mark.column + 1}" if mark else "(root)"
            problems.append(f"{shown}: {where}: {getattr(exc, 'problem', None) or exc}")
            continue
        problems.extend(check_recipe(shown, data, validator))
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            if data["id"] in ids:
                problems.append(f"{shown}: id: \"{data['id']}\" is also the id of {ids[data['id']]}")
            ids[data["id"]] = shown

    for p in problems:
        print(p)
    print(f"{len(files)} recipes checked, {len(problems)} problems", file=sys.stderr)
    return 1 if problems or not files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
