"""How much slower is a search page than a product page, per backend and kind of query?

    python -m bench.search [--reviews 100000] [--db sqlite|postgres|all] [--engine-url URL]

For each database: a fresh database, migrate, seed_demo with N reviews (which also builds
the database search index), then in ONE process (bench.settings: DEBUG off; Django's test
client, no server) time ~30 runs each of the product page with 20 reviews (the baseline)
and the search page for five kinds of query, alternating between them so that machine
noise hits all alike. Each line gives p50 and p95 in milliseconds and the ratio of the
p50s; a search more than 3x slower than the product page is flagged. With --engine-url
(or SEARCH_URL) the same queries run once more on the engine, after index_rebuild().
"""

import argparse
import logging
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
import warnings
from urllib.parse import urlencode

from bench.product_page import (
    ROOT,
    BenchError,
    _check_product_page,
    _env,
    _run,
    drop_database,
    fresh_database,
    on_each_database,
)

DEFAULT_REVIEWS = 100_000
RUNS = 30
WARMUP = 3
SLOW_RATIO = 3.0
# From community/demo/content.py: "buckle" is in one English complaint about outdoor gear
# (about 1% of reviews), "price" in many English titles and sentences, 续航 in a Chinese
# one about motorcycles' range.
QUERIES = {
    "selective": {"q": "buckle"},
    "common": {"q": "price"},
    "chinese": {"q": "续航"},
    "filtered": {"q": "price", "brand": "brewmaster", "rating_min": "4"},
    "zero-match": {"q": "qwzxkjvbn"},
}
DEGRADED_MARKER = b"search-degraded"  # the reduced-mode notice's class
TOTAL_RE = re.compile(rb'data-total="(\d+)"')  # on the results section of search.html


# --- the child process: seed, then time requests in-process -----------------------------


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _timed(client, path: str, check) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    problem = check(response.status_code, response.content)
    if problem:
        raise BenchError(f"{path}: {problem}")
    return elapsed


def _search_check(expect_hits: bool, *, engine: bool):
    def check(status: int, body: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status}"
        match = TOTAL_RE.search(body)
        if not match:
            return "no results section"
        if expect_hits != (int(match.group(1)) > 0):
            return f"{match.group(1)} results"
        if engine and DEGRADED_MARKER in body:
            return "answered in reduced mode: the engine is down"
        return None

    return check


def _total(client, path: str) -> int:
    match = TOTAL_RE.search(client.get(path).content)
    return int(match.group(1)) if match else -1


def measure(client, product_path: str, *, label: str, engine: bool, runs: int) -> bool:
    """Time the product page and every query, interleaved; print one line per query.
    Returns True when a query was more than SLOW_RATIO times the product page."""
    paths = {name: "/search/?" + urlencode(params) for name, params in QUERIES.items()}
    checks = {name: _search_check(name != "zero-match", engine=engine) for name in QUERIES}
    for _round in range(WARMUP):
        _timed(client, product_path, _check_product_page)
        for name, path in paths.items():
            _timed(client, path, checks[name])
    baseline: list[float] = []
    samples: dict[str, list[float]] = {name: [] for name in QUERIES}
    for _round in range(runs):
        baseline.append(_timed(client, product_path, _check_product_page))
        for name, path in paths.items():
            samples[name].append(_timed(client, path, checks[name]))
    base_p50 = statistics.median(baseline)
    slow = False
    for name, values in samples.items():
        p50, p95 = statistics.median(values), _percentile(values, 0.95)
        ratio = p50 / base_p50
        flag = f"  <-- SLOW: more than {SLOW_RATIO:g}x" if ratio > SLOW_RATIO else ""
        slow = slow or bool(flag)
        print(
            f"search {label} {name}: p50 {p50:.1f} ms p95 {p95:.1f} ms = {ratio:.2f}x "
            f"product page (p50 {base_p50:.1f} ms) [{_total(client, paths[name])} results]"
            f"{flag}",
            flush=True,
        )
    return slow


