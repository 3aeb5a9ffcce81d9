#!/usr/bin/env python3
"""Turns the samples of one benchmark run into a table of medians, spreads and same-run ratios, and the
same figures as JSON under bench/results/.

usage: report.py report NAME SAMPLES.tsv META.env RESULTS_DIR BASELINE [CHECK ...]
         CHECK = contender:other:min_ratio, "contender is at least min_ratio times as fast as other"
       report.py detail RUN_RECORD.json WALL_SECONDS    (breakdown of one Backroute run, as JSON)
"""
import datetime
import json
import os
import statistics
import sys

MB = 1e6


def detail(record_file, wall):
    """Where a Backroute run's wall time went, from its run record (run-now --json)."""
    with open(record_file) as f:
        text = f.read()
    rec = json.loads(text[text.index("{"):])

    def ms(ts):
        return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000

    run_ms = ms(rec["end"]) - ms(rec["start"])
    delivery_ms = sum(d.get("durationMs", 0) for d in rec.get("destinations", []))
    out = {
        "status": rec["status"],
        "plain_bytes": rec.get("plainBytes"),
        "stored_bytes": rec.get("storedBytes"),
        "jvm_and_camel_s": round(float(wall) - run_ms / 1000, 3),
        "staging_s": round((run_ms - delivery_ms) / 1000, 3),
        "delivery_s": round(delivery_ms / 1000, 3),
    }
    print(json.dumps(out, separators=(",", ":")))


def load(samples):
    rows = []
    with open(samples) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 7:
                continue
            rows.append({"group": p[0], "contender": p[1], "round": int(p[2]), "seconds": float(p[3]),
                         "maxrss_kb": int(p[4]) if p[4] else None, "input_bytes": int(p[5]),
                         "output_bytes": int(p[6]) if p[6] else None,
                         "detail": json.loads(p[7]) if len(p) > 7 and p[7] else None,
                         "cpu_s": float(p[8]) if len(p) > 8 and p[8] else None})
    return rows


def summarize(rows):
    secs = [r["seconds"] for r in rows]
    inp = rows[0]["input_bytes"]
    med = statistics.median(secs)
    s = {"runs": len(rows), "median_s": round(med, 3), "min_s": min(secs), "max_s": max(secs),
         "input_bytes": inp, "median_mb_s": round(inp / MB / med, 1) if med > 0 else None,
         "min_mb_s": round(inp / MB / max(secs), 1), "max_mb_s": round(inp / MB / min(secs), 1),
         "samples_s": secs}
    rss = [r["maxrss_kb"] for r in rows if r["maxrss_kb"]]
    if rss:
        s["peak_rss_mib"] = round(max(rss) / 1024, 1)
    cpu = [r["cpu_s"] for r in rows if r["cpu_s"] is not None]
    if cpu:
        s["median_cpu_s"] = round(statistics.median(cpu), 2)
        s["min_cpu_s"], s["max_cpu_s"] = min(cpu), max(cpu)
    outs = [r["output_bytes"] for r in rows if r["output_bytes"]]
    if outs:
        s["output_bytes"] = outs[-1]
    details = [r["detail"] for r in rows if r["detail"]]
    if details:
        s["breakdown_median_s"] = {k: round(statistics.median(d[k] for d in details), 3)
                                   for k in ("jvm_and_camel_s", "staging_s", "delivery_s")}
    return s


