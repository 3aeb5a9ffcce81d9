# Databases benchmark (issue 5): a pgbench database plus a table of random bytea, dumped by Backroute
# (dump:postgresql custom format -> zstd -3 -> OpenPGP -> local) against the shell pipeline
# pg_dump -Fc -Z0 | zstd -3 | gpg and against restic backup --stdin, plus peak RSS at -Xmx96m.
# Sourced by bench/run.sh after lib.sh.

PG_HOST="${BENCH_PG_HOST:-127.0.0.1}"
PG_PORT="${BENCH_PG_PORT:-5432}"
PG_USER="${BENCH_PG_USER:-backroute_test}"
PG_SCALE="${BENCH_PG_SCALE:-50}"
PG_BYTEA_MB="${BENCH_PG_BYTEA_MB:-200}"
PG_DB="bench_pgbench_s${PG_SCALE}_b${PG_BYTEA_MB}"

pg_conninfo() { echo "host=$PG_HOST port=$PG_PORT user=$PG_USER dbname=$1"; }

# The password reaches every client through one 0600 pgpass file, never argv.
pg_setup_auth() {
    local pw="${BENCH_PG_PASSWORD:-${BACKROUTE_TEST_PG_PASSWORD:-backroute-test-pw}}"
    umask 077
    printf '%s:%s:*:%s:%s\n' "$PG_HOST" "$PG_PORT" "$PG_USER" "${pw//:/\\:}" > "$SCRATCH/pgpass"
    umask 022
    export PGPASSFILE="$SCRATCH/pgpass"
    psql -qAt "$(pg_conninfo postgres)" -c 'select 1' > /dev/null 2>&1 \
        || die "cannot connect to PostgreSQL at $PG_HOST:$PG_PORT as $PG_USER; start it with scripts/services/postgres.sh (or set BENCH_PG_HOST/PORT/USER/PASSWORD)"
}

pg_generate() {
    if psql -qAt "$(pg_conninfo "$PG_DB")" -c 'select 1 from bench_ready' 2>/dev/null | grep -q 1; then
        return
    fi
    say "creating database $PG_DB: pgbench -i -s $PG_SCALE plus $PG_BYTEA_MB MiB of random bytea (once; reused by later runs)"
    psql -qAt "$(pg_conninfo postgres)" -c "drop database if exists $PG_DB" -c "create database $PG_DB" > /dev/null \
        || die "cannot create database $PG_DB"
    pgbench -q -i -s "$PG_SCALE" "$(pg_conninfo "$PG_DB")" >&2 || die "pgbench -i -s $PG_SCALE failed on $PG_DB"
    # 1 KiB values stay below the TOAST threshold, so the server stores the random bytes as they are
    psql -v ON_ERROR_STOP=1 -qAt "$(pg_conninfo "$PG_DB")" > /dev/null <<SQL || die "cannot fill random_bytea in $PG_DB"
create extension if not exists pgcrypto;
create table random_bytea (id int primary key, payload bytea not null);
insert into random_bytea select g, gen_random_bytes(1024) from generate_series(1, $PG_BYTEA_MB * 1024) g;
vacuum analyze;
create table bench_ready (done boolean);
insert into bench_ready values (true);
SQL
}

pg_job() {
    cat > "$SCRATCH/routes/bench-pg.camel.yaml" <<YAML
# Benchmark job written by bench/databases.sh: one PostgreSQL database to local disk.
- route:
    id: bench-pg
    description: Benchmark PostgreSQL database to local disk
    routeConfigurationId: backup-job
    from:
      id: bench-pg-trigger
      uri: direct:bench-pg
      steps:
        - to:
            id: bench-pg-dump
            uri: dump:postgresql
            parameters:
              host: "$PG_HOST"
              port: $PG_PORT
              database: "$PG_DB"
              user: "$PG_USER"
              passwordFile: "$SCRATCH/pgpass"
              format: custom
        - to:
            id: bench-pg-compress
            uri: codec:zstd
            parameters:
              level: 3
              workers: $ZSTD_WORKERS
        - to:
            id: bench-pg-encrypt
            uri: codec:openpgp
            parameters:
              recipients: "$SCRATCH/bench-public.asc"
        - to:
            id: bench-pg-store
            uri: store:local
YAML
}

# An argument "-z 0" turns off gpg's own zlib pass (on by default when gpg reads a pipe), which Backroute never does.
pg_shell_pipeline() {
    local gpg_opts="${1:-}" out="$SCRATCH/out/pg-shell.pgdump.zst.gpg"
    rm -f "$out"
    time_cmd "$SCRATCH/logs/pg-shell.log" bash -o pipefail -c \
        "pg_dump --no-password -Fc -Z0 '$(pg_conninfo "$PG_DB")' | zstd -q -3 | gpg --batch --quiet --trust-model always $gpg_opts --encrypt -r '$KEY_FPR' > '$out'"
    OUT_BYTES=$(stat -c %s "$out")
    rm -f "$out"
}

