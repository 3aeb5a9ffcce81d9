#!/usr/bin/env bash
# Fan-out benchmark (issue 4): one artifact of SIZE_MIB to local + S3 + SFTP + SMB against local alone, in the
# same run of this script, medians of ROUNDS; then the peak RSS of the backroute JVM at -Xmx$XMX for each of
# RSS_SIZES (MiB), fanning out to all four. Servers: S3Proxy, MINA SSHD and a private smbd on 127.0.0.1
# (io.backroute.bench.FanOutBenchServers; smbd needs root and the samba package). See bench/FANOUT.md.
#   bench/fanout.sh                      # full size: 1 GiB x 3 rounds, RSS at 256 MiB and 2 GiB
#   SIZE_MIB=64 ROUNDS=1 RSS_SIZES=64 bench/fanout.sh   # smoke
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MIB=${SIZE_MIB:-1024}
ROUNDS=${ROUNDS:-3}
RSS_SIZES=${RSS_SIZES:-"256 2048"}
XMX=${XMX:-128m}
W=$(realpath -m "${BENCH_DIR:-target/bench-fanout}")
ALL=local,s3,sftp,smb

rm -rf "$W" && mkdir -p "$W"
echo "== building (offline)"
mvn -q -o -B package -DskipTests
mvn -q -o -B dependency:build-classpath -Dmdep.outputFile="$W/cp.txt" -Dmdep.includeScope=test

echo "== starting S3, SFTP and SMB servers"
java -Xmx512m -Dlog4j2.configurationFile="$PWD/src/test/resources/log4j2-test.xml" \
  -cp "target/test-classes:target/classes:$(cat "$W/cp.txt")" io.backroute.bench.FanOutBenchServers \
  "$W/servers.properties" "$W/keys" > "$W/servers.log" 2>&1 &
SERVERS=$!
trap 'kill $SERVERS 2>/dev/null; wait $SERVERS 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  [[ -f "$W/servers.properties" ]] && break
  kill -0 $SERVERS 2>/dev/null || { echo "servers died:"; tail -20 "$W/servers.log"; exit 1; }
  sleep 0.5
done
[[ -f "$W/servers.properties" ]] || { echo "servers did not start in 120 s"; exit 1; }
prop() { grep "^$1=" "$W/servers.properties" | cut -d= -f2-; }

mkdir -p "$W/routes"
cat > "$W/routes/bench.camel.yaml" <<'YAML'
# Benchmark job: one generated file, zstd, OpenPGP, then the destinations named by jobs.bench.destinations.
- route:
    id: bench
    routeConfigurationId: backup-job
    from:
      id: bench-trigger
      uri: direct:bench
      steps:
        - to: {id: bench-dump, uri: dump:directory, parameters: {path: "{{jobs.bench.directory}}"}}
        - to: {id: bench-compress, uri: codec:zstd}
        - to: {id: bench-encrypt, uri: codec:openpgp, parameters: {recipients: "{{jobs.demo.recipients}}"}}
        - to: {id: bench-store, uri: "store:{{jobs.bench.destinations}}"}
YAML
{
  cat config/application.properties
  echo "# ---- bench overrides"
  echo "camel.main.routes-include-pattern=file:routes/pipeline/*.camel.yaml,file:$W/routes/bench.camel.yaml"
  echo "backroute.data-dir=$W/data"
  echo "backroute.staging-dir=$W/data/staging"
  echo "backroute.catalog.file=$W/data/catalog.db"
  echo "backroute.destinations.local.path=$W/local"
  echo "jobs.demo.recipients=$W/keys/demo-public.asc"
  echo "jobs.bench.destinations=local"
  echo "jobs.bench.retention.keep-last=3"
  echo "backroute.retention.after-run=false"
  grep '^backroute.destinations' "$W/servers.properties"
} > "$W/application.properties"

data() {  # data directory holding one incompressible file of $1 MiB (zstd cannot shrink it: artifact ~ input)
  local d="$W/input-$1"
  if [[ ! -d "$d" ]]; then
    mkdir -p "$d"
    head -c $(( $1 * 1024 * 1024 )) /dev/urandom > "$d/blob.bin"
  fi
  echo "$d"
}

