"""The command line: `stances [build|check|serve|new|init] [options]` (or `python build.py …` in a checkout)."""

from __future__ import annotations

import argparse
import gc
import logging
import re
import signal
import sys
import time
from pathlib import Path

from . import __version__
from .files import default_folder
from .problems import Problem, not_checked, report

log = logging.getLogger("stances")


def add_build_options(parser: argparse.ArgumentParser, building: bool = True) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    parser.add_argument("--templates", type=Path,
                        help="the site's own templates, each used instead of the default of the same name "
                             "(default: templates, when there is one)")
    parser.add_argument("--assets", type=Path,
                        help="the site's own assets, each used instead of the default of the same name "
                             "(default: assets, when there is one)")
    parser.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    parser.add_argument("--base-url", help="the published address, overriding site.yml's base_url")
    parser.add_argument("--archive", type=Path,
                        help="folder of archived source texts: check every quote and locator against them "
                             "(default: the folder site.yml's archive names, when it is there)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    if building:  # `serve` builds its own way: these would be ignored there
        parser.add_argument("--timings", action="store_true", help="print how long each stage took")
        parser.add_argument("--no-search", dest="search", action="store_false",
                            help="skip the search index (a quicker build; the search page then finds nothing)")
        parser.add_argument("--workers", type=int,
                            help="processes that read files and render (default: one per core)")


def parser() -> argparse.ArgumentParser:
    from .schema import KINDS

    main_parser = argparse.ArgumentParser(
        prog=Path(sys.argv[0]).name if sys.argv[0].endswith("build.py") else "stances",
        description="Build a footnoted explainer site from YAML records.")
    main_parser.add_argument("--version", action="version", version=f"stances {__version__}")
    commands = main_parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="validate and build the site (the default)")
    add_build_options(build)
    build.add_argument("--force", action="store_true",
                       help="build even when nothing the site is built from has changed since the last build")
    check = commands.add_parser("check", help="validate only; write nothing")
    add_build_options(check)
    check.add_argument("--annotations", action="store_true",
                       help="also print problems as GitHub Actions annotations (on by default under Actions)")
    serve = commands.add_parser("serve", help="build, serve with live reload, rebuild on change")
    add_build_options(serve, building=False)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--open", action="store_true", help="open a browser")
    kinds = [kind.name for kind in KINDS.values() if not kind.single]
    new = commands.add_parser("new", help="write a new record file from a commented template",
                              description="Write content/KIND/ID.yml: every field of the kind, each with its "
                                          "description as a comment.")
    new.add_argument("kind", metavar="KIND", help="kind of record: " + ", ".join(kinds))
    new.add_argument("id", metavar="ID", help="the new record's id, a lowercase slug")
    new.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    init = commands.add_parser("init", help="start a new explainer in a new folder",
                               description="Write a new explainer that builds, checks and publishes as it "
                                           "stands: site.yml and one commented example of each kind, the "
                                           "GitHub workflows, editor settings, a pre-commit config, a README, "
                                           "and a wheel of this stances in vendor/, which the workflows install.")
    init.add_argument("folder", metavar="DIR", type=Path,
                      help="the folder to make (it must be new or empty); with --upgrade, the explainer's folder")
    init.add_argument("--upgrade", action="store_true",
                      help="in an explainer made before, only replace the stances wheel in DIR/vendor/ (which "
                           "its requirements.txt names) and the schemas in DIR/schema/ with this stances' own")
    return main_parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "build")
    options = parser().parse_args(argv)
    logging.basicConfig(format="%(message)s", level=logging.WARNING if getattr(options, "quiet", False)
                        else logging.INFO, stream=sys.stdout)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind, so staging folders are removed
    try:
        return dispatch(options)
    except OSError as exc:  # the file system failed us somewhere the stages did not expect: say so, plainly
        where = f": {exc.filename}" if exc.filename else ""
        print(Problem("", 0, 0, f"{exc.strerror or exc}{where}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: nothing was replaced", file=sys.stderr)
        return 130


def dispatch(options) -> int:
    if options.command == "new":
        from .new import new_record
        return new_record(options.content, options.kind, options.id)
    if options.command == "init":
        from .init import init, upgrade
        return upgrade(options.folder) if options.upgrade else init(options.folder)
    for name in ("templates", "assets"):
        given = getattr(options, name)
        if given is not None and not given.is_dir():
            print(f"{given}:1:1: error: {name} folder not found", file=sys.stderr)
            return 1
        setattr(options, name, layered(given, name))
    if options.archive is None:
        options.archive = configured_archive(options.content)
    if options.command == "serve":
        from .serve import serve
        return serve(options)
    return build_once(options)


def layered(given: Path | None, name: str) -> tuple[Path, ...]:
    """The site's own templates or assets (given, or ./templates, ./assets when there), over the defaults:
    a file of the site's is used instead of the default of the same name, as Hugo's and Jekyll's themes do."""
    default = default_folder(name)
    own = given if given is not None else Path(name)
    if own.is_dir() and own.resolve() != default.resolve():
        return own, default
    return (default,)


def print_peaks(search_memory: int | None) -> None:
    """Under --timings: the peak memory of this process and, if it ran, of Pagefind's (Linux and macOS)."""
    try:
        import resource
    except ImportError:  # Windows
        return
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1 << 20 if sys.platform == "darwin" else 1 << 10)
    print(f"{'peak memory':>24}: {own} MB this process"
          + (f", {search_memory // (1 << 20)} MB Pagefind" if search_memory else ""), file=sys.stderr)