def report(name, samples, meta_file, results_dir, baseline, checks):
    rows = load(samples)
    meta = {}
    with open(meta_file) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    groups = {}
    for r in rows:
        groups.setdefault(r["group"], {}).setdefault(r["contender"], []).append(r)
    result = {"benchmark": name, "utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "environment": meta, "baseline": baseline, "groups": {}, "checks": []}
    for g, contenders in groups.items():
        result["groups"][g] = {c: summarize(rs) for c, rs in contenders.items()}
    tp = result["groups"].get("throughput", {})
    base = tp.get(baseline)
    if base:
        for c, s in tp.items():
            s["ratio_vs_baseline"] = round(base["median_s"] / s["median_s"], 3)
    for spec in checks:
        c, other, target = spec.split(":")
        if c in tp and other in tp:
            ratio = tp[other]["median_s"] / tp[c]["median_s"]
            # the same round's pair shares the machine's noise, so per-round ratios show the real spread
            paired = [o["seconds"] / x["seconds"] for x in groups["throughput"][c] for o in groups["throughput"][other]
                      if o["round"] == x["round"]]
            result["checks"].append({"contender": c, "versus": other, "ratio": round(ratio, 3),
                                     "per_round": [round(p, 3) for p in paired], "target": float(target),
                                     "met": ratio >= float(target)})
    rss = result["groups"].get("rss", {})
    if len(rss) >= 2:
        peaks = [s["peak_rss_mib"] for s in rss.values()]
        spread = max(peaks) / min(peaks) - 1
        result["rss_flat"] = {"peaks_mib": peaks, "spread": round(spread, 3), "flat_within_10pct": spread <= 0.10}

    os.makedirs(results_dir, exist_ok=True)
    out = os.path.join(results_dir, f"{name}-{result['utc'].replace(':', '').replace('-', '')}.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print_table(result)
    print(f"\nresults: {out}")


def print_table(res):
    e = res["environment"]
    print(f"\n== {res['benchmark']}  ({res['utc']}, {e.get('host_cpus')} CPUs, load at start {e.get('load_at_start')}, "
          f"load at end {e.get('load_at_end', '?')}, {e.get('runs')} runs each, order rotated per round)")
    for g, contenders in res["groups"].items():
        print(f"\n{g}:")
        print(f"  {'contender':<24} {'median s':>9} {'min..max s':>15} {'median MB/s':>12} {'min..max MB/s':>15}"
              f" {'ratio':>6} {'peak RSS':>10} {'CPU s (min..max)':>22}")
        for c, s in contenders.items():
            ratio = f"{s['ratio_vs_baseline']:.2f}" if "ratio_vs_baseline" in s else ""
            rss = f"{s['peak_rss_mib']:.0f} MiB" if "peak_rss_mib" in s else ""
            cpu = f"{s['median_cpu_s']:.1f} ({s['min_cpu_s']:.1f}..{s['max_cpu_s']:.1f})" if "median_cpu_s" in s else ""
            print(f"  {c:<24} {s['median_s']:>9.2f} {s['min_s']:>7.2f}..{s['max_s']:<7.2f} {s['median_mb_s']:>12.1f}"
                  f" {s['min_mb_s']:>7.1f}..{s['max_mb_s']:<7.1f} {ratio:>6} {rss:>10} {cpu:>22}")
            if "breakdown_median_s" in s:
                b = s["breakdown_median_s"]
                print(f"  {'':<24} median breakdown: JVM+Camel start/stop {b['jvm_and_camel_s']:.2f} s, staging "
                      f"(dump+codecs) {b['staging_s']:.2f} s, copy to destination {b['delivery_s']:.2f} s")
    if res["checks"]:
        print("\ntargets (throughput ratio from medians; per-round paired ratios in brackets):")
        for c in res["checks"]:
            print(f"  {c['contender']} vs {c['versus']}: {c['ratio']:.2f}x (target >= {c['target']}x) "
                  f"{'MET' if c['met'] else 'NOT MET'}  {c['per_round']}")
    if "rss_flat" in res:
        r = res["rss_flat"]
        print(f"\npeak RSS at -Xmx96m: {r['peaks_mib']} MiB, spread {r['spread'] * 100:.1f}% -> "
              f"{'flat within 10%' if r['flat_within_10pct'] else 'NOT flat within 10%'}")


if __name__ == "__main__":
    if sys.argv[1] == "detail":
        detail(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7:])
    else:
        sys.exit(__doc__)
