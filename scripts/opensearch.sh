#!/usr/bin/env bash
# scripts/opensearch.sh — a real, throwaway OpenSearch 2.5.0 for search tests (TEST-ONLY).
#
# What it is
#   This machine reaches only the PyPI, Debian and npm registries, and none of them ships an
#   Elasticsearch server. The npm package @dragon-den/dopensearch@2.4.0 (pinned) is an
#   unofficial republish of the unpacked OpenSearch 2.5.0 linux-x64 tar distribution, without
#   a bundled JDK; the machine's Java 17 runs it. This script installs it, runs one
#   single-node instance on loopback over plain HTTP, and stops it.
#   TEST-ONLY: never use this for production; production uses the official distributions.
#
# Usage
#   scripts/opensearch.sh install   # npm-install the pinned package into $OPENSEARCH_HOME (idempotent)
#   scripts/opensearch.sh start     # install if needed, start, wait until yellow, print version JSON (idempotent)
#   scripts/opensearch.sh stop      # stop the instance started from $OPENSEARCH_RUN (pidfile; bounded wait)
#   scripts/opensearch.sh status    # print cluster health and exit 0, or "not running" and exit 1
#
# Environment
#   OPENSEARCH_HOME   install cache, outside the repo   (default /var/cache/goodword/opensearch)
#   OPENSEARCH_RUN    runtime dir: config, data, logs    (default /var/tmp/goodword-opensearch)
#   OPENSEARCH_PORT   HTTP port on 127.0.0.1             (default 9200)
#   OPENSEARCH_HEAP   JVM heap, -Xms = -Xmx              (default 512m)
#   OPENSEARCH_START_TIMEOUT  seconds to wait for yellow (default 90)
#   OPENSEARCH_JAVA_HOME      JDK to use (default: derived from `java` on PATH)
#
# How it runs (and why)
#   * The distribution in node_modules stays read-only. $OPENSEARCH_RUN is an OpenSearch "home"
#     of its own: a copy of bin/, symlinks to lib/ and modules/, an EMPTY plugins/ (the bundled
#     plugins do not start as shipped, and the security plugin must not load: plain HTTP),
#     plus config/ (copied from the distribution, OPENSEARCH_PATH_CONF points there), data/,
#     logs/ and tmp/. OpenSearch reads plugins only from <home>/plugins, hence this layout.
#   * opensearch.yml: single-node discovery, network.host 127.0.0.1 (so production bootstrap
#     checks are skipped), http.port, disk thresholds off; action.auto_create_index left default.
#   * OpenSearch refuses to run as root: it runs as nobody:nogroup via setpriv; the runtime
#     dir is chowned to nobody. It is backgrounded with setsid (not `-d`) so the script knows
#     the java pid at once and reports an early crash without waiting out the timeout;
#     OpenSearch writes $OPENSEARCH_RUN/opensearch.pid, which `stop` uses.
#   * After start, replicas default to 0 so single-node indices go green: the persistent
#     cluster setting cluster.default_number_of_replicas=0 (covers every index), plus a
#     legacy index template `goodword-defaults` matching `*` (order -1) with
#     index.number_of_replicas 0. It is a legacy (_template) one on purpose: a composable
#     `*` template would clash with any app composable template of the same priority, and an
#     index matched by a composable template ignores legacy templates (hence the setting too).
#   * Data persists in $OPENSEARCH_RUN/data across restarts; tests must create/delete their
#     own indices (or remove $OPENSEARCH_RUN while stopped for a clean slate).
set -euo pipefail

PKG_NAME="@dragon-den/dopensearch"
PKG_VERSION="2.4.0"           # npm version; the distribution inside is OpenSearch 2.5.0
OPENSEARCH_HOME="${OPENSEARCH_HOME:-/var/cache/goodword/opensearch}"
OPENSEARCH_RUN="${OPENSEARCH_RUN:-/var/tmp/goodword-opensearch}"
OPENSEARCH_PORT="${OPENSEARCH_PORT:-9200}"
OPENSEARCH_HEAP="${OPENSEARCH_HEAP:-512m}"
OPENSEARCH_START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-90}"

DIST="$OPENSEARCH_HOME/node_modules/$PKG_NAME/target"
PIDFILE="$OPENSEARCH_RUN/opensearch.pid"
URL="http://127.0.0.1:$OPENSEARCH_PORT"
RUN_USER=nobody
RUN_GROUP=nogroup

