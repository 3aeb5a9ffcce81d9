#!/usr/bin/env bash
# Starts the local PostgreSQL 15 cluster for the real-server tests and makes sure the test role exists.
# Idempotent; runs as root on Debian 12 without systemd. Password from BACKROUTE_TEST_PG_PASSWORD.
set -euo pipefail

PG_USER="${BACKROUTE_TEST_PG_USER:-backroute_test}"
PG_PASSWORD="${BACKROUTE_TEST_PG_PASSWORD:-backroute-test-pw}"

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi

# Debian 12 ships 15; take whatever single major is installed so the script survives a point upgrade.
PG_MAJOR="$(ls /usr/lib/postgresql | sort -n | tail -1)"
if ! pg_lsclusters -h | awk -v v="$PG_MAJOR" '$1 == v && $2 == "main"' | grep -q .; then
    pg_createcluster "$PG_MAJOR" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$PG_MAJOR" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    pg_ctlcluster "$PG_MAJOR" main start
fi

for _ in $(seq 1 30); do
    if su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1; then break; fi
    sleep 1
done

# The password travels on psql's stdin, so it never shows up in ps output.
escaped_pw="${PG_PASSWORD//\'/\'\'}"
su postgres -c "psql -v ON_ERROR_STOP=1 -qAt" <<SQL
SET password_encryption = 'scram-sha-256';
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${PG_USER}') THEN
    CREATE ROLE "${PG_USER}" LOGIN SUPERUSER;
  END IF;
END
\$\$;
ALTER ROLE "${PG_USER}" LOGIN SUPERUSER PASSWORD '${escaped_pw}';
SQL

# 127.0.0.1 must use scram so the tests exercise real password handling (Debian's default already does).
HBA="$(su postgres -c "psql -qAtc 'show hba_file'")"
if ! grep -Eq '^host\s+all\s+all\s+127\.0\.0\.1/32\s+scram-sha-256' "$HBA"; then
    sed -i '1i host all all 127.0.0.1/32 scram-sha-256' "$HBA"
    su postgres -c "psql -qAtc 'select pg_reload_conf()'" >/dev/null
fi

echo "postgresql ${PG_MAJOR} up on 127.0.0.1:5432, role ${PG_USER}"
