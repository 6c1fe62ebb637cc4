"""`loket import`: validate export files of the registration system and load them in one transaction."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from dashboard import delivery
from dashboard.cli.common import clear_progress, open_store, os_user
from dashboard.cli.deliver import run_delivery
from dashboard.config import Config
from dashboard.web.runtime import policy_from
from queries.accounts.access import Access
from queries.ingest import importer
from queries.ingest.importer import KIND_ORDER

REPORT_PREVIEW = 20  # rejected rows printed when the rest go to --report


def cmd_import(args, cfg: Config) -> int:
    """Validate export files and load them in one transaction (see docs/data-contract.md)."""
    paths = [Path(f) for f in args.files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"loket import: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    engine = open_store(cfg)
    user = (args.by or os_user())[:80]
    lang = args.lang
    shown = [0]
    report_file = open(args.report, "w", encoding="utf-8", newline="") if args.report else None  # noqa: SIM115
    writer = importer.ReportWriter(report_file, lang) if report_file else None
    interactive = sys.stderr.isatty()

    def on_error(error: importer.RowError) -> None:
        if writer is not None:
            writer(error)
        if writer is None or shown[0] < REPORT_PREVIEW:
            clear_progress(interactive)
            print(_error_line(error, lang), file=sys.stderr)
        shown[0] += 1

    last = [0.0]

    def progress(p: importer.Progress) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and p.fraction < 1:
            return
        last[0] = now
        phase = "checking" if p.phase == "check" else "loading"
        text = f"  [{p.file_number}/{p.files}] {p.file}: {phase} {p.rows:>11,} rows ({p.fraction:4.0%})"
        if interactive:
            print(f"\r{text}\x1b[K", end="", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)

    mode = "Checking (dry run)" if args.dry_run else "Checking and loading"
    print(f"{mode} {len(paths)} file{'s' if len(paths) != 1 else ''} as {user}...", file=sys.stderr)
    try:
        # The import records itself in the audit log (a load in its transaction, a rejected or
        # failed one with its batch rows); the store's refusals come back as plain reasons.
        result = importer.import_files(
            engine, paths, user=user, policy=None if args.dry_run else policy_from(cfg),
            valid_only=args.valid_only, dry_run=args.dry_run, kind=args.kind, on_error=on_error, progress=progress,
            audit=Access(user=user, role=None), via="cli")
    except Exception as exc:  # noqa: BLE001 - a file could not be read (or a fault): say so plainly, never SQL
        clear_progress(interactive)
        detail = f"{type(exc).__name__}: {exc}" if isinstance(exc, OSError) else type(exc).__name__
        print(f"loket import: the import failed and nothing was changed: {detail}", file=sys.stderr)
        return 1
    finally:
        if report_file is not None:
            report_file.close()
    clear_progress(interactive)
    if writer is not None and result.error_count > REPORT_PREVIEW:
        print(f"... and {result.error_count - REPORT_PREVIEW:,} more; all of them are in {args.report}", file=sys.stderr)
    print(_summary_table(result))
    code = _conclude(result, args)
    if code == 0 and result.refreshed and delivery.smtp_configured(cfg):  # a new release: its subscribers' packs
        return run_delivery(cfg, engine)
    return code


def _error_line(error, lang: str) -> str:
    where = f"{error.file}:{error.line}" if error.line else error.file
    column = f" [{error.column}]" if error.column else ""
    value = f" {error.value[:80]!r}" if error.value else ""
    return f"{where}{column}{value}: {error.reason(lang)}"


def _summary_table(result) -> str:
    lines = [f"{'file':<32} {'type':<15} {'rows':>10} {'rejected':>9} {'inserted':>9} {'updated':>9} "
             f"{'unchanged':>10}  status"]
    for f in result.files:
        lines.append(f"{f.name[:32]:<32} {f.kind or '-':<15} {f.rows:>10,} {f.rejected:>9,} {f.inserted:>9,} "
                     f"{f.updated:>9,} {f.unchanged:>10,}  {f.status or '-'}"
                     + (f" (batch {f.batch_id})" if f.batch_id else "")
                     + (f"; this file was imported before (batch {', '.join(map(str, f.seen_before))})"
                        if f.seen_before else ""))
    return "\n".join(lines)


def _conclude(result, args) -> int:
    if args.dry_run:
        if result.error_count:
            print(f"Dry run: nothing was changed. {result.error_count:,} error(s) in {result.rejected:,} row(s); "
                  "fix them, or load only the valid rows with --valid-only. Inserted/updated show what a load would do.")
            return 1
        print("Dry run: nothing was changed. The files are valid; inserted/updated show what a load would do.")
        return 0
    if result.store_error is not None:
        print(f"Nothing was changed: {result.store_error.reason()}")
        return 1
    if not result.committed:
        print(f"Nothing was changed: {result.error_count:,} error(s) in {result.rejected:,} row(s). "
              "Fix them and import again, or load only the valid rows with --valid-only.")
        return 1
    skipped = f" {result.rejected:,} rejected row(s) were skipped (--valid-only)." if result.rejected else ""
    due = (" An earlier load was not yet published; the published catalogue was refreshed."
           if result.refresh_was_due and result.refreshed else "")
    if result.changed == 0:
        print(f"Nothing new: every row was already in the store.{skipped}{due}")
    else:
        refreshed = " The published catalogue was refreshed." if result.refreshed else ""
        print(f"Loaded in {result.seconds:.1f} s.{skipped}{refreshed}")
    if result.refresh_error:
        print(f"The data were loaded, but refreshing the published catalogue failed ({result.refresh_error}); "
              "the pages show the old figures until a refresh succeeds (`loket refresh`; the next import or "
              "start of the app tries again, and `loket refresh --status` says whether one is due).")
        return 3
    return 0



def add_parsers(sub) -> None:
    imp = sub.add_parser(
        "import", help="validate export files of the registration system and load them in one transaction",
        description="Validate every row of every file first, then load them in one transaction. A file with "
                    "any error changes nothing, unless --valid-only. Rows are keyed by the source system's ids: "
                    "importing the same or an updated file again never duplicates. See docs/data-contract.md.")
    imp.add_argument("files", nargs="+", metavar="FILE", help="CSV (; or ,) or XLSX export files")
    imp.add_argument("--dry-run", action="store_true", help="check everything and report, but change nothing")
    imp.add_argument("--valid-only", action="store_true",
                     help="load the valid rows even when other rows (or files) are rejected")
    imp.add_argument("--kind", choices=KIND_ORDER, help="the file type (default: recognised from the header row)")
    imp.add_argument("--report", metavar="CSV", help="write every rejected row to this CSV file (then only the "
                                                     f"first {REPORT_PREVIEW} are printed)")
    imp.add_argument("--by", metavar="NAME", help="who imports, for the batch record (default: the OS user)")
    imp.add_argument("--lang", choices=("en", "nl"), default="en", help="language of the reasons (default: en)")
    imp.set_defaults(func=cmd_import)

