"""The layout the design names: subpackages that show the layers, no import cycle (lazy imports included), all
SPARQL of the core in .rq files, and docs/architecture.md naming every package."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"l4a.graph": ROOT / "graph", "l4a.web": ROOT / "web"}


def module_files() -> dict[str, Path]:
    """Every module of l4a.graph and l4a.web by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([package, *parts])] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports anywhere in its text (inside functions too), and their parent packages."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            parts = target.split(".")
            for i in range(2, len(parts) + 1):  # importing a.b.c runs the packages a.b and a.b.c too
                found.add(".".join(parts[:i]))
    found.discard(name)
    return {m for m in found if m in known}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def import_graph() -> dict[str, set[str]]:
    files = module_files()
    return {name: imports_of(name, path, set(files)) for name, path in files.items()}


def test_no_import_cycle_lazy_imports_included() -> None:
    assert cycles(import_graph()) == []


def test_cycle_finder_finds_a_lazy_cycle(tmp_path: Path) -> None:
    """The check itself can fail: two modules importing each other, one of them inside a function."""
    (tmp_path / "a.py").write_text("from l4a.graph.b import x\n")
    (tmp_path / "b.py").write_text("def f():\n    from l4a.graph.a import y\n")
    known = {"l4a.graph", "l4a.graph.a", "l4a.graph.b"}
    graph = {
        "l4a.graph.a": imports_of("l4a.graph.a", tmp_path / "a.py", known),
        "l4a.graph.b": imports_of("l4a.graph.b", tmp_path / "b.py", known),
        "l4a.graph": set(),
    }
    assert cycles(graph) == [["l4a.graph.a", "l4a.graph.b"]]


def test_the_core_never_imports_the_web() -> None:
    offenders = {m: sorted(d for d in deps if d.startswith("l4a.web"))
                 for m, deps in import_graph().items() if m.startswith("l4a.graph") and m != "l4a.graph.cli.serve"}
    assert {m: d for m, d in offenders.items() if d} == {}


def test_at_most_fifteen_modules_at_the_top_of_graph() -> None:
    top = sorted(p.name for p in (ROOT / "graph").glob("*.py"))
    assert len(top) <= 15, top


def test_every_subpackage_says_what_it_owns() -> None:
    for init in [*(ROOT / "graph").glob("*/__init__.py"), *(ROOT / "web").glob("*/__init__.py")]:
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "import" in doc, f"{init.relative_to(ROOT)}: a docstring saying what it owns and may import"


def test_no_prefix_line_in_python_outside_namespaces() -> None:
    prefix = re.compile(r"^\s*PREFIX\s+\w*:", re.IGNORECASE | re.MULTILINE)
    offenders = [
        str(p.relative_to(ROOT))
        for folder in PACKAGES.values()
        for p in folder.rglob("*.py")
        if p.name != "namespaces.py" and prefix.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_architecture_doc_names_every_package() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = [f"graph/{p.parent.name}/" for p in (ROOT / "graph").glob("*/__init__.py")]
    packages += [f"web/{p.parent.name}/" for p in (ROOT / "web").glob("*/__init__.py")]
    missing = [p for p in packages if p not in doc]
    assert missing == []
    named = set(re.findall(r"`((?:graph|web)/\w+/)`", doc))
    assert named <= set(packages), f"docs/architecture.md names packages that do not exist: {named - set(packages)}"
