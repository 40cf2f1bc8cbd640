"""The ``kcn-atlas`` command line: build, summary, validate, import, edit, history, accounts.

Commands that write sign in first: the account is ``--user`` (default
``KCN_ATLAS_USER``, else the login name), its password ``KCN_ATLAS_PASSWORD``
or the first line of standard input (never an argument). A refused sign-in or
role exits 1 with a message that never holds the password.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from geo import settings
from geo.analysis import summary
from geo.bundled import build_checked
from geo.register import RegisterFormatError, read_source_dir
from geo.store import DEFAULT_STORE, StoreError, open_store
from geo.validate import validate

__all__ = ["main"]


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    return text


def _print_summary(doc: dict[str, Any]) -> None:
    for prov in doc["provinces"]:
        current = prov["province_current"]
        title = prov["province"] + (f" (now {current})" if current and current != prov["province"]
                                    else "")
        print(f"== {title} ==")
        print("Official figures:")
        if not prov["official_figures"]:
            print("  (none in the sources)")
        for fig in prov["official_figures"]:
            c = fig["citation"]
            value = _fmt(fig["value"])
            if fig["value_max"] is not None:
                value += f"–{_fmt(fig['value_max'])}"
            comparison = (fig["comparison"] or "").replace("_", " ")
            period = f" [{fig['period']}]" if fig["period"] else ""
            section = f", §{c['section']}" if c["section"] else ""
            print(f"  {fig['label_en']}: {comparison} {value} {fig['unit']}{period}"
                  f"  — {c['document']}, {c['date']}{section}")
        reg = prov["register"]
        print(f"Register: {reg['zones']} zones")
        for kind, k in reg["by_kind"].items():
            if not k["count"]:
                continue
            statuses = ", ".join(f"{s} {v['count']}" for s, v in k["by_status"].items())
            print(f"  {kind}: {k['count']} ({statuses}); {_fmt(k['area_ha'])} ha known,"
                  f" area unknown for {k['area_unknown']}")
        occ = reg["occupancy_weighted_pct"]
        print(f"  area-weighted occupancy: {_fmt(occ, 1)}%"
              f" (from {reg['occupancy_zones']} zones with known occupancy and area)")
        for cov in prov["coverage"]:
            print(f"  {cov['kind']}: register holds {cov['register_count']} of"
                  f" {_fmt(cov['official_count'])} officially planned zones,"
                  f" {_fmt(cov['register_area_ha'])} of {_fmt(cov['official_area_ha'])} ha")
        print()
    for cur in doc.get("current", []):
        formers = ", ".join(cur["former"])
        print(f"== {cur['province_current']} today (as named before 2025: {formers}) ==")
        held = cur["held"]
        print("Register: " + ", ".join(f"{held[k]} {k}" for k in ("KKT", "KCN", "CCN"))
              + (f", {held['study_area']} areas proposed for study"
                 if held.get("study_area") else ""))
        if not cur["official_counts"]:
            print("  (no official count about the whole province in the sources)")
        for c in cur["official_counts"]:
            what = _INDICATOR_WORDS.get(c["indicator"], c["indicator"])
            cite = c["citation"]
            area = ""
            if c["official_area_ha"] is not None:
                area = (f", {_fmt(c['register_area_ha'])} of {_fmt(c['official_area_ha'])} ha"
                        f" known")
            print(f"  {c['kind']}: register holds {c['register_count']} of"
                  f" {_fmt(c['official_count'])} {what}{area}"
                  f"  — {cite['document']}, {cite['date']}")
        print("Share of zones with the attribute known:")
        fields = list(next(iter(cur["completeness"].values())))
        print("  " + " " * 20 + "".join(f"{k:>9}" for k in cur["completeness"]))
        for field in fields:
            cells = []
            for kind in cur["completeness"]:
                c = cur["completeness"][kind][field]
                cells.append(f"{c['known']:>4}/{c['total']:<4}" if c["total"] else f"{'—':>9}")
            print(f"  {field:<20}" + "".join(cells))
        ranges = [f"{field} {kind} {c['range']}" for field in fields
                  for kind, by_field in cur["completeness"].items()
                  if (c := by_field[field]).get("range")]
        if ranges:
            print("  Picked value a range or bound (not counted above): " + ", ".join(ranges))
        print()


_INDICATOR_WORDS = {
    "planned_zone_count": "officially planned zones",
    "established_zone_count": "zones officially established",
    "operating_zone_count": "zones officially in operation",
}


def _cmd_build(args: argparse.Namespace) -> int:
    store, backup = build_checked(args.out, args.src, force=args.force)
    if backup is not None:
        print(f"kept the previous register as {backup}", file=sys.stderr)
    print(f"built {store.description}", file=sys.stderr)
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    reg = open_store(args.store).read()
    doc = summary(reg, args.province)
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print_summary(doc)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    if args.src:
        reg = read_source_dir(args.src)
        where = str(args.src)
    else:
        store = open_store(args.store)
        reg = store.read()
        where = store.description
    problems = validate(reg)
    if args.json:
        json.dump({"register": where, "ok": not problems,
                   "problems": [p.__dict__ for p in problems]},
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif problems:
        print(f"{where}: {len(problems)} problem(s) found:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
    else:
        counts = f"{len(reg.zones)} zones, {len(reg.projects)} projects, {len(reg.figures)} figures"
        print(f"{where}: register is valid ({counts})")
    return 1 if problems else 0


def _who() -> str:
    return settings.user()


class _Stdin:
    """Standard input read one line at a time (a terminal does not echo the password)."""

    def __init__(self) -> None:
        self.lines: list[str] | None = None

    def line(self, prompt: str) -> str:
        if sys.stdin is not None and sys.stdin.isatty():
            import getpass

            return getpass.getpass(prompt)
        text = sys.stdin.readline() if sys.stdin is not None else ""
        return text.rstrip("\r\n")


_STDIN = _Stdin()


def _sign_in(store: Any, name: str | None) -> Any:
    """Sign in the account that makes a write; its password never comes from an argument."""
    from geo.auth import authenticate

    who = (name or _who()).strip()
    password = settings.get("KCN_ATLAS_PASSWORD")
    if password is None:
        password = _STDIN.line(f"password of {who}: ")
    return authenticate(store.read(), who, password, client="cli")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _cmd_import(args: argparse.Namespace) -> int:
    from geo.importer import read_import  # the import stack is only needed here
    from geo.merge import MergeRefused, apply_merge, plan_merge

    path = Path(args.file)
    if not path.is_file():  # a mistyped path is the caller's error (exit 2), not the file's
        raise FileNotFoundError(f"no file {args.file!r}")
    if args.plots:
        return _import_plots(args, path)
    if args.zone or args.replace_zone_plots:
        print("kcn-atlas: error: --zone and --replace-zone-plots go with --plots",
              file=sys.stderr)
        return 2
    # The file is read in place: its size is checked before a byte of it is read.
    report = read_import(path, path.name, layer=args.layer, crs=args.crs,
                         encoding=args.encoding, mapping=dict(args.map or []),
                         prefer=args.prefer_sheet, as_of=args.as_of)
    doc: dict[str, Any] = report.to_json()
    code = 0
    if report.outcome == "reject":
        code = 1
    else:
        store = open_store(args.store)
        plan = plan_merge(store.read(), report.zones, replace_worse=args.replace_worse,
                          covered=report.covered)
        merge: dict[str, Any] = {**plan.to_json(), "written": False, "import_id": None,
                                 "duplicate_of": None}
        if plan.problems:
            code = 1  # the merge would leave the register invalid: nothing is written
        elif not args.dry_run:
            # What is reported is what was applied: planned again under the write lock.
            choices = {k: v for k, v in (("layer", args.layer), ("crs", args.crs),
                                         ("encoding", args.encoding)) if v}
            actor = _sign_in(store, args.user)
            try:
                result = apply_merge(store, plan, filename=path.name, actor=actor,
                                     sha256=_sha256(path), choices=choices, again=args.again)
            except MergeRefused as exc:
                code = 1  # the register moved on and the merge now would break it
                doc["errors"] = [*doc["errors"], str(exc)]
            else:
                plan = result.plan
                merge = result.to_json()
        doc["zones"] = report.zone_list(plan.ids)  # with the ids the merge gives them
        doc["merge"] = {**merge, "dry_run": args.dry_run, "store": store.description}
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print_import(doc)
    return code


def _import_plots(args: argparse.Namespace, path: Path) -> int:
    """``import --plots``: read a file of plots, plan the merge, merge unless --dry-run."""
    from geo.importer import read_plots
    from geo.merge import MergeRefused
    from geo.plotmerge import apply_plot_merge, plan_plot_merge

    store = open_store(args.store)
    snap = store.snapshot()
    report = read_plots(path, path.name, zones=snap.register.zones, zone=args.zone,
                        layer=args.layer, crs=args.crs, encoding=args.encoding,
                        mapping=dict(args.map or []), as_of=args.as_of)
    doc: dict[str, Any] = report.to_json()
    code = 0
    if report.outcome == "reject":
        code = 1
    else:
        plan = plan_plot_merge(snap.register, report.plots, replace_worse=args.replace_worse,
                               replace_zones=args.replace_zone_plots, covered=report.covered)
        merge: dict[str, Any] = {**plan.to_json(), "written": False, "import_id": None,
                                 "duplicate_of": None}
        if plan.problems:
            code = 1
        elif not args.dry_run:
            choices = {k: v for k, v in (("layer", args.layer), ("crs", args.crs),
                                         ("encoding", args.encoding), ("zone", report.zone),
                                         ("as_of", args.as_of)) if v}
            try:
                result = apply_plot_merge(store, plan, filename=path.name,
                                          actor=_sign_in(store, args.user),
                                          sha256=_sha256(path), choices=choices,
                                          again=args.again)
            except MergeRefused as exc:
                code = 1
                doc["errors"] = [*doc["errors"], str(exc)]
            else:
                merge = result.to_json()
        doc["merge"] = {**merge, "dry_run": args.dry_run, "store": store.description}
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print_plot_import(doc)
    return code


def _print_plot_import(doc: dict[str, Any]) -> None:
    _print_read(doc, "plot(s)")
    if doc["plots"]:
        print(f"  {len(doc['plots'])} plot(s) to merge, "
              + ", ".join(f"{s} {v['plots']} ({_fmt(v['area_ha'])} ha)"
                          for s, v in doc["statuses"].items() if v["plots"]))
        for zid, z in doc["zones"].items():
            print(f"  zone {zid} ({z['name']}): {z['plots']} plot(s), {_fmt(z['area_ha'])} ha")
    _print_messages(doc)
    merge = doc.get("merge")
    if merge:
        _print_merge(merge, f"{len(merge['added'])} plot(s), changed {len(merge['changed'])}, "
                            f"removed {len(merge['removed'])}", "cannot merge")


def _print_read(doc: dict[str, Any], what: str) -> None:
    """The first lines of an import's report: outcome, CRS, encoding, layers."""
    print(f"{doc['outcome']}: {doc['features']} {what}, CRS {doc['crs'] or '?'}, "
          f"text encoding {doc['encoding'] or '-'}")
    for layer in doc["layers"]:
        mark = "imported" if layer["imported"] else f"skipped ({layer['reason']})"
        print(f"  layer {layer['name']}: {layer['features']} feature(s), {mark}")


