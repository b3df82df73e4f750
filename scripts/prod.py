"""Run the archive as production does: nginx in front of gunicorn, with production settings.

    python -m scripts.prod --port 8000            # what `make prod` runs
    python -m scripts.prod --port 8000 --workdir /tmp/trackii-prod

It migrates, collects the static files and loads the archive's content into an empty database,
then starts gunicorn (deploy/gunicorn.conf.py) on a free local port and nginx
(deploy/nginx.conf.template) on the given one, and stops both on Ctrl-C or SIGTERM, or when
either exits. Settings come from the environment as in production; for use on one's own
machine over plain HTTP, debug is forced off and these defaults fill what is unset: a secret
key generated once and kept in the work folder, no redirect to HTTPS, and local host names.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
LOCAL_DEFAULTS = {
    # nginx is in front, and sets X-Forwarded-Proto and X-Forwarded-For.
    "DJANGO_BEHIND_PROXY": "true",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1,[::1]",
}
STARTUP_SECONDS = 60


class ProdError(Exception):
    """The stack could not be started."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(workdir: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The production environment: debug off, and local defaults for what is unset."""
    env = dict(os.environ if base is None else base)
    env["DJANGO_DEBUG"] = "false"
    for name, value in LOCAL_DEFAULTS.items():
        env.setdefault(name, value)
    if not env.get("DJANGO_SECRET_KEY"):
        env["DJANGO_SECRET_KEY"] = _local_secret_key(workdir)
    return env


def _local_secret_key(workdir: Path) -> str:
    # Kept, so that sessions survive a restart; never committed (the work folder is ignored).
    path = workdir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def render_nginx(workdir: Path, listen: str, upstream: str) -> Path:
    """Write nginx's configuration for this run into the work folder and return its path."""
    text = TEMPLATE.read_text()
    for name, value in {"RUN": str(workdir), "LISTEN": listen, "UPSTREAM": upstream}.items():
        text = text.replace(f"@{name}@", value)
    path = workdir / "nginx.conf"
    path.write_text(text)
    return path


def prepare(env: dict[str, str]) -> None:
    """Migrate, collect static files and load the archive's content into an empty database."""
    for command in (
        ["migrate", "--noinput", "--verbosity", "0"],
        ["collectstatic", "--noinput", "--verbosity", "0"],
        ["load_initial_data"],
    ):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)


@dataclass
class Stack:
    gunicorn: subprocess.Popen
    nginx: subprocess.Popen
    port: int

    def processes(self) -> tuple[subprocess.Popen, ...]:
        return (self.nginx, self.gunicorn)


def _wait_for_port(port: int, processes, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise ProdError(f"{process.args[0]} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise ProdError(f"nothing answered on port {port} within {seconds:.0f} s")


def stop(stack: Stack) -> None:
    """Stop what this script started, by process id: nginx first, then gunicorn."""
    for process in stack.processes():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM if process is stack.gunicorn else signal.SIGQUIT)
    for process in stack.processes():
        try:
            process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def running(
    port: int, workdir: Path, *, host: str = "127.0.0.1", env: dict[str, str] | None = None
) -> Iterator[Stack]:
    """Start gunicorn and nginx with production settings; stop both on leaving."""
    if not Path(NGINX).exists():
        raise ProdError("nginx is not installed: apt-get install nginx (make prod does it as root)")
    workdir.mkdir(parents=True, exist_ok=True)
    env = environment(workdir, env)
    prepare(env)
    app_port = free_port()
    logs = (workdir / "gunicorn.log").open("ab")
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)]
        + ["--bind", f"127.0.0.1:{app_port}"],
        cwd=ROOT,
        env=env,
        stdout=logs,
        stderr=subprocess.STDOUT,
    )
    config = render_nginx(workdir, f"{host}:{port}", f"127.0.0.1:{app_port}")
    nginx = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(config), "-e", str(workdir / "nginx-error.log")]
        + ["-g", "daemon off;"],
        cwd=workdir,
    )
    stack = Stack(gunicorn, nginx, port)
    try:
        _wait_for_port(app_port, stack.processes(), STARTUP_SECONDS)
        _wait_for_port(port, stack.processes(), STARTUP_SECONDS)
        yield stack
    finally:
        stop(stack)
        logs.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="nginx's port (default 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="nginx's address (default 127.0.0.1)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=ROOT / "var" / "prod",
        help="logs, nginx's temporary files and the local secret key (default var/prod)",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with running(args.port, args.workdir.resolve(), host=args.host) as stack:
            print(f"Serving http://{args.host}:{args.port}/ (nginx → gunicorn); Ctrl-C stops.")
            while all(p.poll() is None for p in stack.processes()):
                time.sleep(0.5)
            print("A server exited; stopping. See the logs in", args.workdir, file=sys.stderr)
            return 1
    except ProdError as exc:
        print(f"make prod: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