log() { echo "opensearch.sh: $*" >&2; }
die() { log "$*"; exit 1; }

installed_version() {
    local pj="$OPENSEARCH_HOME/node_modules/$PKG_NAME/package.json"
    [[ -f $pj && -x $DIST/bin/opensearch ]] || return 0
    sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$pj" | head -n1
}

cmd_install() {
    if [[ $(installed_version) == "$PKG_VERSION" ]]; then
        log "$PKG_NAME@$PKG_VERSION already installed in $OPENSEARCH_HOME"
        return 0
    fi
    command -v npm >/dev/null || die "npm not found (apt-get install npm)"
    mkdir -p "$OPENSEARCH_HOME"
    # A package.json of its own so npm does not walk up into some other project.
    [[ -f $OPENSEARCH_HOME/package.json ]] ||
        echo '{"name":"goodword-opensearch-cache","private":true}' >"$OPENSEARCH_HOME/package.json"
    log "installing $PKG_NAME@$PKG_VERSION into $OPENSEARCH_HOME (~190 MB download)"
    (cd "$OPENSEARCH_HOME" &&
        npm install --ignore-scripts --no-audit --no-fund --save-exact --loglevel=error \
            "$PKG_NAME@$PKG_VERSION")
    [[ $(installed_version) == "$PKG_VERSION" ]] || die "install failed: no $DIST/bin/opensearch"
    # nobody must be able to read the distribution.
    chmod -R a+rX "$OPENSEARCH_HOME/node_modules"
    log "installed: $(sed -n 's/^  version: *//p' "$DIST/manifest.yml" | head -n1 | sed 's/^/OpenSearch /')"
}

answering() { curl -fsS --max-time 3 "$URL/" >/dev/null 2>&1; }

# Prints the pid from the pidfile if that process is alive and is OpenSearch.
live_pid() {
    [[ -f $PIDFILE ]] || return 1
    local pid
    pid=$(tr -dc '0-9' <"$PIDFILE")
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'org.opensearch.bootstrap.OpenSearch' || return 1
    echo "$pid"
}

java_home() {
    if [[ -n ${OPENSEARCH_JAVA_HOME:-} ]]; then echo "$OPENSEARCH_JAVA_HOME"; return; fi
    local java
    java=$(command -v java) || die "java not found on PATH (apt-get install openjdk-17-jre-headless)"
    java=$(readlink -f "$java")
    echo "${java%/bin/java}"
}

prepare_runtime() {
    local r=${OPENSEARCH_RUN:?}
    # It gets chowned and partly deleted: refuse anything but an absolute, non-root path.
    [[ $r == /?* && $r != *..* && ${r%/} != "" ]] || die "refusing OPENSEARCH_RUN=$r"
    mkdir -p "$r"/{config,data,logs,tmp,plugins}
    # Empty plugins folder: nothing bundled loads (no security plugin => plain HTTP).
    find "$r/plugins" -mindepth 1 -delete
    # bin/ is copied (the launcher derives its home from the script's real path), lib/ and
    # modules/ are symlinked to the read-only distribution.
    rm -rf "${r:?}/bin"
    cp -a "$DIST/bin" "$r/bin"
    ln -sfn "$DIST/lib" "$r/lib"
    ln -sfn "$DIST/modules" "$r/modules"
    # Distribution config (first time only: keeps the keystore between runs); ours is rewritten.
    cp -an "$DIST/config/." "$r/config/"
    cat >"$r/config/opensearch.yml" <<EOF
# Written by scripts/opensearch.sh — test-only single node, plain HTTP on loopback.
cluster.name: goodword-test
node.name: goodword-test-node
discovery.type: single-node
network.host: 127.0.0.1
http.port: $OPENSEARCH_PORT
path.data: $r/data
path.logs: $r/logs
cluster.routing.allocation.disk.threshold_enabled: false
EOF
    # Heap also set via OPENSEARCH_JAVA_OPTS (applied last); keep jvm.options consistent.
    sed -i -e "s/^-Xms.*/-Xms$OPENSEARCH_HEAP/" -e "s/^-Xmx.*/-Xmx$OPENSEARCH_HEAP/" "$r/config/jvm.options"
    chown -R "$RUN_USER:$RUN_GROUP" "$r"
}

