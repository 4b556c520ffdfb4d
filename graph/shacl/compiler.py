"""Compile the supported SHACL constraints into SPARQL queries that find every violating value at once.

Each check is a SELECT returning ?this (the focus node) and, where there is one, ?value. A check runs over the
whole store (focus nodes found through the targets) or over one named graph (focus nodes whose target triple
is in graph ?fg, bound by the caller), with the rest of the store as context (reference data, other hubs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from l4a.graph.errors import ConfigError
from l4a.graph.shacl.shapes import SH, Constraint, Shape, ShapesModel
from l4a.graph.store.sparql_text import iri_text, literal_text, string_text

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Datatypes whose lexical form SPARQL can check by casting (an ill-typed literal fails sh:datatype).
CASTABLE = {XSD + t for t in ("date", "dateTime", "decimal", "integer", "boolean", "double", "float")}

Focus = Callable[[str], str]


@dataclass
class Check:
    """One compiled constraint: the query, and what its results are about."""

    shape: Shape
    component: str
    constraint: Constraint
    query: str
    value_from_row: bool = True
    nested: Check | None = None
    node_shape_checks: list[Check] = field(default_factory=list)
    raw_sparql: bool = False


def term(node: Node) -> str:
    """An RDF term of the shapes in SPARQL syntax, written by the one escaping helper (store/sparql_text.py)."""
    if isinstance(node, URIRef):
        return iri_text(str(node))
    if isinstance(node, Literal):
        if node.language:
            return literal_text(ox.Literal(str(node), language=node.language))
        datatype = ox.NamedNode(str(node.datatype)) if node.datatype else None
        return literal_text(ox.Literal(str(node), datatype=datatype))
    raise ConfigError(f"a blank node ({node}) where the validator needs an IRI or a literal.")


def target_focus(shape: Shape, graph_mode: bool, star_path: bool = True) -> Focus:
    """The focus nodes of a targeted node shape, as a group pattern over the given variable.

    `star_path` False writes "of the class or a subclass" as the class itself UNION `rdfs:subClassOf+`, the same
    nodes, for servers that mis-evaluate a `*` path joined with other patterns (Virtuoso 7.2).
    """

    def pattern(var: str) -> str:
        # A flat pattern (no DISTINCT subquery) lets Oxigraph join it with the check; the rare duplicate focus
        # node (two types that both reach the target class) is removed from the results afterwards.
        alternatives = []
        for cls in shape.target_classes:
            typed = f"GRAPH ?fg {{ {var} {RDF_TYPE} ?_t }}" if graph_mode else f"{var} {RDF_TYPE} ?_t ."
            if star_path:
                alternatives.append(f"{{ {typed} ?_t {SUBCLASS}* {iri_text(cls)} . }}")
                continue
            typed_as = f"{var} {RDF_TYPE} {iri_text(cls)}"
            direct = f"GRAPH ?fg {{ {typed_as} }}" if graph_mode else f"{typed_as} ."
            alternatives += [f"{{ {direct} }}", f"{{ {typed} ?_t {SUBCLASS}+ {iri_text(cls)} . }}"]
        for prop in shape.target_objects_of:
            pointed = f"GRAPH ?fg {{ ?_s {iri_text(prop)} {var} }}" if graph_mode else f"?_s {iri_text(prop)} {var} ."
            alternatives.append(f"{{ {pointed} }}")
        return " UNION ".join(alternatives)

    return pattern


def _values(shape: Shape, var: str = "?this") -> str:
    if shape.path is None:
        return f"BIND({var} AS ?value)"
    return f"{var} {shape.path.sparql()} ?value ."


def _has_class(cls: Node, var: str = "?value") -> str:
    return f"EXISTS {{ {var} {RDF_TYPE}/{SUBCLASS}* {term(cls)} }}"


def _class_filter(model: ShapesModel, cls: Node) -> str:
    # Oxigraph evaluates EXISTS with a property path slowly over many rows; an OPTIONAL marks the typed values,
    # matching the class's known subclasses directly when the ontology gave them.
    closure = model.class_closures.get(str(cls))
    if closure:
        members = ", ".join(iri_text(c) for c in closure)
        typed = f"?value {RDF_TYPE} ?_vt . FILTER(?_vt IN ({members})) BIND(true AS ?_typed)"
    else:
        typed = f"?value {RDF_TYPE} ?_vt . ?_vt {SUBCLASS}* {term(cls)} . BIND(true AS ?_typed)"
    return f"OPTIONAL {{ {typed} }} FILTER(!BOUND(?_typed))"


def _has_datatype(datatype: Node, var: str = "?value") -> str:
    test = f"(isLiteral({var}) && datatype({var}) = {term(datatype)}"
    if str(datatype) in CASTABLE:
        # A cast of an ill-formed lexical form fails, and COALESCE then yields an IRI instead of a literal.
        test += f" && isLiteral(COALESCE({term(datatype)}(STR({var})), <urn:l4a:ill-typed>))"
    return test + ")"


def _member_test(model: ShapesModel, member: Node) -> str:
    graph = model.graph
    cls = graph.value(member, SH["class"])
    datatype = graph.value(member, SH.datatype)
    others = {p for p in graph.predicates(member, None)} - {SH["class"], SH.datatype}
    if others or (cls is None) == (datatype is None):
        raise ConfigError("sh:or and sh:not members must each be one sh:class or one sh:datatype.")
    return _has_class(cls) if cls is not None else _has_datatype(datatype)  # type: ignore[arg-type]


NODE_KINDS = {
    "IRI": "isIRI(?value)",
    "Literal": "isLiteral(?value)",
    "BlankNode": "isBlank(?value)",
    "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
    "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))",
    "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
}


def _value_test(model: ShapesModel, shape: Shape, constraint: Constraint) -> str:
    """A SPARQL expression that is true when ?value satisfies the constraint."""
    name = constraint.parameter.rsplit("#", 1)[1]
    value = constraint.value
    if name == "class":
        return _has_class(value)
    if name == "datatype":
        return _has_datatype(value)
    if name == "nodeKind":
        return NODE_KINDS[str(value).rsplit("#", 1)[1]]
    if name == "pattern":
        flags = f", {string_text(shape.flags)}" if shape.flags else ""
        return f"(!isBlank(?value) && REGEX(STR(?value), {string_text(str(value))}{flags}))"
    if name == "in":
        members = " ".join(term(m) for m in Collection(model.graph, value))
        return f"EXISTS {{ VALUES ?_allowed {{ {members} }} FILTER(sameTerm(?value, ?_allowed)) }}"
    if name == "languageIn":
        tests = [f"langMatches(lang(?value), {string_text(str(m))})" for m in Collection(model.graph, value)]
        return f"(isLiteral(?value) && ({' || '.join(tests) or 'false'}))"
    if name == "minInclusive":
        return f"COALESCE(?value >= {term(value)}, false)"
    if name == "maxInclusive":
        return f"COALESCE(?value <= {term(value)}, false)"
    if name == "or":
        return "(" + " || ".join(_member_test(model, m) for m in Collection(model.graph, value)) + ")"
    if name == "not":
        return f"!{_member_test(model, value)}"
    raise ConfigError(f"{shape.iri}: sh:{name} cannot be compiled.")


def _project(graph_mode: bool) -> str:
    return " ?fg" if graph_mode else ""


def compile_constraint(
    model: ShapesModel, shape: Shape, constraint: Constraint, focus: Focus, graph_mode: bool
) -> Check:
    """The check of one constraint of `shape`, whose focus nodes are given by `focus`."""
    name = constraint.parameter.rsplit("#", 1)[1]
    component = f"{SH}{name[0].upper()}{name[1:]}ConstraintComponent"
    if not graph_mode and shape.path is not None and name in WHOLE_STORE_FORMS:
        query = WHOLE_STORE_FORMS[name](model, shape, constraint, focus)
        from_row = name not in ("minCount", "maxCount", "hasValue", "uniqueLang")
        return Check(shape, component, constraint, query, value_from_row=from_row)
    fg = _project(graph_mode)
    if name in ("minCount", "maxCount"):
        if shape.path is None:
            raise ConfigError(f"{shape.iri}: sh:{name} needs a property shape (with sh:path).")
        op = "<" if name == "minCount" else ">"
        query = (
            f"SELECT ?this{fg} WHERE {{ {focus('?this')} OPTIONAL {{ ?this {shape.path.sparql()} ?_v }} }}"
            f" GROUP BY ?this{fg} HAVING (COUNT(DISTINCT ?_v) {op} {int(str(constraint.value))})"
        )
        return Check(shape, component, constraint, query, value_from_row=False)
    if name == "hasValue":
        if shape.path is None:
            test = f"FILTER(!sameTerm(?this, {term(constraint.value)}))"
        else:
            test = f"FILTER NOT EXISTS {{ ?this {shape.path.sparql()} {term(constraint.value)} }}"
        return Check(shape, component, constraint, f"SELECT ?this{fg} WHERE {{ {focus('?this')} {test} }}", False)
    if name == "uniqueLang":
        if str(constraint.value) != "true":
            return Check(shape, component, constraint, "", False)
        query = (
            f"SELECT ?this{fg} ?_lang WHERE {{ {focus('?this')} {_values(shape)} "
            "FILTER(isLiteral(?value) && lang(?value) != '') BIND(LCASE(lang(?value)) AS ?_lang) }"
            f" GROUP BY ?this{fg} ?_lang HAVING (COUNT(DISTINCT ?value) > 1)"
        )
        return Check(shape, component, constraint, query, value_from_row=False)
    if name == "lessThan":
        query = (
            f"SELECT DISTINCT ?this{fg} ?value WHERE {{ {focus('?this')} {_values(shape)} "
            f"?this {term(constraint.value)} ?_other FILTER(!COALESCE(?value < ?_other, false)) }}"
        )
        return Check(shape, component, constraint, query)
    if name == "node":
        target = model.shapes[str(constraint.value)]

        def values_focus(var: str) -> str:
            outer = focus("?_outer")
            path = shape.path.sparql() if shape.path else ""
            link = f"?_outer {path} {var} ." if shape.path else f"BIND(?_outer AS {var})"
            return f"{{ SELECT DISTINCT {var}{fg} WHERE {{ {{ {outer} }} {link} }} }}"

        inner = compile_shape(model, target, values_focus, graph_mode)
        query = f"SELECT DISTINCT ?this{fg} ?value WHERE {{ {focus('?this')} {_values(shape)} }}"
        return Check(shape, component, constraint, query, node_shape_checks=inner)
    if name == "sparql":
        if graph_mode:
            query = prebind_this(constraint.query, focus, graph_mode, shape.iri)
        else:
            query = prebind_this(constraint.store_query or constraint.query, _focus_subselect(focus), False, shape.iri)
        return Check(shape, f"{SH}SPARQLConstraintComponent", constraint, query, raw_sparql=True)
    if name == "class":
        pattern = f"{focus('?this')} {_values(shape)} {_class_filter(model, constraint.value)}"
        query = f"SELECT DISTINCT ?this{fg} ?value WHERE {{ {pattern} }}"
        return Check(shape, component, constraint, query)
    test = _value_test(model, shape, constraint)
    query = f"SELECT DISTINCT ?this{fg} ?value WHERE {{ {focus('?this')} {_values(shape)} FILTER(!({test})) }}"
    return Check(shape, component, constraint, query)


# Whole-store forms. Oxigraph joins a pattern with the one before it by looking up each solution in the indexes,
# a few microseconds per focus node and constraint; sub-SELECTs are evaluated on their own and joined by hashing,
# about six times faster over thousands of focus nodes. One hub's graph keeps the forms above (few focus nodes).


def _focus_select(focus: Focus) -> str:
    return _focus_subselect(focus)("?this")


def _focus_subselect(focus: Focus) -> Focus:
    return lambda var: f"{{ SELECT DISTINCT {var} WHERE {{ {focus(var)} }} }}"


def _store_count(model: ShapesModel, shape: Shape, constraint: Constraint, focus: Focus) -> str:
    op = "<" if constraint.parameter.endswith("minCount") else ">"
    assert shape.path is not None
    counts = f"SELECT ?this (COUNT(DISTINCT ?_v) AS ?_n) WHERE {{ ?this {shape.path.sparql()} ?_v }} GROUP BY ?this"
    return (
        f"SELECT ?this WHERE {{ {_focus_select(focus)} OPTIONAL {{ {counts} }}"
        f" FILTER(COALESCE(?_n, 0) {op} {int(str(constraint.value))}) }}"
    )


def _store_has_value(model: ShapesModel, shape: Shape, constraint: Constraint, focus: Focus) -> str:
    assert shape.path is not None
    has = f"?this {shape.path.sparql()} {term(constraint.value)}"
    return f"SELECT ?this WHERE {{ {_focus_select(focus)} MINUS {{ {has} }} }}"


def _store_values(shape: Shape, test: str) -> str:
    assert shape.path is not None
    return f"{{ SELECT ?this ?value WHERE {{ ?this {shape.path.sparql()} ?value . {test} }} }}"


def _store_class(model: ShapesModel, shape: Shape, constraint: Constraint, focus: Focus) -> str:
    closure = model.class_closures.get(str(constraint.value))
    if closure:
        typed = f"?value {RDF_TYPE} ?_vt . FILTER(?_vt IN ({', '.join(iri_text(c) for c in closure)}))"
    else:
        typed = f"?value {RDF_TYPE}/{SUBCLASS}* {term(constraint.value)} ."
    values = _store_values(shape, f"MINUS {{ {typed} }}")
    return f"SELECT DISTINCT ?this ?value WHERE {{ {_focus_select(focus)} {values} }}"


def _store_unique_lang(model: ShapesModel, shape: Shape, constraint: Constraint, focus: Focus) -> str:
    if str(constraint.value) != "true":
        return ""
    assert shape.path is not None
    langs = (
        f"SELECT ?this ?_lang WHERE {{ ?this {shape.path.sparql()} ?value "
        "FILTER(isLiteral(?value) && lang(?value) != '') BIND(LCASE(lang(?value)) AS ?_lang) }"
        " GROUP BY ?this ?_lang HAVING (COUNT(DISTINCT ?value) > 1)"
    )
    return f"SELECT ?this ?_lang WHERE {{ {_focus_select(focus)} {{ {langs} }} }}"


def _store_less_than(model: ShapesModel, shape: Shape, constraint: Constraint, focus: Focus) -> str:
    test = f"?this {term(constraint.value)} ?_other FILTER(!COALESCE(?value < ?_other, false))"
    return f"SELECT DISTINCT ?this ?value WHERE {{ {_focus_select(focus)} {_store_values(shape, test)} }}"


def _store_value_test(model: ShapesModel, shape: Shape, constraint: Constraint, focus: Focus) -> str:
    test = f"FILTER(!({_value_test(model, shape, constraint)}))"
    return f"SELECT DISTINCT ?this ?value WHERE {{ {_focus_select(focus)} {_store_values(shape, test)} }}"


StoreForm = Callable[[ShapesModel, Shape, Constraint, Focus], str]
WHOLE_STORE_FORMS: dict[str, StoreForm] = {
    "minCount": _store_count,
    "maxCount": _store_count,
    "hasValue": _store_has_value,
    "class": _store_class,
    "uniqueLang": _store_unique_lang,
    "lessThan": _store_less_than,
    **{
        name: _store_value_test
        for name in (
            "datatype",
            "nodeKind",
            "pattern",
            "in",
            "languageIn",
            "minInclusive",
            "maxInclusive",
            "or",
            "not",
        )
    },
}


WHERE_OPEN = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
GROUP_BY = re.compile(r"\bGROUP\s+BY\b", re.IGNORECASE)
SELECT_HEAD = re.compile(r"\bSELECT(\s+DISTINCT|\s+REDUCED)?", re.IGNORECASE)


def prebind_this(query: str, focus: Focus, graph_mode: bool, where: str) -> str:
    """A SHACL-SPARQL query with its focus nodes found first in the outer WHERE, instead of $this pre-bound.

    For the patterns the shapes use (triple patterns, FILTER (NOT) EXISTS, BIND, OPTIONAL after the focus),
    joining the focus pattern first gives the solutions that pre-binding $this gives, for all focus nodes in one
    query; tests compare every shape with pySHACL, which pre-binds.
    """
    query = query.replace("$this", "?this")
    if graph_mode:  # ?fg is projected for binding, so an outer GROUP BY must keep it
        groups = list(GROUP_BY.finditer(query))
        if groups:
            query = f"{query[: groups[-1].end()]} ?fg{query[groups[-1].end() :]}"
    opening = WHERE_OPEN.search(query)
    head = SELECT_HEAD.search(query)
    if opening is None or head is None:
        raise ConfigError(f"{where}: an sh:select must be written SELECT ... WHERE {{ ... }}.")
    query = f"{query[: opening.end()]} {focus('?this')} {query[opening.end() :]}"
    if graph_mode and not re.match(r"\s*\*", query[head.end() :]):
        query = f"{query[: head.end()]} ?fg{query[head.end() :]}"
    return query


def compile_shape(model: ShapesModel, shape: Shape, focus: Focus, graph_mode: bool) -> list[Check]:
    """The checks of a node shape and of its property shapes."""
    checks = [compile_constraint(model, shape, c, focus, graph_mode) for c in shape.constraints]
    for prop in shape.properties:
        checks += [compile_constraint(model, prop, c, focus, graph_mode) for c in prop.constraints]
    return [c for c in checks if c.query]


def compile_model(
    model: ShapesModel, graph_mode: bool, star_path: bool = True
) -> list[tuple[Shape, Focus, list[Check]]]:
    """Every targeted node shape with its focus pattern and its checks (`star_path`: see target_focus)."""
    compiled = []
    for shape in model.targeted():
        focus = target_focus(shape, graph_mode, star_path)
        compiled.append((shape, focus, compile_shape(model, shape, focus, graph_mode)))
    return compiled
