"""The portal's areas, one package each; they speak HTTP and leave the rules to domain/."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every area; the order does not matter, the URLs do not overlap."""
    from blueprints import assets
    from blueprints.apply import bp as apply
    from blueprints.backoffice import bp as backoffice
    from blueprints.catalog import bp as catalog
    from blueprints.centres import bp as centres
    from blueprints.converters import ProcedureCode
    from blueprints.edge import register_edge
    from blueprints.lookup import bp as lookup
    from blueprints.site import register_site

    register_edge(app)
    app.url_map.converters["procedure"] = ProcedureCode
    register_site(app)
    app.register_blueprint(assets.bp)
    # The catalogue owns "/" and "/thu-tuc": finding a procedure is why most people come.
    app.register_blueprint(catalog)
    app.register_blueprint(lookup)
    app.register_blueprint(apply)
    app.register_blueprint(backoffice)
    app.register_blueprint(centres)
