"""How much slower is a product page with 20 reviews than a bare Django view?

    python -m bench.product_page [--db sqlite|postgres|all] [--seconds S]

For each database: a fresh database, migrate, seed_demo with a few hundred reviews, then
ONE Daphne process (bench.settings: DEBUG off) serving both the most-reviewed product's
page (20 reviews, the page size) and bench/bare/ (same middleware, no database, no
template). Short rounds alternate between the two URLs so that machine noise hits both;
the median requests per second of each and their ratio are printed, one line per database.
PostgreSQL is used when BENCH_POSTGRES_URL is set or a server answers on
postgres://postgres@127.0.0.1:5432; its bench database is dropped afterwards.
"""

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / ".data"  # git-ignored
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/goodword_bench"
SEED_REVIEWS = 300
REVIEWS_PER_PAGE = 20
REVIEW_MARKER = b'id="review-'  # one per <article> in templates/reviews/_review.html
BARE_PATH = "/bench/bare/"
CLIENT_THREADS = 4
ROUNDS = 5
SERVER_START_TIMEOUT = 60


class BenchError(Exception):
    pass


# --- databases ----------------------------------------------------------------------


def _postgres_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def postgres_available() -> bool:
    if os.environ.get("BENCH_POSTGRES_URL"):
        return True
    try:
        import psycopg

        with psycopg.connect(_postgres_url(), dbname="postgres", connect_timeout=3) as conn:
            conn.execute("select 1")
        return True
    except Exception:
        return False


def _postgres_admin(statements: list[str], *, url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise BenchError(f"No database name in {url}")
    with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=5) as conn:
        for statement in statements:
            conn.execute(sql.SQL(statement).format(name=sql.Identifier(name)))


def database_kinds(choice: str) -> list[str]:
    """The databases to bench for --db sqlite|postgres|all."""
    kinds = ["sqlite"] if choice in ("sqlite", "all") else []
    if choice in ("postgres", "all"):
        if postgres_available():
            kinds.append("postgres")
        elif choice == "postgres":
            raise BenchError(f"postgres: no server at {_postgres_url()}")
    return kinds


def database_url_for(kind: str, name: str) -> str:
    """Where the bench named `name` keeps its database of `kind`."""
    if kind == "sqlite":
        return f"sqlite:///{DATA / f'{name}.sqlite3'}"
    parts = urlsplit(_postgres_url())
    if name == "product_page":  # the historical name, kept for BENCH_POSTGRES_URL users
        return _postgres_url()
    return urlunsplit(parts._replace(path=f"{parts.path}_{name}"))


def fresh_database(kind: str, *, name: str = "product_page") -> str:
    """An empty database of `kind` for the bench `name`; returns its DATABASE_URL."""
    url = database_url_for(kind, name)
    if kind == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return url
    _postgres_admin(
        ["DROP DATABASE IF EXISTS {name} WITH (FORCE)", "CREATE DATABASE {name}"], url=url
    )
    return url


def drop_database(kind: str, *, name: str = "product_page") -> None:
    if kind == "postgres":
        _postgres_admin(
            ["DROP DATABASE IF EXISTS {name} WITH (FORCE)"], url=database_url_for(kind, name)
        )


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(DATA / "media"),
        PYTHONUNBUFFERED="1",
    )
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if result.returncode:
        raise BenchError(f"{what} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return result.stdout


def prepare(env: dict[str, str]) -> str:
    """Migrate and seed in child processes; return the path of a page with 20 reviews."""
    _run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0", "--skip-checks"],
        env,
        "migrate",
    )
    out = _run([sys.executable, "-m", "bench.product_page", "--seed-only"], env, "seed")
    return json.loads(out.strip().splitlines()[-1])["path"]


def _seed_only() -> None:
    """Child process: seed the configured database and print the product page's path."""
    import django

    django.setup()
    from django.core.management import call_command

    from brand_clubs.models import Product

    call_command("seed_demo", reviews=SEED_REVIEWS, quiet=True, verbosity=0)
    product = (
        Product.objects.filter(rating_count__gte=REVIEWS_PER_PAGE)
        .select_related("brand")
        .order_by("-rating_count", "pk")
        .first()
    )
    if product is None:
        raise SystemExit(f"No product has {REVIEWS_PER_PAGE} reviews after seeding.")
    print(json.dumps({"path": product.get_absolute_url(), "reviews": product.rating_count}))


# --- the server -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _daphne() -> list[str]:
    local = Path(sys.executable).parent / "daphne"
    if local.exists():
        return [str(local)]
    found = shutil.which("daphne")
    return [found] if found else [sys.executable, "-m", "daphne"]


