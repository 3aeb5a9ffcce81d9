#!/usr/bin/env python3
"""Generates a deterministic benchmark directory: ~60% compressible text (CSV and SQL-like lines), ~40% random
bytes, in files of varied sizes (4 KiB .. 48 MiB) spread over nested subdirectories.

usage: gen_dir.py DIR SIZE_MIB [SEED]
"""
import os
import random
import sys

TEXT_SHARE = 0.60
MIN_FILE = 4 * 1024
MAX_FILE = 48 * 1024 * 1024
CHUNK = 1 << 20

FIRST = ["anna", "bruno", "chen", "dario", "elif", "farah", "goran", "hana", "ivan", "julia", "kofi", "lena",
         "marco", "nadia", "omar", "priya", "quentin", "rosa", "sven", "tariq", "uma", "viktor", "wei", "yara"]
LAST = ["meyer", "rossi", "garcia", "kowalski", "nguyen", "okafor", "silva", "tanaka", "novak", "haddad",
        "jensen", "moreau", "schmidt", "lopez", "ivanova", "kim", "dubois", "bianchi", "sato", "mueller"]
STATUS = ["new", "paid", "shipped", "delivered", "returned", "cancelled", "on-hold"]
CITY = ["Lyon", "Porto", "Gdansk", "Osaka", "Lagos", "Quito", "Tartu", "Bergen", "Izmir", "Cork", "Graz", "Pune"]
WORDS = ("the order was delayed because the courier lost the parcel customer asked for refund invoice attached "
         "please confirm address changed payment declined retry tomorrow priority gift wrap fragile").split()


def pools(rng):
    """Pre-formatted field values: picking from pools keeps generation fast while lines stay varied."""
    names = [f"{a} {b}" for a in FIRST for b in LAST]
    emails = [f"{a}.{b}@example.org" for a in FIRST for b in LAST]
    stamps = [f"2024-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d} {rng.randrange(24):02d}:"
              f"{rng.randrange(60):02d}:{rng.randrange(60):02d}" for _ in range(20000)]
    amounts = [f"{rng.randrange(100000) / 100:.2f}" for _ in range(20000)]
    comments = [" ".join(rng.choice(WORDS) for _ in range(rng.randrange(7))) for _ in range(5000)]
    return names, emails, stamps, amounts, comments


def text_chunk(rng, n, sql, state, pool):
    """About n bytes of lines; state carries the running row id so ids stay monotonic like a real table."""
    names, emails, stamps, amounts, comments = pool
    batch = max(1, n // 90)
    i0 = state[0]
    state[0] += batch
    cols = zip(range(i0 + 1, i0 + batch + 1), rng.choices(names if sql else emails, k=batch),
               rng.choices(CITY, k=batch), rng.choices(amounts, k=batch), rng.choices(STATUS, k=batch),
               rng.choices(stamps, k=batch), rng.choices(comments, k=batch))
    if sql:
        text = "".join(f"INSERT INTO public.orders VALUES ({i}, '{nm}', '{c}', {a}, '{s}', '{t}', '{cm}');\n"
                       for i, nm, c, a, s, t, cm in cols)
    else:
        text = "".join(f"{i},{nm},{c},{a},{s},{t},{cm}\n" for i, nm, c, a, s, t, cm in cols)
    data = text.encode()
    while len(data) < n:
        data += text_chunk(rng, n - len(data), sql, state, pool)
    return data


def main():
    root = sys.argv[1]
    target = int(float(sys.argv[2]) * 1024 * 1024)
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    os.makedirs(root, exist_ok=True)
    written = {"text": 0, "random": 0}
    total = 0
    n = 0
    state = [0]
    pool = pools(rng)
    while total < target:
        # pick the kind that lags behind its share, so the mix converges whatever the file sizes are
        kind = "text" if written["text"] <= TEXT_SHARE * total else "random"
        # log-uniform sizes: many small files, a few large ones, like a real tree
        size = int(MIN_FILE * (MAX_FILE / MIN_FILE) ** rng.random())
        size = min(size, target - total)
        d = os.path.join(root, f"d{n % 7}", f"sub{n % 13}")
        os.makedirs(d, exist_ok=True)
        name = os.path.join(d, f"f{n:05d}." + ("csv" if kind == "text" and n % 2 else "sql" if kind == "text" else "bin"))
        with open(name, "wb") as f:
            left = size
            while left > 0:
                k = min(CHUNK, left)
                if kind == "text":
                    data = text_chunk(rng, k, name.endswith(".sql"), state, pool)[:k]
                else:
                    data = rng.randbytes(k)
                f.write(data)
                left -= len(data)
        written[kind] += size
        total += size
        n += 1
    print(f"{root}: {n} files, {total} bytes ({written['text'] * 100 // max(total, 1)}% text)")


if __name__ == "__main__":
    main()