def _print_messages(doc: dict[str, Any]) -> None:
    for w in doc["warnings"]:
        print(f"  warning: {w}")
    for e in doc["errors"]:
        print(f"  error: {e}", file=sys.stderr)
    for n in doc.get("notes", []):
        print(f"  note: {n}")


def _print_merge(merge: dict[str, Any], counts: str, refused: str) -> None:
    """The merge's outcome: a repeated file, what it adds and changes, what it keeps."""
    duplicate = merge.get("duplicate_of")
    if duplicate:
        print(f"  already imported as {duplicate['import_id']} by {duplicate['who']} at "
              f"{duplicate['at']}: nothing written (use --again to import it once more)")
        return
    verb = "would add" if merge["dry_run"] or merge["problems"] else "added"
    print(f"  {verb} {counts}, left {len(merge['unchanged'])} as they are"
          + ("" if merge["written"] or merge["dry_run"] or merge["problems"]
             else " (nothing to write)"))
    how = "replaced" if merge["replace_worse"] else "kept (--replace-worse replaces it)"
    for rid, losses in merge["worse"].items():
        for fld, why in losses.items():
            print(f"  {rid} {fld}: {why}: {how}")
    for rid, clashes in merge.get("conflicts", {}).items():
        for fld, why in clashes.items():
            print(f"  {rid} {fld}: {why}")
    for problem in merge["problems"]:
        print(f"  error: {refused}: {problem}", file=sys.stderr)
    if merge["written"]:
        print(f"  import id {merge['import_id']} "
              f"(take it back with: kcn-atlas undo-import {merge['import_id']})")