def configured_archive(content: Path) -> Path | None:
    """The archive folder site.yml names (`archive:`, from the folder that holds content/), if it exists."""
    try:
        text = (content / "site.yml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # the build says what is wrong with it
    if not re.search(r"^archive:", text, re.MULTILINE):
        return None  # no setting, and no YAML import on the way to "up to date"
    import yaml

    try:
        folder = yaml.load(text, Loader=yaml.CSafeLoader).get("archive")
    except (yaml.YAMLError, AttributeError):
        return None
    if not isinstance(folder, str) or not folder.strip():
        return None
    archive = content.parent / folder
    if archive.is_dir():
        return archive
    log.info("quotes not checked against the articles: %s (site.yml's archive) is not there", archive)
    return None


def build_once(options) -> int:
    """Run the pipeline once; print problems and a summary; return the exit status."""
    import os

    started = time.perf_counter()
    write = options.command != "check"
    annotations = getattr(options, "annotations", False) or os.environ.get("GITHUB_ACTIONS") == "true"
    from .files import apart, inputs_of

    refused = apart(options.out, inputs_of(options.content, options.templates, options.assets, options.archive))
    if write and not refused:  # first, before the pipeline's imports: is the last build's site still good?
        from . import uptodate

        read = uptodate.inputs(options)
        stamp = None if options.force else uptodate.unchanged(options, read)
        if stamp is not None:
            report([Problem(*problem) for problem in stamp["problems"]], options.strict, annotations)
            log.info("%s/ is up to date: nothing it is built from has changed since its last build "
                     "(%d pages, %d records, %d warnings, %.2f s); --force builds it again", options.out,
                     stamp["pages"], stamp["records"], len(stamp["problems"]), time.perf_counter() - started)
            return 0
        uptodate.forget(options.out)

    from .pipeline import BuildOptions, run
    from .progress import progress

    # A build makes a few hundred thousand objects that live until it ends, and little cyclic
    # garbage: collecting as often as Python does by default walks that growing heap again and
    # again (at 10,000 quotes, a third of the time spent reading and linking).
    gc.set_threshold(100_000, 50, 100)
    shown = progress(options.quiet)  # on a terminal: the stage, and pages written of the total
    try:
        result = run(BuildOptions.of(options), options.out if write else None, progress=shown)
    finally:
        shown.done()
    if getattr(options, "timings", False):
        for stage, spent in result.timings.items():
            print(f"{stage:>24}: {spent:7.2f} s", file=sys.stderr)
        print_peaks(result.search_memory)
    errors = report(result.problems, options.strict, annotations)
    warnings = sum(1 for problem in set(result.problems) if not problem.is_error)
    seconds = time.perf_counter() - started
    if result.unchecked:
        print(not_checked(result.unchecked), file=sys.stderr)
    if errors:
        print(f"failed: {errors} error(s), {warnings} warning(s); "
              + (f"{options.out}/ left as it was" if write else "nothing written"), file=sys.stderr)
        return 1
    if write:
        uptodate.remember(options, read, result.pages, result.records, sorted(set(result.problems)))
    what = f"{result.pages} pages" if write else "checked"
    log.info("%s, %d records, %d warnings, %.2f s", what, result.records, warnings, seconds)
    return 0
