#!/usr/bin/env bash
# Restore benchmark: `backroute restore JOB --latest --to postgresql://...` against the shell pipeline
# `gpg -d FILE | zstd -d | pg_restore -d NEWDB`, on the same artifact in the same run, alternating order.
# Prints each run, the medians and the ratio (shell median / backroute median; target >= 0.95).
#
#   bench/restore.sh                         # pgbench -i -s 50 + 200 MB random bytea, 3 runs each
#   BENCH_PGBENCH_SCALE=5 BENCH_RANDOM_MB=20 BENCH_RUNS=3 bench/restore.sh   # quick
#
# Needs PostgreSQL on 127.0.0.1 (scripts/services/postgres.sh), pgbench, gpg, zstd, and target/backroute.jar
# (built here with mvn -o package -DskipTests when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SCALE=${BENCH_PGBENCH_SCALE:-50}
RANDOM_MB=${BENCH_RANDOM_MB:-200}
RUNS=${BENCH_RUNS:-3}
export PGHOST=${BENCH_PG_HOST:-127.0.0.1} PGPORT=${BENCH_PG_PORT:-5432} PGUSER=${BENCH_PG_USER:-backroute_test}
export PGPASSWORD=${BENCH_PG_PASSWORD:-backroute-test-pw}
JAR=$ROOT/target/backroute.jar
# every Backroute command goes through the launcher (class-data archive); BENCH_CDS=0 runs plain java -jar
BR_CMD() { BACKROUTE_JAR="$JAR" BACKROUTE_CDS="${BENCH_CDS:-1}" "$ROOT/bin/backroute" "$@"; }
SRC_DB=bench_restore_src
BR_DB=bench_restore_br
SH_DB=bench_restore_sh

[ -f "$JAR" ] || mvn -B -o -q package -DskipTests
WORK=$(mktemp -d "$ROOT/target/bench-restore.XXXXXX")
export GNUPGHOME=$WORK/gnupg
cleanup() {
  dropdb --if-exists "$BR_DB" >/dev/null 2>&1 || true
  dropdb --if-exists "$SH_DB" >/dev/null 2>&1 || true
  [ -n "${BENCH_KEEP_SOURCE:-}" ] || dropdb --if-exists "$SRC_DB" >/dev/null 2>&1 || true
  gpgconf --kill gpg-agent >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "== source: pgbench -i -s $SCALE plus ${RANDOM_MB} MB random bytea in database $SRC_DB"
if [ -z "${BENCH_KEEP_SOURCE:-}" ] || ! psql -XAtqc "select 1" "$SRC_DB" >/dev/null 2>&1; then
  dropdb --if-exists "$SRC_DB"
  createdb "$SRC_DB"
  pgbench -i -s "$SCALE" -q "$SRC_DB" >/dev/null 2>&1
  # 1 MiB of random bytes per row (md5 of random values, so PostgreSQL needs no extension)
  psql -X -q -v ON_ERROR_STOP=1 -d "$SRC_DB" -c "create table random_blob (id int primary key, payload bytea)" \
    -c "insert into random_blob select i, (select string_agg(decode(md5(random()::text || i || j), 'hex'), ''::bytea)
        from generate_series(1, 65536) j) from generate_series(1, $RANDOM_MB) i" -c "analyze"
fi
psql -XAtc "select 'source size: ' || pg_size_pretty(pg_database_size('$SRC_DB'))" postgres

echo "== key pair (no passphrase) and the backroute configuration in $WORK"
mkdir -p "$GNUPGHOME" "$WORK/routes" && chmod 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'bench-restore <bench@example.invalid>' rsa3072 sign never
FPR=$(gpg --batch --with-colons --list-keys bench@example.invalid | awk -F: '/^fpr/ {print $10; exit}')
gpg --batch --quiet --passphrase '' --quick-add-key "$FPR" rsa3072 encr never 2>/dev/null
gpg --batch --armor --export bench@example.invalid > "$WORK/public.asc"
gpg --batch --armor --export-secret-keys bench@example.invalid > "$WORK/secret.asc"
cat > "$WORK/routes/bench-restore.camel.yaml" <<YAML
- route:
    id: bench-restore
    routeConfigurationId: backup-job
    from:
      id: bench-restore-schedule
      uri: quartz:bench/restore
      parameters:
        cron: "0 0 0 1 1 ? 2099"
      steps:
        - to:
            id: bench-restore-dump
            uri: dump:postgresql
            parameters:
              host: "$PGHOST"
              port: "$PGPORT"
              user: "$PGUSER"
              password: "{{env:PGPASSWORD}}"
              database: $SRC_DB
        - to: {id: bench-restore-compress, uri: "codec:zstd", parameters: {level: 3}}
        - to: {id: bench-restore-encrypt, uri: "codec:openpgp", parameters: {recipients: "$WORK/public.asc"}}
        - to: {id: bench-restore-store, uri: "store:local"}
