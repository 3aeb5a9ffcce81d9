# Foundation benchmark (issue 3): directory -> zstd -3 -> OpenPGP -> local disk, Backroute against the shell
# pipeline, plus JVM start-up overhead and peak RSS at -Xmx96m. Sourced by bench/run.sh after lib.sh.

DIR_MB="${BENCH_DIR_MB:-1024}"
RSS_SIZES_MB="${BENCH_RSS_MB:-256 2048}"
TINY_KB=64

# dir_job JOB PATH: a bench job as the demo job writes it (dump:directory -> zstd -> OpenPGP -> store:local).
dir_job() {
    cat > "$SCRATCH/routes/$1.camel.yaml" <<YAML
# Benchmark job written by bench/foundation.sh: a generated directory to local disk.
- route:
    id: $1
    description: Benchmark directory to local disk
    routeConfigurationId: backup-job
    from:
      id: $1-trigger
      uri: direct:$1
      steps:
        - to:
            id: $1-dump
            uri: dump:directory
            parameters:
              path: "$2"
        - to:
            id: $1-compress
            uri: codec:zstd
            parameters:
              level: 3
              workers: $ZSTD_WORKERS
        - to:
            id: $1-encrypt
            uri: codec:openpgp
            parameters:
              recipients: "$SCRATCH/bench-public.asc"
        - to:
            id: $1-store
            uri: store:local
YAML
}

gen_dir() {
    local mb="$1" dir="$SCRATCH/data/dir-${1}MiB"
    if [ ! -f "$dir.done" ]; then
        say "generating $mb MiB directory $dir (once; reused by later runs)"
        rm -rf "$dir"
        python3 "$REPO/bench/gen_dir.py" "$dir" "$mb" >&2 || die "data generation failed for $dir"
        touch "$dir.done"
    fi
    echo "$dir"
}

# One shell pipeline run: the same tree, same level, same key, one output file. A third argument "-z 0" turns off
# gpg's own zlib pass (on by default when gpg reads a pipe), which Backroute never does.
shell_pipeline() {
    local threads="$1" dir="$2" gpg_opts="${3:-}" out="$SCRATCH/out/shell.tar.zst.gpg"
    rm -f "$out"
    time_cmd "$SCRATCH/logs/shell-T$threads.log" bash -o pipefail -c \
        "tar -c -C '$dir' . | zstd -q -3 -T$threads | gpg --batch --quiet --trust-model always $gpg_opts --encrypt -r '$KEY_FPR' > '$out'"
    OUT_BYTES=$(stat -c %s "$out")
    rm -f "$out"
}