pg_dump_only() {
    local out="$SCRATCH/out/pg-only.pgdump"
    rm -f "$out"
    time_cmd "$SCRATCH/logs/pg-only.log" bash -o pipefail -c \
        "pg_dump --no-password -Fc -Z0 '$(pg_conninfo "$PG_DB")' > '$out'"
    OUT_BYTES=$(stat -c %s "$out")
    rm -f "$out"
}

# A fresh repository per run (init untimed): every run is a full first backup, like Backroute's, rather than
# a deduplicated repeat of identical bytes.
pg_restic() {
    export RESTIC_REPOSITORY="$SCRATCH/out/restic-repo" RESTIC_PASSWORD="bench-only" RESTIC_CACHE_DIR="$SCRATCH/restic-cache"
    rm -rf "$RESTIC_REPOSITORY"
    restic init -q > /dev/null || die "restic init failed in $RESTIC_REPOSITORY"
    time_cmd "$SCRATCH/logs/pg-restic.log" bash -o pipefail -c \
        "pg_dump --no-password -Fc -Z0 '$(pg_conninfo "$PG_DB")' | restic backup -q --stdin --stdin-filename '$PG_DB.pgdump'"
    OUT_BYTES=$(du -sb "$RESTIC_REPOSITORY" | awk '{print $1}')
    rm -rf "$RESTIC_REPOSITORY"
}

