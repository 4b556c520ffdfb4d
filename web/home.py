"""The home page: what the graph holds, in English, French or Spanish."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from l4a.graph.stats import store_stats

from . import app_store

bp = Blueprint("home", __name__)

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Local4Action Hub Graph",
        "intro": "UCLG's Local4Action HUBs linked to the SDGs, the Durban manifestos and the Policy Councils.",
        "goals": "SDG goals",
        "targets": "SDG targets",
        "indicators": "SDG indicators",
        "manifestos": "Durban manifestos",
        "policy_councils": "Policy Councils",
        "sections": "UCLG sections",
        "hubs": "Local4Action HUBs",
        "organisations": "Organisations",
        "evidence": "Evidence records",
        "graphs": "Named graphs",
        "triples": "Triples",
    },
    "fr": {
        "title": "Graphe des Local4Action HUBs",
        "intro": "Les Local4Action HUBs de CGLU reliés aux ODD, aux manifestes de Durban et aux Conseils politiques.",
        "goals": "Objectifs (ODD)",
        "targets": "Cibles des ODD",
        "indicators": "Indicateurs des ODD",
        "manifestos": "Manifestes de Durban",
        "policy_councils": "Conseils politiques",
        "sections": "Sections de CGLU",
        "hubs": "Local4Action HUBs",
        "organisations": "Organisations",
        "evidence": "Sources et preuves",
        "graphs": "Graphes nommés",
        "triples": "Triplets",
    },
    "es": {
        "title": "Grafo de los Local4Action HUBs",
        "intro": (
            "Los Local4Action HUBs de CGLU vinculados a los ODS, los manifiestos de Durban y los Consejos Políticos."
        ),
        "goals": "Objetivos (ODS)",
        "targets": "Metas de los ODS",
        "indicators": "Indicadores de los ODS",
        "manifestos": "Manifiestos de Durban",
        "policy_councils": "Consejos Políticos",
        "sections": "Secciones de CGLU",
        "hubs": "Local4Action HUBs",
        "organisations": "Organizaciones",
        "evidence": "Fuentes y evidencias",
        "graphs": "Grafos con nombre",
        "triples": "Tripletas",
    },
}


def chosen_language() -> str:
    """The UI language: ?lang=, else the browser's preference among the configured ones."""
    languages = list(current_app.config["L4A_SETTINGS"].languages)
    asked = request.args.get("lang")
    if asked is not None and asked in languages:
        return asked
    return request.accept_languages.best_match(languages) or languages[0]


@bp.get("/")
def index() -> ResponseReturnValue:
    """Counts of what the graph holds."""
    counts = store_stats(app_store(current_app))
    if request.accept_mimetypes.best == "application/json":
        return jsonify(counts)
    lang = chosen_language()
    return render_template("home.html", counts=counts, labels=LABELS[lang], lang=lang, languages=list(LABELS))


@bp.get("/api/stats")
def stats() -> ResponseReturnValue:
    """The counts as JSON."""
    return jsonify(store_stats(app_store(current_app)))
