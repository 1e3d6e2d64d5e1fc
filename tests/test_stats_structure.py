"""How the statistics package is put together: a leaf of shared names, importers that only import, no import
hidden inside a function, and per-app memos."""
from __future__ import annotations

import ast
from pathlib import Path

from memorials import create_app
from memorials.states import STATES
from memorials.stats import indicators, publish

PACKAGE = Path(__file__).resolve().parent.parent / "memorials" / "stats"


def imports_of(path: Path) -> list[tuple[ast.AST, str, int]]:
    """(the import node, the module it names, its level) for every import in a file, with the function around it."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node, alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node, node.module or "", node.level))
    return found


def test_shared_names_live_in_a_leaf_that_imports_nothing_of_ours():
    ours = [name for _, name, level in imports_of(PACKAGE / "indicators.py") if level or name.startswith("memorials")]
    assert ours == []
    # The places with a page are the nation, the states, DC and Puerto Rico, in memorials/states.py's order.
    assert list(indicators.PAGE_CODES) == ["US"] + [c for c in STATES if c not in {"AS", "GU", "MP", "VI"}]
    assert len(indicators.STATE_CODES) == 51 and "PR" not in indicators.STATE_CODES


def test_no_import_inside_a_function_in_the_statistics_package():
    hidden = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                hidden += [f"{path.name}:{n.lineno} in {function.name}" for n in ast.walk(function)
                           if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert hidden == []


def test_importers_only_import():
    """The importers never publish nor commit: the commands (and init-db's loader) do, afterwards."""
    for name in ("importer.py", "longview.py"):
        source = (PACKAGE / name).read_text()
        assert "publish" not in {n for _, n, _ in imports_of(PACKAGE / name)}
        assert ".commit()" not in source and "refresh" not in source, name
    assert "publish.refresh()" in (PACKAGE / "commands.py").read_text()
    assert "publish.refresh()" in (PACKAGE / "snapshot.py").read_text()


def test_shared_names_are_imported_from_the_leaf_only():
    """No module takes indicators' names through another statistics module (no "kept importable from here")."""
    shared = {name for name in vars(indicators) if name.isupper()}
    found = []
    for path in sorted((PACKAGE.parent).rglob("*.py")):
        for node, module, level in imports_of(path):
            if isinstance(node, ast.ImportFrom) and "stats" in (module or "").split(".") + (
                    ["stats"] if level and path.parent == PACKAGE else []) and not module.endswith("indicators"):
                found += [f"{path.name}: {alias.name} from {module}" for alias in node.names if alias.name in shared]
    assert found == []


def test_each_app_keeps_its_own_memos(tmp_path):
    apps = [create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/{n}.sqlite3",
                        "INSTANCE_PATH": str(tmp_path / str(n)), "SECRET_KEY": "x"}) for n in range(2)]
    first, second = (publish.memos(app) for app in apps)
    assert first is not second and publish.memos(apps[0]) is first
    first.put("rendered", ("US", "name"), {"content": "kept"})
    assert first.get("rendered", ("US", "name")) == {"content": "kept"}
    assert second.get("rendered", ("US", "name")) is None
    with apps[1].app_context():
        assert publish.memos() is second
    # Least recently used goes first, at the size given.
    small = publish.Memos(size=2)
    for n in range(3):
        small.put("parsed", n, n)
    assert small.get("parsed", 0) is None and small.get("parsed", 2) == 2
    small.clear()
    assert small.get("parsed", 2) is None