clean() {  # keep disk use flat: remove stored copies between runs
  rm -rf "$W/local"/* "$(prop bench.clean.sftp)"/* "$(prop bench.clean.smb)"/* "$(prop bench.clean.s3)"/* 2>/dev/null || true
}

TICK=$(getconf CLK_TCK)
cpu() {  # CPU seconds (user+system, with reaped children) of pid $1, 0 if gone
  awk -v t="$TICK" '{ sub(/^.*\) /, ""); print ($12 + $13 + $14 + $15) / t }' "/proc/$1/stat" 2>/dev/null || echo 0
}
servers_cpu() {  # the servers' JVM (S3Proxy, SSHD) and smbd (its per-connection children are reaped into it)
  local s=0 p
  for p in $SERVERS $(pgrep -P "$SERVERS" smbd || true); do s=$(awk -v a="$s" -v b="$(cpu "$p")" 'BEGIN{print a+b}'); done
  echo "$s"
}

# one run: prints "wall_s fanout_s peak_rss_kib status per-destination-seconds client_cpu_s servers_cpu_s"
run() {
  local dests=$1 mib=$2 dir
  dir=$(data "$mib")
  clean
  local t0 t1 c0 c1
  c0=$(servers_cpu)
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M %U %S' -o "$W/rss.txt" java -Xmx$XMX -Djobs.bench.destinations="$dests" -Djobs.bench.directory="$dir" \
    -jar target/backroute.jar --config "$W/application.properties" run-now bench --json > "$W/run.json" 2> "$W/run.err" || true
  t1=$(date +%s.%N)
  c1=$(servers_cpu)
  python3 - "$W/run.json" "$t0" "$t1" "$(tail -1 "$W/rss.txt")" "$c0" "$c1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
d = r.get("destinations") or []
fan = max((x["durationMs"] for x in d), default=0) / 1000
per = " ".join(f'{x["destination"]}={x["durationMs"]/1000:.1f}s{"" if x["ok"] else "(FAILED)"}' for x in d)
rss, user, system = sys.argv[4].split()
print(f'{float(sys.argv[3]) - float(sys.argv[2]):.1f} {fan:.1f} {rss} {r["status"]} {per} '
      f'client_cpu={float(user) + float(system):.1f}s servers_cpu={float(sys.argv[6]) - float(sys.argv[5]):.1f}s')
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "== fan-out of $SIZE_MIB MiB, $ROUNDS rounds each (wall = whole JVM run incl. staging; fan-out = slowest destination)"
: > "$W/single.txt"; : > "$W/all.txt"
for i in $(seq 1 "$ROUNDS"); do
  line=$(run local "$SIZE_MIB"); echo "  local           round $i: $line"; echo "$line" >> "$W/single.txt"
  line=$(run "$ALL" "$SIZE_MIB"); echo "  $ALL round $i: $line"; echo "$line" >> "$W/all.txt"
done
sw=$(cut -d' ' -f1 "$W/single.txt" | median); sf=$(cut -d' ' -f2 "$W/single.txt" | median)
aw=$(cut -d' ' -f1 "$W/all.txt" | median); af=$(cut -d' ' -f2 "$W/all.txt" | median)
printf '\n| %s MiB | wall median (s) | fan-out median (s) |\n| --- | --- | --- |\n' "$SIZE_MIB"
printf '| local alone | %s | %s |\n| %s | %s | %s |\n' "$sw" "$sf" "$ALL" "$aw" "$af"
printf '| ratio | %s | %s |\n' "$(awk "BEGIN{printf \"%.2fx\", $aw/$sw}")" "$(awk "BEGIN{printf \"%.2fx\", $af/($sf>0?$sf:0.1)}")"
echo "(target: wall ratio <= 1.25x)"
cpu_med() { grep -o "$1=[0-9.]*" "$2" | cut -d= -f2 | median; }
printf '\nCPU seconds, medians: local alone: client %s, servers %s; %s: client %s, servers %s (2 cores: CPU/2 bounds the wall time from below)\n' \
  "$(cpu_med client_cpu "$W/single.txt")" "$(cpu_med servers_cpu "$W/single.txt")" "$ALL" \
  "$(cpu_med client_cpu "$W/all.txt")" "$(cpu_med servers_cpu "$W/all.txt")"

# Reference: the standard tools copy the same bytes to the same servers, in parallel, from the page cache
# (cp; aws s3 cp; curl sftp://; smbclient put). It shows what this machine allows without Backroute.
tools_round() {
  local f=$1 t0 t1 pids=() rc=0
  clean
  t0=$(date +%s.%N)
  ( cp "$f" "$W/local/ref.bin" && sync -d "$W/local/ref.bin" ) & pids+=($!)
  ( AWS_ACCESS_KEY_ID=$(prop backroute.destinations.s3.accessKey) AWS_SECRET_ACCESS_KEY=$(prop backroute.destinations.s3.secretKey) \
    AWS_DEFAULT_REGION=us-east-1 AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required \
    aws s3 cp --only-show-errors "$f" "s3://$(prop backroute.destinations.s3.bucket)/ref.bin" \
      --endpoint-url "$(prop backroute.destinations.s3.endpoint)" ) & pids+=($!)
  ( curl --fail --silent --show-error --insecure -T "$f" \
      -u "$(prop backroute.destinations.sftp.username):$(prop backroute.destinations.sftp.password)" \
      "sftp://127.0.0.1:$(prop backroute.destinations.sftp.port)/~/bench/ref.bin" ) & pids+=($!)
  ( smbclient "//127.0.0.1/$(prop backroute.destinations.smb.share)" -p "$(prop backroute.destinations.smb.port)" \
      -U "$(prop backroute.destinations.smb.username)%$(prop backroute.destinations.smb.password)" \
      -c "put $f bench/ref.bin" > "$W/smbclient.log" 2>&1 ) & pids+=($!)
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  t1=$(date +%s.%N)
  [[ $rc == 0 ]] || { echo "reference tools failed" >&2; return 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f\n", b-a}'
}
if [[ ${TOOLS:-1} == 1 ]]; then
  echo
  echo "== reference: cp + aws s3 cp + curl sftp + smbclient put of the same $SIZE_MIB MiB, in parallel ($ROUNDS rounds)"
  mkdir -p "$W/local"
  f="$(data "$SIZE_MIB")/blob.bin"
  : > "$W/tools.txt"
  for i in $(seq 1 "$ROUNDS"); do
    c0=$(servers_cpu); t=$(tools_round "$f"); c1=$(servers_cpu)
    echo "  round $i: $t s (servers_cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.1f", b-a}')s)"; echo "$t" >> "$W/tools.txt"
  done
  echo "  median: $(median < "$W/tools.txt") s, against Backroute's fan-out median $af s"
fi

echo
echo "== peak RSS at -Xmx$XMX, fan-out to $ALL"
printf '| artifact | peak RSS (MiB) | status |\n| --- | --- | --- |\n'
for mib in $RSS_SIZES; do
  line=$(run "$ALL" "$mib")
  printf '| %s MiB | %s | %s |\n' "$mib" "$(( $(echo "$line" | cut -d' ' -f3) / 1024 ))" "$(echo "$line" | cut -d' ' -f4-)"
  rm -rf "$W/input-$mib"
done
clean
