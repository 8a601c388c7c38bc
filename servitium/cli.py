"""The `servitium` command: run, demo, create-token, seal-changelog, verify-changelog, and every Django
management command (`servitium migrate`, `servitium createsuperuser`, ...)."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys

COMMAND_ALIASES = {
    "create-token": "create_token",
    "seal-changelog": "seal_changelog",
    "verify-changelog": "verify_changelog",
    "load-demo": "load_demo",
    "run-checks": "run_checks",
    "import-incidents": "import_incidents",
    "generate-incidents": "generate_incidents",
    "export-changelog": "export_changelog",
    "import-cis": "import_cis",
    "generate-cis": "generate_cis",
    "sync-frameworks": "sync_frameworks",
    "evidence-pack": "evidence_pack",
    "backup": "backup",
    "restore": "restore",
    "export-customer": "export_customer",
    "verify-export": "verify_export",
}


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")
    import django

    django.setup()


def default_workers() -> int:
    """One web process per core, at least 2 and at most 8 (each also runs a few threads)."""
    return max(2, min(8, os.cpu_count() or 2))


def _serve_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"servitium {prog}")
    parser.add_argument("--host", default=os.environ.get("SERVITIUM_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SERVITIUM_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=None, help="web worker processes (default: per core)")
    parser.add_argument("--threads", type=int, default=2, help="threads per web worker")
    parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")
    return parser


def _prepare() -> None:
    from django.core.management import call_command

    from .core.staticprep import collect_if_changed

    call_command("migrate", interactive=False, verbosity=0)
    collect_if_changed()  # hashing and compressing every file again costs ~40 s of CPU per start


def _serve(options: argparse.Namespace, banner: list[str] | None = None, quiet: bool = False) -> int:
    """Run granian (WSGI) and the Huey consumer as supervised children: one that dies is started again
    (granian also replaces a dead worker process itself); SIGTERM/SIGINT stops both cleanly. `banner` is
    printed once the server answers; `quiet` keeps granian to warnings."""
    from django.db import connections

    from .supervisor import Child, Supervisor

    connections.close_all()  # the migrations' connection: this process only watches from here on
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")
    # The web workers and the task worker count requests and failures in one directory, emptied now,
    # which /metrics adds up (core/metrics.py).
    from django.conf import settings

    from .core.metrics import MULTIPROC_ENV, prepare_multiprocess_dir

    env[MULTIPROC_ENV] = prepare_multiprocess_dir(settings.DATA_DIR / "metrics")
    workers = options.workers or default_workers()
    web = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        options.host,
        "--port",
        str(options.port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(options.threads),
        "--no-ws",
        # A worker process that dies is replaced by granian at once while the others keep answering;
        # granian gives up (and exits, so the supervisor restarts it) only when one dies again within 5.5 s.
        "--respawn-failed-workers",
        # A worker that missed the stop signal (it arrived while the worker was still loading) is killed.
        "--workers-kill-timeout",
        "10",
        # info: granian's own lines on starting and replacing workers (there is no per-request logging).
        "--log-level",
        "warning" if quiet else "info",
        "servitium.wsgi:application",
    ]
    children = [Child("web server", web)]
    if not options.no_worker:
        queue = [
            sys.executable,
            "-m",
            "servitium.cli",
            "run_huey",
            "--workers",
            "2",
            "--worker-type",
            "thread",
            *(["--quiet"] if quiet else []),  # warnings only
        ]
        # SIGINT: Huey's graceful stop (running tasks finish); SIGTERM would abandon them.
        children.append(Child("task worker", queue, stop_signal=signal.SIGINT))
    print(f"Servitium serving on http://{options.host}:{options.port}/ ({workers} web workers)", flush=True)
    if banner:
        _banner_when_ready(options.host, options.port, banner)
    return Supervisor(children, env).run()


def run(argv: list[str]) -> int:
    options = _serve_parser("run").parse_args(argv)
    _setup()
    _prepare()
    return _serve(options)


def demo_credentials() -> tuple[str, str]:
    """The demo administrator's login; the password is generated once and kept in the data dir."""
    from django.conf import settings

    path = settings.DATA_DIR / "demo_admin_password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return "admin", path.read_text().strip()


def demo(argv: list[str]) -> int:
    options = _serve_parser("demo").parse_args(argv)
    # The demo is usually opened over plain HTTP (no proxy): cookies must not demand TLS.
    os.environ.setdefault("SERVITIUM_HTTPS", "0")
    # Demo people have made-up addresses: mail goes to files in the data folder, not to an SMTP server (nor
    # onto the console, where it would bury the login).
    os.environ.setdefault("SERVITIUM_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    # Warnings and errors only: the workers' routine lines would bury the login too.
    os.environ.setdefault("SERVITIUM_LOG_LEVEL", "WARNING")
    _setup()
    _prepare()
    from django.conf import settings
    from django.core.management import call_command

    username, password = demo_credentials()
    call_command("load_demo", admin_username=username, admin_password=password, verbosity=1)
    lines = [
        f"Servitium demo is ready: http://{options.host}:{options.port}/",
        f"Sign in as {username!r} with the password {password!r}",
    ]
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        lines.append(f"Mail the demo sends is written to {settings.EMAIL_FILE_PATH}")
    lines.append("Stop it with Ctrl+C.")
    return _serve(options, banner=lines, quiet=True)


def _banner_when_ready(host: str, port: int, lines: list[str]) -> None:
    """Print `lines` framed, once the server answers (so they come after the start-up output)."""
    import socket
    import threading
    import time

    def wait_and_print() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((host, port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        rule = "=" * max(len(line) for line in lines)
        print("\n".join(["", rule, *lines, rule, ""]), flush=True)

    threading.Thread(target=wait_and_print, name="demo-banner", daemon=True).start()


def mailgate_command(argv: list[str]) -> int:
    """Print the fastest MTA pipe line for this installation (see docs/operator-guide.md)."""
    from .mailgate_client import pipe_command

    parser = argparse.ArgumentParser(prog="servitium mailgate-command")
    parser.add_argument("--url", default="https://sm.example.com", help="the running server's address")
    parser.add_argument("--token-file", default="/etc/servitium/mailgate.token", help="the gateway's key")
    options = parser.parse_args(argv)
    print(pipe_command(options.url, options.token_file))
    return 0


def _local_mailgate(argv: list[str]) -> int:
    """`servitium mailgate` without a server: the site's code takes the message in this process. A site
    that cannot start here (settings, environment) is a temporary failure for the MTA, never a bounce:
    the message waits in its queue until someone fixes it."""
    try:
        _setup()
    except Exception as exc:
        message = " ".join(str(exc).split())[:500]
        print(f"mailgate: temporary failure, try again later: {message}", file=sys.stderr)
        return 75  # EX_TEMPFAIL
    from django.core.management import execute_from_command_line

    execute_from_command_line(["servitium", "mailgate", *argv])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        print(
            "\nCommands: run, demo, create-token USERNAME, seal-changelog, verify-changelog, mailgate,"
            " mailgate-command, and any"
            " Django management command (servitium help-django lists them)."
        )
        return 0
    command, rest = argv[0], argv[1:]
    if command == "mailgate":
        from . import mailgate_client

        if mailgate_client.wants_server(rest):
            return mailgate_client.main(rest)
        return _local_mailgate(rest)
    if command == "mailgate-command":
        return mailgate_command(rest)
    if command == "run":
        return run(rest)
    if command == "demo":
        return demo(rest)
    if command == "help-django":
        command, rest = "help", rest
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["servitium", COMMAND_ALIASES.get(command, command), *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
