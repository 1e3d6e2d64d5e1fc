"""How the code holds together: no import cycles between modules or packages, and no import hidden inside a
function (but for a heavy library used rarely), so a module's dependencies are at its top for anyone to read."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "memorials"
# Heavy libraries a few rare requests need (a PDF, an S3 client): imported where they are used.
HEAVY = {"fpdf", "boto3", "botocore"}
# Our own modules that only wrap one of them (the S3 store, the letters' PDF).
WRAPPERS = {"memorials.storage.s3", "memorials.letters.pdf"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _resolve(module: str, is_package: bool, node: ast.ImportFrom, modules: dict) -> list[str]:
    """What `from X import a, b` depends on: the submodules X.a and X.b where they are modules, else X itself
    (importing a submodule only runs its packages' __init__, which import nothing of theirs back)."""
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".")
        keep = len(parts) - node.level + (1 if is_package else 0)
        base = ".".join(parts[:keep] + ([node.module] if node.module else []))
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        for node in tree.body:   # what the module imports when it is imported
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                targets = _resolve(name, path.name == "__init__.py", node, modules)
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_another_that_imports_it_back():
    assert _cycles(_graph()) == [], "\n".join(" <-> ".join(c) for c in _cycles(_graph()))


def test_no_import_hides_inside_a_function():
    hidden = []
    for name, path in sorted(_modules().items()):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import):
                        roots = {alias.name.split(".")[0] for alias in inner.names}
                    elif isinstance(inner, ast.ImportFrom):
                        if inner.level and set(_resolve(name, path.name == "__init__.py", inner, _modules())) <= WRAPPERS:
                            continue
                        roots = {(inner.module or "").split(".")[0]} if inner.level == 0 else {"memorials"}
                    else:
                        continue
                    if not roots <= HEAVY:
                        hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert hidden == [], "\n".join(hidden)


def test_every_per_process_cache_is_the_one_lru():
    """memorials/lru.py is the site's one least-recently-used store: no other module builds its own (an
    OrderedDict moved to the end, or cachetools used directly)."""
    own = []
    for name, path in sorted(_modules().items()):
        if name == "memorials.lru":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in ("cachetools", "collections") and \
                    any(alias.name in ("LRUCache", "TTLCache", "OrderedDict") for alias in node.names):
                own.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.Import) and any(alias.name == "cachetools" for alias in node.names):
                own.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.Attribute) and node.attr == "move_to_end":
                own.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert own == [], "\n".join(own)


def test_the_walk_finds_a_cycle_when_there_is_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