backroute_dir() {
    local job="$1" log="$SCRATCH/logs/$1.log"; shift
    rm -rf "$SCRATCH/out/backroute/$job"
    run_backroute "$log" "$job" "$@"
    OUT_BYTES=$(find "$SCRATCH/out/backroute/$job" -name '*.gpg' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
    DETAIL=$(backroute_detail "$log" "$SECONDS_TAKEN")
}

# The artifact must restore with the standard tools, or the timings mean nothing.
verify_artifact() {
    local job="$1" dir="$2" artifact n_expected n_got
    artifact=$(find "$SCRATCH/out/backroute/$job" -name '*.tar.zst.gpg' | head -1)
    [ -n "$artifact" ] || die "no artifact of $job under $SCRATCH/out/backroute/$job"
    n_expected=$(find "$dir" -type f | wc -l)
    n_got=$(gpg --batch --quiet --decrypt "$artifact" 2>/dev/null | zstd -d -q | tar -t | grep -vc '/$')
    [ "$n_got" -eq "$n_expected" ] || die "$artifact lists $n_got files, $dir has $n_expected"
    say "verified $artifact with gpg | zstd -d | tar -t ($n_got files)"
}

bench_foundation() {
    need java gpg zstd tar python3 /usr/bin/time
    make_key
    mkdir -p "$SCRATCH/logs" "$SCRATCH/out" "$SCRATCH/data" "$SCRATCH/routes"
    local dir tiny input tiny_bytes
    dir=$(gen_dir "$DIR_MB")
    tiny="$SCRATCH/data/tiny"
    if [ ! -d "$tiny" ]; then
        mkdir -p "$tiny" && head -c $((TINY_KB * 1024)) /dev/urandom > "$tiny/random.bin" && seq 1 5000 > "$tiny/lines.txt"
    fi
    rm -f "$SCRATCH"/routes/*.camel.yaml
    dir_job bench-dir "$dir"
    dir_job bench-tiny "$tiny"
    for mb in $RSS_SIZES_MB; do dir_job "bench-rss-${mb}mib" "$(gen_dir "$mb")"; done
    write_config < /dev/null
    input=$(bytes_of "$dir")
    tiny_bytes=$(bytes_of "$tiny")

    SAMPLES="$SCRATCH/foundation.samples.tsv"
    : > "$SAMPLES"
    local meta="$SCRATCH/foundation.meta"
    meta_common > "$meta"
    echo "input_dir=$dir ($input bytes)" >> "$meta"

    say "warm-up: page cache for the input, one untimed Backroute run"
    tar -c -C "$dir" . > /dev/null
    backroute_dir bench-tiny
    backroute_dir bench-dir
    verify_artifact bench-dir "$dir"

    local r c
    for ((r = 0; r < RUNS; r++)); do
        for c in $(rotate "$r" backroute shell-zstd-T1 shell-zstd-T2 shell-zstd-T1-gpg-z0 backroute-tiny); do
            case "$c" in
                backroute) backroute_dir bench-dir; sample throughput backroute "$r" "$SECONDS_TAKEN" "$RSS_KB" "$input" "$OUT_BYTES" "$DETAIL" ;;
                shell-zstd-T1) shell_pipeline 1 "$dir"; sample throughput "$c" "$r" "$SECONDS_TAKEN" "$RSS_KB" "$input" "$OUT_BYTES" "" ;;
                shell-zstd-T2) shell_pipeline 2 "$dir"; sample throughput "$c" "$r" "$SECONDS_TAKEN" "$RSS_KB" "$input" "$OUT_BYTES" "" ;;
                shell-zstd-T1-gpg-z0) shell_pipeline 1 "$dir" "-z 0"; sample throughput "$c" "$r" "$SECONDS_TAKEN" "$RSS_KB" "$input" "$OUT_BYTES" "" ;;
                backroute-tiny) backroute_dir bench-tiny; sample startup "run-now tiny dir" "$r" "$SECONDS_TAKEN" "$RSS_KB" "$tiny_bytes" "$OUT_BYTES" "$DETAIL" ;;
            esac
            say "round $((r + 1))/$RUNS $c: $SECONDS_TAKEN s"
        done
    done

    for mb in $RSS_SIZES_MB; do
        local rdir="$SCRATCH/data/dir-${mb}MiB"
        backroute_dir "bench-rss-${mb}mib" -Xmx96m
        sample rss "backroute -Xmx96m ${mb} MiB" 0 "$SECONDS_TAKEN" "$RSS_KB" "$(bytes_of "$rdir")" "$OUT_BYTES" "$DETAIL"
        say "rss ${mb} MiB: $RSS_KB KiB in $SECONDS_TAKEN s"
        rm -rf "$SCRATCH/out/backroute/bench-rss-${mb}mib"
    done
    rm -rf "$SCRATCH/out/backroute"

    echo "load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$meta"
    python3 "$REPO/bench/report.py" report foundation "$SAMPLES" "$meta" "$REPO/bench/results" shell-zstd-T1 \
        backroute:shell-zstd-T1:0.9 backroute:shell-zstd-T2:0.9 backroute:shell-zstd-T1-gpg-z0:0.9
}