YAML
# the project's configuration with the bench's keys appended (later keys win)
cp "$ROOT/config/application.properties" "$WORK/application.properties"
cat >> "$WORK/application.properties" <<PROPS
camel.main.name=bench-restore
camel.main.routes-include-pattern=file:$ROOT/routes/pipeline/*.camel.yaml,file:$WORK/routes/*.camel.yaml
camel.main.stream-caching-enabled=false
backroute.data-dir=$WORK/data
backroute.staging-dir=$WORK/data/staging
backroute.catalog.file=$WORK/data/catalog.db
backroute.destinations.local.kind=local
backroute.destinations.local.path=$WORK/backups
jobs.bench-restore.retention.keep-last=10
PROPS

echo "== backup: bin/backroute run-now bench-restore"
BR_CMD --config "$WORK/application.properties" run-now bench-restore >"$WORK/run.log" 2>&1 || { cat "$WORK/run.log"; exit 1; }
ARTIFACT=$(ls "$WORK"/backups/bench-restore/*.pgdump.zst.gpg)
echo "artifact: $(basename "$ARTIFACT") ($(du -h "$ARTIFACT" | cut -f1))"

backroute_restore() {
  dropdb --if-exists "$BR_DB"
  local t0; t0=$(now)
  BR_CMD --config "$WORK/application.properties" restore bench-restore --latest \
    --to "postgresql://$PGUSER@$PGHOST:$PGPORT/$BR_DB" --key "$WORK/secret.asc" >"$WORK/restore.log" 2>&1 \
    || { cat "$WORK/restore.log"; exit 1; }
  echo "$(now) - $t0" | bc
  # the restore's own time as backroute reports it (streaming, decrypting, loading; no JVM/Camel start)
  grep -o 'in [0-9]* ms' "$WORK/restore.log" | tail -1 | awk '{printf "%.3f\n", $2 / 1000}' >> "$WORK/br-inner.txt"
}
shell_restore() {
  dropdb --if-exists "$SH_DB"
  local t0; t0=$(now)
  createdb "$SH_DB"
  gpg --batch --quiet -d "$ARTIFACT" | zstd -q -d | pg_restore -d "$SH_DB"
  echo "$(now) - $t0" | bc
}
count() { psql -XAtc "select (select count(*) from pgbench_accounts) || '/' || (select count(*) from random_blob)" "$1"; }

: > "$WORK/br.txt"; : > "$WORK/sh.txt"; : > "$WORK/br-inner.txt"
# what every backroute command pays before it does anything: JVM, Camel, routes, validation
: > "$WORK/startup.txt"
for i in $(seq 1 "$RUNS"); do
  t0=$(now); BR_CMD --config "$WORK/application.properties" jobs >/dev/null 2>&1; echo "$(now) - $t0" | bc >> "$WORK/startup.txt"
done
for i in $(seq 1 "$RUNS"); do
  if [ $((i % 2)) -eq 1 ]; then b=$(backroute_restore); s=$(shell_restore); else s=$(shell_restore); b=$(backroute_restore); fi
  echo "$b" >> "$WORK/br.txt"; echo "$s" >> "$WORK/sh.txt"
  printf 'run %d: backroute restore %6.2f s   shell pipeline %6.2f s\n' "$i" "$b" "$s"
done
[ "$(count "$BR_DB")" = "$(count "$SRC_DB")" ] || { echo "backroute restore differs from the source"; exit 1; }
[ "$(count "$SH_DB")" = "$(count "$SRC_DB")" ] || { echo "shell restore differs from the source"; exit 1; }

BR=$(median < "$WORK/br.txt"); SH=$(median < "$WORK/sh.txt"); INNER=$(median < "$WORK/br-inner.txt")
START=$(median < "$WORK/startup.txt")
RATIO=$(echo "scale=3; $SH / $BR" | bc)
echo
echo "| restore of $(basename "$ARTIFACT") (pgbench -s $SCALE + $RANDOM_MB MB random), $RUNS runs | median s |"
echo "| --- | --- |"
printf '| gpg -d | zstd -d | pg_restore -d (baseline) | %.2f |\n' "$SH"
printf '| bin/backroute restore --latest --to postgresql://... | %.2f |\n' "$BR"
printf '| of which the restore itself (as reported by the command) | %.2f |\n' "$INNER"
printf '| backroute start-up alone (bin/backroute jobs) | %.2f |\n' "$START"
echo "ratio (baseline / backroute, target >= 0.95): $RATIO"
echo "ratio without start-up (baseline / restore itself): $(echo "scale=3; $SH / $INNER" | bc)"
awk -v r="$RATIO" 'BEGIN { exit !(r >= 0.95) }' || { echo "BELOW TARGET"; exit 2; }