def _date(text: str) -> str:
    """An as-of date as ISO text: ``2026-06-30``, ``30/06/2026``, ``2026-06`` or ``2026``."""
    from geo.importer.fields import text_date

    value = text.strip()
    if (iso := text_date(value)) is not None:
        return iso
    for form in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            datetime.strptime(value, form)
        except ValueError:
            continue
        return value
    raise argparse.ArgumentTypeError(f"expected a date such as 2026-06-30, got {text!r}")


def _column_field(text: str) -> tuple[str, str]:
    column, sep, field = text.rpartition("=")
    if not sep or not column.strip():
        raise argparse.ArgumentTypeError(f"expected COLUMN=FIELD, got {text!r}")
    return column.strip(), field.strip()


def _print_import(doc: dict[str, Any]) -> None:
    _print_read(doc, "feature(s)")
    if doc["total_area_ha"] is not None:
        print(f"  total area {doc['total_area_ha']:,.2f} ha")
    _print_messages(doc)
    merge = doc.get("merge")
    if merge:
        _print_merge(merge, f"{len(merge['added'])}, changed {len(merge['changed'])}",
                     "the merge would leave the register invalid")


def _cmd_imports(args: argparse.Namespace) -> int:
    from geo.edit import local_time
    from geo.merge import imports

    records = imports(open_store(args.store).read())
    if args.json:
        json.dump([r.to_json() for r in records], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not records:
        print("no imports yet")
    for r in records:
        state = ("in effect" if r.in_effect
                 else f"undone by {r.undone_by} at {local_time(r.undone_at)}")
        what = " plots" if r.table == "plots" else ""
        removed = f", -{len(r.removed)}" if r.removed else ""
        print(f"{r.import_id}  {local_time(r.at)}  {r.who}  {r.file}  "
              f"(+{len(r.added)}{what}, ~{len(r.changed)}{removed}; {state})")
    return 0


def _cmd_undo_import(args: argparse.Namespace) -> int:
    from geo.merge import NothingToUndo, NotYourImport, UndoConflict, undo_import

    store = open_store(args.store)
    actor = _sign_in(store, args.user)
    try:
        done = undo_import(store, args.import_id, actor=actor)
    except (NothingToUndo, NotYourImport, UndoConflict) as exc:
        hint = " (only an admin may)" if isinstance(exc, NotYourImport) else ""
        print(f"kcn-atlas: {exc}{hint}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(done, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        plots = (f"; removed {len(done['plots_removed'])} plot(s), restored "
                 f"{len(done['plots_restored'])}" if "plots_removed" in done else "")
        print(f"undid import {done['import_id']}: {done['file']} by {done['who']} at "
              f"{done['at']}; removed {len(done['removed'])} zone(s), restored "
              f"{len(done['restored'])}{plots}")
    return 0


def _field_value(text: str) -> tuple[str, str]:
    fld, sep, value = text.partition("=")
    if not sep or not fld.strip():
        raise argparse.ArgumentTypeError(f"expected FIELD=VALUE, got {text!r}")
    return fld.strip(), value.strip()


def _cmd_set(args: argparse.Namespace) -> int:
    from geo.edit import Citation, set_zone_values
    from geo.validate import validate as check

    store = open_store(args.store)
    actor = _sign_in(store, args.user)
    changes = dict(args.changes)
    outcome = set_zone_values(store, actor, args.zone_id, changes,
                              Citation(source_id=args.source, as_of=args.as_of,
                                       section=args.section),
                              expect=args.expect_version)
    for row in outcome.changes:
        print(f"{row['record']} {row['field']}: {_shown(row['before'])} -> "
              f"{_shown(row['after'])} (source {row['source_id']})")
    for fld, kept in outcome.result.get("not_shown", {}).items():
        print(f"note: {fld} still shows {kept}: a source of a higher tier (or newer) gives it")
    print(f"version {outcome.version('zones', args.zone_id)}")
    problems = check(outcome.register)
    return 1 if problems else 0


def _shown(value: Any) -> str:
    from geo.edit import shown

    return shown(value)


def _cmd_history(args: argparse.Namespace) -> int:
    from geo.edit import history, local_time

    reg = open_store(args.store).read()
    rows = history(reg, "zones" if args.zone_id else None, args.zone_id, args.limit)
    if args.json:
        out = [{k: (None if isinstance(v, float) else v) for k, v in r.items()
                if k != "detail"} | {"before": _json_value(r["before"]),
                                     "after": _json_value(r["after"])}
               for r in rows.to_dict("records")]
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if rows.empty:
        print("no changes recorded")
    for r in rows.to_dict("records"):
        what = r["field"] or r["action"]
        mark = f"  [reverted by {r['reverted_by']}]" if isinstance(r["reverted_by"], str) else ""
        print(f"{local_time(r['at'])}  {r['who']}  {r['action']}  {r['table_name']} "
              f"{r['record']} {what}: {_shown(r['before'])} -> {_shown(r['after'])}"
              + (f"  (source {r['source_id']})" if isinstance(r["source_id"], str) else "")
              + f"  {r['change_id']}{mark}")
    return 0


def _json_value(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _cmd_user(args: argparse.Namespace) -> int:
    from geo.auth import users
    from geo.edit import manage_users

    store = open_store(args.store)
    if args.user_command == "list":
        frame = users(store.read())
        if args.json:
            json.dump(frame.to_dict("records"), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
            return 0
        if frame.empty:
            print("no accounts yet: add the first admin with "
                  "`kcn-atlas user add NAME --role admin`")
        for row in frame.to_dict("records"):
            print(f"{row['name']}  {row['role']}" + (f"  {row['email']}" if row["email"] else ""))
        return 0
    first = store.read().users.empty
    # The first account (an admin) needs no sign-in: there is nobody to sign in as.
    actor = None if first else _sign_in(store, args.user)
    password = None
    if args.user_command in ("add", "password") and not getattr(args, "no_password", False):
        password = _STDIN.line(f"new password of {args.name}: ")
    action = {"add": "add", "remove": "remove", "set-role": "set-role",
              "password": "password"}[args.user_command]
    manage_users(store, actor, action, args.name, role=getattr(args, "role", None),
                 password=password, email=getattr(args, "email", None))
    print({"add": f"added {args.name} ({getattr(args, 'role', '')})",
           "remove": f"removed {args.name}",
           "set-role": f"{args.name} is now {getattr(args, 'role', '')}",
           "password": f"changed the password of {args.name}"}[action])
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kcn-atlas",
        description="KCN Atlas: Vietnam's economic zones, industrial zones and clusters.",
    )
    parser.add_argument("--store", help="register to use: a .gpkg path or a PostGIS URL "
                        "postgresql://user:password@host:port/db?schema=kcn_atlas (default: "
                        "$KCN_ATLAS_STORE or the bundled data/atlas.gpkg)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build the GeoPackage register from the CSV sources")
    p.add_argument("--src", type=Path, help="folder of source CSVs (default: data/src)")
    p.add_argument("--out", default=str(DEFAULT_STORE),
                   help="GeoPackage path or PostGIS URL to write")
    p.add_argument("--force", action="store_true",
                   help="replace a register holding imports or edits made since its build "
                        "(a GeoPackage is copied to <name>-before-build-<time>.gpkg first)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("summary", help="official figures beside what the register holds")
    p.add_argument("--province", help='province name, diacritics optional ("hai phong")')
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=_cmd_summary)

    p = sub.add_parser("validate", help="check the register; exit 1 when something is wrong")
    p.add_argument("--src", type=Path, help="check source CSVs instead of the store")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("import", help="import zones (or, with --plots, plots) from a GIS "
                       "file, spreadsheet or zip")
    p.add_argument("file", help="zipped shapefile, GeoPackage, GeoJSON, KML/KMZ, FlatGeobuf, "
                   "GeoParquet, CSV or Excel")
    p.add_argument("--layer", help="import only this layer of the file")
    p.add_argument("--crs", help="coordinate system when the file has none, e.g. EPSG:9210")
    p.add_argument("--encoding", help="text encoding: utf-8, cp1258, tcvn3 or vni")
    p.add_argument("--map", action="append", type=_column_field, metavar="COLUMN=FIELD",
                   help="read COLUMN into the register field FIELD (e.g. \"Diện tích đất "
                   "CN=area_industrial_ha\"); an empty FIELD keeps the column in the notes; "
                   "repeat for more columns")
    p.add_argument("--prefer-sheet", metavar="SHEET",
                   help="when the sheets of a workbook disagree about a zone, trust this one")
    p.add_argument("--plots", action="store_true",
                   help="the file holds plots (lô đất) of zones the register has, not zones")
    p.add_argument("--zone", metavar="ZONE",
                   help="with --plots: the zone of every plot in the file (its id, or a name "
                   "naming one zone); by default each plot's zone column, else its location")
    p.add_argument("--replace-zone-plots", action="store_true",
                   help="with --plots: remove the register's plots of the file's zones that the "
                   "file does not hold (listed under merge.removed; undo brings them back)")
    p.add_argument("--as-of", metavar="DATE", type=_date,
                   help="the date the file's data is as of (YYYY-MM-DD), when the file has no "
                   "as-of column; default today")
    p.add_argument("--dry-run", action="store_true", help="report and plan, write nothing")
    p.add_argument("--again", action="store_true",
                   help="import even if the same file (same content) is already imported")
    p.add_argument("--replace-worse", action="store_true",
                   help="replace what the register has even with something worse: a surveyed "
                   "or digitised boundary with a point or approximate location, a value with "
                   "an empty one (by default those are kept, and listed under merge.worse)")
    p.add_argument("--user", help=USER_HELP)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("imports", help="list the imports: id, when, who, file, undone or not")
    p.add_argument("--json", action="store_true", help="print one JSON array")
    p.set_defaults(func=_cmd_imports)

    p = sub.add_parser("undo-import", help="take back an import: by default your own last one")
    p.add_argument("import_id", nargs="?", metavar="IMPORT_ID",
                   help="the import to undo (see `kcn-atlas imports`); default: the last "
                   "import in effect made by $KCN_ATLAS_USER (or your login name)")
    p.add_argument("--force", action="store_true",
                   help="kept for old scripts: an admin's sign-in is what allows undoing "
                   "another person's import (the audit records it)")
    p.add_argument("--user", help=USER_HELP)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_cmd_undo_import)

    p = sub.add_parser("set", help="change a zone's values, each citing a source (editors)")
    p.add_argument("zone_id", metavar="ZONE_ID")
    p.add_argument("changes", nargs="+", type=_field_value, metavar="FIELD=VALUE",
                   help="e.g. area_total_ha=250 status=operating")
    p.add_argument("--source", required=True, metavar="SOURCE_ID",
                   help="the source every value rests on (a source_id of the register)")
    p.add_argument("--as-of", required=True, metavar="DATE", help="as-of date, YYYY-MM-DD")
    p.add_argument("--section", help="where in the source (article, page, table)")
    p.add_argument("--expect-version", metavar="VERSION",
                   help="refuse if the zone changed since this version (printed by set)")
    p.add_argument("--user", help=USER_HELP)
    p.set_defaults(func=_cmd_set)

    p = sub.add_parser("history", help="print the history of changes (newest first)")
    p.add_argument("zone_id", nargs="?", metavar="ZONE_ID", help="only this zone's changes")
    p.add_argument("--limit", type=int, help="at most this many changes")
    p.add_argument("--json", action="store_true", help="print one JSON array")
    p.set_defaults(func=_cmd_history)

    p = sub.add_parser("user", help="manage accounts (admins; the first admin needs no sign-in)")
    users_sub = p.add_subparsers(dest="user_command", required=True)
    q = users_sub.add_parser("add", help="add an account; its password is read from stdin")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--role", required=True, choices=("viewer", "editor", "admin"))
    q.add_argument("--email", help="the e-mail single sign-on vouches for (optional)")
    q.add_argument("--no-password", action="store_true",
                   help="no password: the account signs in only through single sign-on")
    q.add_argument("--user", help=USER_HELP)
    q = users_sub.add_parser("list", help="list the accounts and their roles")
    q.add_argument("--json", action="store_true", help="print one JSON array")
    q = users_sub.add_parser("remove", help="remove an account (its changes stay in history)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--user", help=USER_HELP)
    q = users_sub.add_parser("set-role", help="change an account's role")
    q.add_argument("name", metavar="NAME")
    q.add_argument("role", choices=("viewer", "editor", "admin"))
    q.add_argument("--user", help=USER_HELP)
    q = users_sub.add_parser("password", help="set an account's password (read from stdin)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--user", help=USER_HELP)
    p.set_defaults(func=_cmd_user)
    return parser


USER_HELP = ("the account that signs in to write (default: $KCN_ATLAS_USER or the login "
             "name); its password comes from $KCN_ATLAS_PASSWORD or standard input")


class _Stderr(logging.Handler):
    """Say what the store reports while it works (a writer waiting for the lock)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"kcn-atlas: {record.getMessage()}", file=sys.stderr)


_HANDLER = _Stderr(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    geo_log = logging.getLogger("geo")
    if _HANDLER not in geo_log.handlers:
        geo_log.addHandler(_HANDLER)
    from geo.auth import UserError
    from geo.edit import EditConflict, EditRefused

    try:
        return int(args.func(args))
    except PermissionError as exc:  # sign-in failed, or the role does not allow it
        print(f"kcn-atlas: refused: {exc}", file=sys.stderr)
        return 1
    except (EditRefused, EditConflict, UserError) as exc:
        print(f"kcn-atlas: not saved: {exc}", file=sys.stderr)
        return 1
    except (StoreError, RegisterFormatError, settings.SettingError, LookupError,
            OSError) as exc:
        print(f"kcn-atlas: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
