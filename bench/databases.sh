bench_databases() { die "not yet"; }
