# Shared helpers for the Backroute benchmarks; sourced by bench/run.sh (not executable on its own).
# Every timed command is a whole command line (JVM start-up included): nothing is subtracted.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$REPO/target/backroute.jar"
SCRATCH="${BENCH_SCRATCH:-/tmp/backroute-bench}"
RUNS="${BENCH_RUNS:-3}"
ZSTD_WORKERS="${BENCH_ZSTD_WORKERS:-2}"
JAVA="${JAVA:-java}"

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

need() {
    local missing=()
    for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
    [ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]} (Debian: apt-get install -y ${missing[*]/pg_dump/postgresql-client})"
}

check_scratch() {
    SCRATCH="$(realpath -m "$SCRATCH")"
    case "$SCRATCH/" in
        "$(realpath "$REPO")"/*) die "BENCH_SCRATCH=$SCRATCH is inside the repository; pick a directory outside it" ;;
    esac
    mkdir -p "$SCRATCH" || die "cannot create scratch directory $SCRATCH"
    [ -w "$SCRATCH" ] || die "scratch directory $SCRATCH is not writable"
}

build_jar() {
    if [ "${BENCH_SKIP_BUILD:-0}" = 1 ] && [ -f "$JAR" ]; then
        say "BENCH_SKIP_BUILD=1: using existing $JAR"
        return
    fi
    say "building $JAR"
    (cd "$REPO" && mvn -B -q -o package -DskipTests) || die "build failed: (cd $REPO && mvn -B -q -o package -DskipTests)"
}

# A throw-away gpg home with one encryption key (gpg's default algorithm); every contender encrypts to it.
# The gpg-agent that gpg starts for this home is stopped when the benchmark exits.
make_key() {
    export GNUPGHOME="$SCRATCH/gnupg"
    trap 'gpgconf --homedir "$GNUPGHOME" --kill gpg-agent 2>/dev/null' EXIT
    if [ ! -f "$SCRATCH/bench-public.asc" ]; then
        rm -rf "$GNUPGHOME"
        mkdir -p -m 700 "$GNUPGHOME"
        gpg --batch --quiet --passphrase '' --quick-gen-key 'Backroute Bench <bench@backroute.invalid>' \
            default default never 2>/dev/null || die "gpg key generation failed in $GNUPGHOME"
        gpg --batch --armor --export bench@backroute.invalid > "$SCRATCH/bench-public.asc"
    fi
    KEY_FPR="$(gpg --batch --with-colons --list-keys bench@backroute.invalid 2>/dev/null | awk -F: '$1 == "fpr" {print $10; exit}')"
    [ -n "$KEY_FPR" ] || die "no bench key in $GNUPGHOME; delete $SCRATCH/bench-public.asc and rerun"
}

# Writes $SCRATCH/bench.properties: the shipped config minus the demo, routes from $SCRATCH/routes plus the
# shared pipeline routes, all state under $SCRATCH. Extra key=value lines come on stdin.
write_config() {
    mkdir -p "$SCRATCH/routes" "$SCRATCH/state"
    {
        grep -Ev '^(camel\.main\.routes-include-pattern|backroute\.(data-dir|staging-dir|catalog\.file|demo\.bootstrap|destinations\.local\.path))=' \
            "$REPO/config/application.properties"
        echo
        echo "# ---- benchmark overrides (written by bench/lib.sh)"
        echo "camel.main.routes-include-pattern=file:$REPO/routes/pipeline/*.camel.yaml,file:$SCRATCH/routes/*.camel.yaml"
        echo "backroute.data-dir=$SCRATCH/state"
        echo "backroute.staging-dir=$SCRATCH/state/staging"
        echo "backroute.catalog.file=$SCRATCH/state/catalog.db"
        echo "backroute.demo.bootstrap=false"
        echo "backroute.destinations.local.path=$SCRATCH/out/backroute"
        # every job needs a retention policy; the benchmark times the backup alone, so prune only on schedule
        echo "backroute.retention.after-run=false"
        for f in "$SCRATCH"/routes/*.camel.yaml; do
            [ -e "$f" ] && echo "jobs.$(basename "$f" .camel.yaml).retention.keep-last=3"
        done
        cat
    } > "$SCRATCH/bench.properties"
}

# Samples: one TSV line per measurement, read by bench/report.py.
# group  contender  round  seconds  maxrss_kb  input_bytes  output_bytes  detail(json)  cpu_seconds
SAMPLES=""
sample() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "$CPU_SECONDS" >> "$SAMPLES"; }

# time_cmd LOGFILE CMD...: runs CMD, sets SECONDS_TAKEN (wall, ns clock), RSS_KB (peak RSS of the largest
# process, GNU time %M) and CPU_SECONDS (user + system of the whole command tree: on a shared machine this
# moves far less with the load than wall time). Fails loudly with the log tail when CMD fails.
time_cmd() {
    local log="$1"; shift
    local t0 t1 rc
    t0=$(date +%s%N)
    /usr/bin/time -f '%M %U %S' -o "$log.rss" "$@" > "$log" 2> "$log.err"
    rc=$?
    t1=$(date +%s%N)
    if [ $rc -ne 0 ]; then
        echo "bench: command failed (exit $rc): $*" >&2
        tail -n 20 "$log.err" "$log" >&2
        exit 1
    fi
    SECONDS_TAKEN=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
    RSS_KB=$(tail -n 1 "$log.rss" | awk '{print $1}')
    CPU_SECONDS=$(tail -n 1 "$log.rss" | awk '{printf "%.2f", $2 + $3}')
}

# run_backroute LOG JOB [JVM OPTS...]: one run-now of a bench job through bin/backroute (the launcher with the
# class-data archive; BENCH_CDS=0 runs plain `java -jar`); the run record (--json) lands in LOG.
run_backroute() {
    local log="$1" job="$2"; shift 2
    time_cmd "$log" env JAVA="$JAVA" JAVA_OPTS="$*" BACKROUTE_JAR="$JAR" BACKROUTE_CDS="${BENCH_CDS:-1}" \
        "$REPO/bin/backroute" --config "$SCRATCH/bench.properties" run-now --json "$job"
}

# JSON detail of a Backroute run: run duration inside the JVM and the copy to the destination, so the
# report can show where the wall time goes (JVM start-up + staging (dump, zstd, OpenPGP) + delivery).
backroute_detail() {
    python3 "$REPO/bench/report.py" detail "$1" "$2"
}

# Rotates a list: round r starts with element r mod n, so no contender always runs first (or last).
rotate() {
    local r="$1"; shift
    local a=("$@") n=$# i
    for ((i = 0; i < n; i++)); do echo "${a[$(((r + i) % n))]}"; done
}

bytes_of() { du -sb --apparent-size "$1" | awk '{print $1}'; }

meta_common() {
    {
        echo "git_commit=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null)$(cd "$REPO" && git diff --quiet HEAD 2>/dev/null || echo '+dirty')"
        echo "host_cpus=$(nproc)"
        echo "host_mem_mb=$(free -m | awk '/^Mem:/ {print $2}')"
        echo "load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "java=$("$JAVA" -version 2>&1 | head -1)"
        echo "zstd=$(zstd --version 2>&1 | head -1)"
        echo "gpg=$(gpg --version | head -1)"
        echo "runs=$RUNS"
        echo "scratch=$SCRATCH"
        echo "zstd_workers_backroute=$ZSTD_WORKERS"
    }
}