put_defaults_template() {
    # Cluster-wide default (applies whatever templates match) plus the legacy template.
    curl -fsS --max-time 10 -X PUT "$URL/_cluster/settings" \
        -H 'Content-Type: application/json' \
        -d '{"persistent":{"cluster.default_number_of_replicas":0}}' \
        >/dev/null || die "could not set cluster.default_number_of_replicas"
    curl -fsS --max-time 10 -X PUT "$URL/_template/goodword-defaults" \
        -H 'Content-Type: application/json' \
        -d '{"index_patterns":["*"],"order":-1,"settings":{"index":{"number_of_replicas":0}}}' \
        >/dev/null || die "could not PUT index template goodword-defaults"
}

show_log_tail() {
    local f
    for f in "$OPENSEARCH_RUN/logs/startup.out" "$OPENSEARCH_RUN/logs/goodword-test.log"; do
        [[ -s $f ]] || continue
        echo "----- tail of $f -----" >&2
        tail -n 40 "$f" >&2
    done
}

# True if pid exists and is not a zombie.
alive() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ -n $st && $st != Z* ]]
}

cmd_start() {
    if answering; then
        log "already answering on $URL"
        put_defaults_template
        curl -fsS "$URL/"
        return 0
    fi
    cmd_install
    local pid
    if pid=$(live_pid); then
        log "OpenSearch (pid $pid) is already starting; waiting for it"
    else
        command -v setpriv >/dev/null || die "setpriv not found (apt-get install util-linux)"
        prepare_runtime
        rm -f "$PIDFILE"
        local jh
        jh=$(java_home)
        log "starting OpenSearch on $URL (JAVA_HOME=$jh, heap $OPENSEARCH_HEAP, runtime $OPENSEARCH_RUN)"
        # Background it ourselves rather than with -d: setsid, setpriv, the launcher script and
        # java all exec in turn, so $! is the java pid and an early death is seen at once.
        # -q: no console logging (the log files are in $OPENSEARCH_RUN/logs).
        pid=$(
            cd "$OPENSEARCH_RUN"
            export JAVA_HOME="$jh"
            unset OPENSEARCH_JAVA_HOME JAVA_TOOL_OPTIONS JAVA_OPTS
            export OPENSEARCH_PATH_CONF="$OPENSEARCH_RUN/config"
            export OPENSEARCH_TMPDIR="$OPENSEARCH_RUN/tmp"
            export OPENSEARCH_JAVA_OPTS="-Xms$OPENSEARCH_HEAP -Xmx$OPENSEARCH_HEAP"
            export HOME="$OPENSEARCH_RUN/tmp"
            setsid setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --clear-groups \
                "$OPENSEARCH_RUN/bin/opensearch" -q -p "$PIDFILE" \
                </dev/null >"$OPENSEARCH_RUN/logs/startup.out" 2>&1 &
            echo $!
        )
    fi
    local deadline=$((SECONDS + OPENSEARCH_START_TIMEOUT))
    until curl -fsS --max-time 3 "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; do
        if ! alive "$pid"; then
            show_log_tail
            die "OpenSearch exited during startup; see $OPENSEARCH_RUN/logs"
        fi
        if ((SECONDS >= deadline)); then
            show_log_tail
            log "not healthy after ${OPENSEARCH_START_TIMEOUT}s"
            stop_pid "$pid" || true
            die "start failed; see $OPENSEARCH_RUN/logs"
        fi
        sleep 1
    done
    put_defaults_template
    log "up (pid $pid)"
    curl -fsS "$URL/"
}

cmd_stop() {
    local pid
    if ! pid=$(live_pid); then
        rm -f "$PIDFILE"
        if answering; then
            die "something answers on $URL but no OpenSearch pid in $PIDFILE; not touching it"
        fi
        log "not running"
        return 0
    fi
    stop_pid "$pid"
}

# SIGTERM, up to 30 s, then SIGKILL, up to 10 s more.
stop_pid() {
    local pid=$1 i
    log "stopping OpenSearch (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do
        alive "$pid" || { rm -f "$PIDFILE"; log "stopped"; return 0; }
        sleep 0.5
    done
    log "still alive after 30s; sending SIGKILL to pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
        alive "$pid" || { rm -f "$PIDFILE"; log "killed"; return 0; }
        sleep 0.5
    done
    die "could not stop pid $pid"
}

cmd_status() {
    local health
    if health=$(curl -fsS --max-time 5 "$URL/_cluster/health" 2>/dev/null); then
        echo "$health"
        return 0
    fi
    echo "not running"
    return 1
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *)
        echo "usage: $0 {install|start|stop|status}" >&2
        exit 2
        ;;
esac