pg_backroute() {
    local log="$SCRATCH/logs/bench-pg.log"
    rm -rf "$SCRATCH/out/backroute/bench-pg"
    run_backroute "$log" bench-pg "$@"
    OUT_BYTES=$(find "$SCRATCH/out/backroute/bench-pg" -name '*.gpg' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
    DETAIL=$(backroute_detail "$log" "$SECONDS_TAKEN")
}

# The artifact must restore with the standard tools: pg_restore reads every byte of the archive into a SQL
# script (thrown away), gpg checks the MDC and zstd its frame checksum on the way.
# The same job inside an already-running service, started with `backroute trigger` over remote JMX: the path of
# every scheduled run, which pays no JVM start-up. Wall = the trigger command (its own JVM, the JMX calls and
# the run until it ends); CPU = the trigger's plus the service's during that time; RSS = the larger of the two.
SERVICE_PID=""
proc_cpu() { awk -v t="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

service_start() {
    local jmx http
    jmx=$(free_port); http=$(free_port)
    umask 077
    printf 'ops bench-jmx-pw\n' > "$SCRATCH/jmx.password"
    printf 'ops readwrite\n' > "$SCRATCH/jmx.access"
    printf 'bench-jmx-pw\n' > "$SCRATCH/jmx.client"
    umask 022
    {
        cat "$SCRATCH/bench.properties"
        echo "# ---- the service contender: its own state, ports and remote JMX"
        echo "backroute.data-dir=$SCRATCH/service-state"
        echo "backroute.staging-dir=$SCRATCH/service-state/staging"
        echo "backroute.catalog.file=$SCRATCH/service-state/catalog.db"
        echo "camel.server.port=$http"
        echo "camel.management.port=$http"
        echo "backroute.jmx.remote.port=$jmx"
        echo "backroute.jmx.remote.password-file=$SCRATCH/jmx.password"
        echo "backroute.jmx.remote.access-file=$SCRATCH/jmx.access"
    } > "$SCRATCH/bench-service.properties"
    env JAVA="$JAVA" BACKROUTE_JAR="$JAR" BACKROUTE_CDS="${BENCH_CDS:-1}" \
        "$REPO/bin/backroute" --config "$SCRATCH/bench-service.properties" > "$SCRATCH/logs/service.log" 2>&1 &
    SERVICE_PID=$!
    trap 'service_stop; gpgconf --homedir "$GNUPGHOME" --kill gpg-agent 2>/dev/null' EXIT
    local i
    for i in $(seq 1 120); do
        # up = answering (its health may be DOWN: the bench job has no successful run in this catalog yet)
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/observe/health")" != 000 ] && return 0
        kill -0 "$SERVICE_PID" 2> /dev/null || { tail -n 20 "$SCRATCH/logs/service.log" >&2; die "the service exited"; }
        sleep 0.5
    done
    die "the service did not answer on port $http within 60 s (see $SCRATCH/logs/service.log)"
}

service_stop() {
    if [ -n "$SERVICE_PID" ] && kill -0 "$SERVICE_PID" 2> /dev/null; then
        kill "$SERVICE_PID"
        wait "$SERVICE_PID" 2> /dev/null || true
    fi
    SERVICE_PID=""
}

pg_service() {
    local log="$SCRATCH/logs/bench-pg-service.log" c0 c1 hwm
    rm -rf "$SCRATCH/out/backroute/bench-pg"
    c0=$(proc_cpu "$SERVICE_PID")
    time_cmd "$log" env JAVA="$JAVA" BACKROUTE_JAR="$JAR" BACKROUTE_CDS="${BENCH_CDS:-1}" \
        "$REPO/bin/backroute" --config "$SCRATCH/bench-service.properties" trigger bench-pg --password-file "$SCRATCH/jmx.client"
    c1=$(proc_cpu "$SERVICE_PID")
    CPU_SECONDS=$(awk -v a="$CPU_SECONDS" -v b="$c0" -v c="$c1" 'BEGIN {printf "%.2f", a + c - b}')
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVICE_PID/status")
    [ "$hwm" -gt "$RSS_KB" ] && RSS_KB=$hwm
    OUT_BYTES=$(find "$SCRATCH/out/backroute/bench-pg" -name '*.gpg' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
    grep -q ': SUCCESS in ' "$log" || die "the triggered run did not succeed: $(cat "$log")"
}

pg_verify() {
    local artifact
    artifact=$(find "$SCRATCH/out/backroute/bench-pg" -name '*.pgdump.zst.gpg' | head -1)
    [ -n "$artifact" ] || die "no artifact of bench-pg under $SCRATCH/out/backroute/bench-pg"
    gpg --batch --quiet --decrypt "$artifact" 2>/dev/null | zstd -d -q | pg_restore --file=/dev/null \
        || die "$artifact does not restore with gpg --decrypt | zstd -d | pg_restore"
    say "verified $artifact with gpg --decrypt | zstd -d | pg_restore"
}

bench_databases() {
    need java gpg zstd psql pg_dump pgbench restic python3 /usr/bin/time
    make_key
    mkdir -p "$SCRATCH/logs" "$SCRATCH/out" "$SCRATCH/routes"
    pg_setup_auth
    pg_generate
    rm -f "$SCRATCH"/routes/*.camel.yaml
    pg_job
    write_config < /dev/null

    SAMPLES="$SCRATCH/databases.samples.tsv"
    : > "$SAMPLES"
    local meta="$SCRATCH/databases.meta"
    meta_common > "$meta"
    {
        echo "database=$PG_DB (pgbench -i -s $PG_SCALE + $PG_BYTEA_MB MiB random bytea)"
        echo "database_size=$(psql -qAt "$(pg_conninfo "$PG_DB")" -c "select pg_database_size(current_database())")"
        echo "pg_dump=$(pg_dump --version)"
        echo "restic=$(restic version)"
    } >> "$meta"

    say "warm-up: one untimed pg_dump and Backroute run"
    pg_dump_only
    local input="$OUT_BYTES"
    echo "dump_bytes=$input (pg_dump -Fc -Z0, the input of every contender)" >> "$meta"
    pg_backroute
    pg_verify
    service_start
    pg_service
    pg_verify

    local r c
    for ((r = 0; r < RUNS; r++)); do
        for c in $(rotate "$r" backroute backroute-service shell-pipeline shell-pipeline-gpg-z0 restic pg_dump-only); do
            case "$c" in
                backroute) pg_backroute; sample throughput backroute "$r" "$SECONDS_TAKEN" "$RSS_KB" "$input" "$OUT_BYTES" "$DETAIL" ;;
                backroute-service) pg_service; sample throughput "$c" "$r" "$SECONDS_TAKEN" "$RSS_KB" "$input" "$OUT_BYTES" "" ;;
                shell-pipeline-gpg-z0) pg_shell_pipeline "-z 0"; sample throughput "$c" "$r" "$SECONDS_TAKEN" "$RSS_KB" "$input" "$OUT_BYTES" "" ;;
                shell-pipeline) pg_shell_pipeline; sample throughput "$c" "$r" "$SECONDS_TAKEN" "$RSS_KB" "$input" "$OUT_BYTES" "" ;;
                restic) pg_restic; sample throughput "$c" "$r" "$SECONDS_TAKEN" "$RSS_KB" "$input" "$OUT_BYTES" "" ;;
                pg_dump-only) pg_dump_only; sample throughput "$c" "$r" "$SECONDS_TAKEN" "$RSS_KB" "$input" "$OUT_BYTES" "" ;;
            esac
            say "round $((r + 1))/$RUNS $c: $SECONDS_TAKEN s"
        done
    done

    service_stop
    pg_backroute -Xmx96m
    sample rss "backroute -Xmx96m" 0 "$SECONDS_TAKEN" "$RSS_KB" "$input" "$OUT_BYTES" "$DETAIL"
    say "rss: $RSS_KB KiB in $SECONDS_TAKEN s"
    rm -rf "$SCRATCH/out/backroute"

    echo "load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$meta"
    python3 "$REPO/bench/report.py" report databases "$SAMPLES" "$meta" "$REPO/bench/results" shell-pipeline \
        backroute:shell-pipeline:1.0 backroute:shell-pipeline-gpg-z0:1.0 backroute:restic:1.5 \
        backroute-service:shell-pipeline:1.0 backroute-service:restic:1.5
}