def _get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _log_tail(log: Path, chars: int = 3000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def start_server(
    env: dict[str, str],
    log: Path,
    *,
    application: str = "community.asgi:application",
    daphne_args: tuple[str, ...] = (),
) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [*_daphne(), "-b", "127.0.0.1", "-p", str(port), *daphne_args, application],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"Daphne exited with {server.returncode}:\n{_log_tail(log)}")
        try:
            if _get(port, BARE_PATH, timeout=2)[0] == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise BenchError(f"Daphne did not answer within {SERVER_START_TIMEOUT} s:\n{_log_tail(log)}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


# --- the load -------------------------------------------------------------------------


def _check_product_page(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    found = body.count(REVIEW_MARKER)
    if found != REVIEWS_PER_PAGE:
        return f"{found} review articles instead of {REVIEWS_PER_PAGE}"
    return None


def _check_bare(status: int, body: bytes) -> str | None:
    return None if status == 200 and body == b"ok" else f"HTTP {status}"


def load(port: int, path: str, seconds: float, check) -> float:
    """Requests per second from CLIENT_THREADS keep-alive clients for `seconds`."""
    counts = [0] * CLIENT_THREADS
    errors: list[str] = []
    start = time.perf_counter()
    deadline = start + seconds

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.perf_counter() < deadline and not errors:
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    body = response.read()
                except (http.client.HTTPException, ConnectionError):
                    conn.close()  # the server closed a kept-alive connection: reconnect
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    continue
                problem = check(response.status, body)
                if problem:
                    errors.append(f"{path}: {problem}")
                    return
                counts[index] += 1
        except OSError as exc:
            errors.append(f"{path}: {exc}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - start
    if errors:
        raise BenchError(errors[0])
    return sum(counts) / elapsed


def bench_database(kind: str, seconds: float) -> str:
    database_url = fresh_database(kind)
    try:
        env = _env(database_url)
        product_path = prepare(env)
        log = DATA / f"daphne-{kind}.log"
        page, baseline = serve_and_measure(
            env, log=log, path=product_path, check=_check_product_page, seconds=seconds
        )
    finally:
        drop_database(kind)
    return ratio_line(f"product page ({REVIEWS_PER_PAGE} reviews) {kind}", page, baseline)


def serve_and_measure(env, *, log: Path, path: str, check, seconds: float) -> tuple[float, float]:
    """One Daphne process: check the page once (a wrong page is an error, not a
    figure), measure it against the bare view, stop the server."""
    server, port = start_server(env, log)
    try:
        problem = check(*_get(port, path))
        if problem:
            raise BenchError(f"{path}: {problem}; server log {log}:\n{_log_tail(log)}")
        return measure_against_bare(port, path, check, seconds)
    finally:
        stop_server(server)


def migrate_and_seed(env, module: str) -> dict:
    """Migrate the fresh database, run `python -m <module> --seed-only` in a child
    process and return the JSON object its last output line holds."""
    _run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0", "--skip-checks"],
        env,
        "migrate",
    )
    out = _run([sys.executable, "-m", module, "--seed-only"], env, "seed")
    return json.loads(out.strip().splitlines()[-1])


def measure_against_bare(port: int, path: str, check, seconds: float) -> tuple[float, float]:
    """Warm both URLs up, then alternate ROUNDS rounds of `path` and the bare view, so
    that machine noise hits both; return the median requests/s of each."""
    load(port, path, 1.0, check)
    load(port, BARE_PATH, 1.0, _check_bare)
    page, bare = [], []
    for _round in range(ROUNDS):
        page.append(load(port, path, seconds, check))
        bare.append(load(port, BARE_PATH, seconds, _check_bare))
    if not (all(page) and all(bare)):
        raise BenchError(f"no responses measured ({path} {page}, bare {bare})")
    return statistics.median(page), statistics.median(bare)


def ratio_line(label: str, page: float, baseline: float) -> str:
    return (
        f"{label}: {page:.1f} req/s vs bare view {baseline:.1f} req/s -> ratio "
        f"{page / baseline:.3f} ({baseline / page:.2f}x slower)"
    )


def on_each_database(db: str, label: str, run) -> int:
    """Run `run(kind)` for each database `--db` names; a failure on one is printed as
    "<label> <kind>: FAILED: ..." and the others still run. The exit status."""
    try:
        kinds = database_kinds(db)
    except BenchError as exc:
        print(exc, file=sys.stderr)
        return 1
    failed = False
    for kind in kinds:
        try:
            run(kind)
        except BenchError as exc:
            failed = True
            print(f"{label} {kind}: FAILED: {exc}", flush=True)
    return 1 if failed else 0


def page_bench_main(argv, *, doc: str, label: str, bench_database, seed_only) -> int:
    """The command line shared by the page benchmarks (--db, --seconds, --seed-only)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one round")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed_only:
        seed_only()
        return 0
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    return on_each_database(
        args.db, label, lambda kind: print(bench_database(kind, args.seconds), flush=True)
    )


def main(argv=None) -> int:
    return page_bench_main(
        argv,
        doc=__doc__,
        label=f"product page ({REVIEWS_PER_PAGE} reviews)",
        bench_database=bench_database,
        seed_only=_seed_only,
    )


if __name__ == "__main__":
    sys.exit(main())
