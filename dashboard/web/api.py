"""The read-only API of the protected tables: same login and scope as the pages."""
from __future__ import annotations

import io

import flask

from dashboard.web import runtime
from dashboard.web.auth import current_access
from dashboard.ui.texts import fmt_number, rule_sentence
from queries.store import csvfile
from queries import catalogue
from queries.catalogue import tables
from queries.accounts.access import NATIONAL

blueprint = flask.Blueprint("api", __name__, url_prefix="/api/v1")


def _problem(status: int, message: str):
    return flask.jsonify({"error": message}), status


@blueprint.get("/catalogue")
def catalogue_listing():
    listing = tables.catalogue_listing(runtime.current().engine, current_access())
    listing["rule"] = rule_sentence(runtime.current().policy, "en")
    return flask.jsonify(listing)


@blueprint.get("/tables/<name>")
def table(name: str):
    args = flask.request.args
    fmt = args.get("format", "json")
    if fmt not in ("json", "csv"):
        return _problem(400, "format must be json or csv")
    try:
        cells = tables.published_table(runtime.current().engine, current_access(), name=name,
                                       period_type=args.get("period", "month"), scope=args.get("unit", NATIONAL))
    except tables.UnknownTable:
        return _problem(404, f"no published table named {name!r}; see /api/v1/catalogue")
    except ValueError as error:
        return _problem(400, str(error))
    cells = cells.assign(
        value=cells["value"].astype(object).where(~cells["suppressed"], None),
        display=[fmt_number(None if s else v, "en", 0 if name in catalogue.TABLES_BY_NAME else 1)
                 for v, s in zip(cells["value"], cells["suppressed"])],
    )
    release = tables.latest_release(runtime.current().engine)
    if fmt == "csv":
        out = io.StringIO()
        writer = csvfile.Writer(out, sep=",", decimal=".")  # the one CSV writer of every download
        writer.writerow(cells.columns)
        writer.writerows(cells.itertuples(index=False))
        return flask.Response(out.getvalue(), mimetype="text/csv",
                              headers={"Content-Disposition": f'attachment; filename="{name}_r{release}.csv"'})
    return flask.jsonify({"table": name, "release": release, "period": args.get("period", "month"),
                          "scope": args.get("unit", NATIONAL), "cells": cells.to_dict("records")})