def _engine_config(url: str) -> dict:
    return {
        "BACKEND": "search.backends.engine.EngineSearchBackend",
        "URL": url,
        "CLIENT": os.environ.get("SEARCH_CLIENT", "opensearch"),
        "INDEX_PREFIX": f"goodword-bench-{os.getpid()}",
        "TIMEOUT": 30,
    }


def _drop_engine_indices(url: str, prefix: str) -> None:
    request = urllib.request.Request(
        f"{url.rstrip('/')}/{prefix}*?expand_wildcards=all", method="DELETE"
    )
    try:
        urllib.request.urlopen(request, timeout=30).close()
    except OSError as exc:
        print(f"search: could not drop the bench's engine indices {prefix}*: {exc}", flush=True)


def _measure_child(*, reviews: int, kind: str, engine_url: str, runs: int) -> int:
    import django

    # WhiteNoise warns that collectstatic never ran; the pages do not need it.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    for name in ("opensearch", "elasticsearch", "elastic_transport"):  # a line per call
        logging.getLogger(name).setLevel(logging.ERROR)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from brand_clubs.models import Product
    from search.backends import reset_backends
    from search.services import index_rebuild

    started = time.perf_counter()
    call_command("seed_demo", reviews=reviews, quiet=True, verbosity=0)
    print(
        f"search {kind}: seeded {reviews} reviews and the database index in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    product = Product.objects.filter(rating_count__gte=20).order_by("-rating_count", "pk").first()
    if product is None:
        raise BenchError("no product has 20 reviews after seeding")
    client = Client(HTTP_HOST="127.0.0.1")
    slow = measure(
        client, product.get_absolute_url(), label=f"{kind}/database", engine=False, runs=runs
    )
    if engine_url:
        settings.SEARCH = _engine_config(engine_url)
        reset_backends()
        try:
            started = time.perf_counter()
            count = index_rebuild()
            print(
                f"search {kind}: engine index of {count} documents built in "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
            slow = (
                measure(
                    client,
                    product.get_absolute_url(),
                    label=f"{kind}/engine",
                    engine=True,
                    runs=runs,
                )
                or slow
            )
        finally:
            _drop_engine_indices(engine_url, settings.SEARCH["INDEX_PREFIX"])
            reset_backends()
    return 0


# --- the parent: one fresh database per kind ------------------------------------------


def bench_database(kind: str, *, reviews: int, engine_url: str, runs: int) -> None:
    database_url = fresh_database(kind, name="search")
    try:
        env = _env(database_url)
        env.pop("SEARCH_URL", None)  # the database backend first; the child switches
        _run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0", "--skip-checks"],
            env,
            "migrate",
        )
        args = [
            sys.executable,
            "-m",
            "bench.search",
            "--measure",
            kind,
            "--reviews",
            str(reviews),
            "--runs",
            str(runs),
        ]
        if engine_url:
            args += ["--engine-url", engine_url]
        result = subprocess.run(args, cwd=ROOT, env=env, timeout=3600, check=False)
        if result.returncode:
            raise BenchError(f"the measuring process exited with {result.returncode}")
    finally:
        drop_database(kind, name="search")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=DEFAULT_REVIEWS)
    parser.add_argument("--db", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument(
        "--engine-url", default=os.environ.get("SEARCH_URL", ""), help="also bench the engine"
    )
    parser.add_argument("--runs", type=int, default=RUNS, help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reviews < 100:
        parser.error("--reviews must be 100 or more (a product page needs 20 reviews)")
    if args.measure:
        try:
            return _measure_child(
                reviews=args.reviews, kind=args.measure, engine_url=args.engine_url, runs=args.runs
            )
        except BenchError as exc:
            print(f"search {args.measure}: FAILED: {exc}", flush=True)
            return 1
    return on_each_database(
        args.db,
        "search",
        lambda kind: bench_database(
            kind, reviews=args.reviews, engine_url=args.engine_url, runs=args.runs
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
