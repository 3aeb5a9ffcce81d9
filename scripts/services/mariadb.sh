#!/usr/bin/env bash
# Starts the local MariaDB server for the real-server tests and makes sure the test user exists.
# Idempotent; runs as root on Debian 12 without systemd. Password from BACKROUTE_TEST_MARIADB_PASSWORD.
set -euo pipefail

DB_USER="${BACKROUTE_TEST_MARIADB_USER:-backroute_test}"
DB_PASSWORD="${BACKROUTE_TEST_MARIADB_PASSWORD:-backroute-test-pw}"

if ! command -v mariadbd >/dev/null 2>&1 && ! command -v mysqld >/dev/null 2>&1 \
        || ! command -v mariadb >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq mariadb-server mariadb-client >/dev/null
fi

alive() { mariadb-admin --protocol=socket -uroot ping >/dev/null 2>&1; }

if ! alive; then
    if ! service mariadb start >/dev/null 2>&1; then
        mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
        nohup mysqld_safe >/dev/null 2>&1 &
    fi
    for _ in $(seq 1 60); do
        if alive; then break; fi
        sleep 1
    done
    alive || { echo "mariadb did not start" >&2; exit 1; }
fi

# SQL on stdin keeps the password out of ps output.
escaped_pw="${DB_PASSWORD//\\/\\\\}"
escaped_pw="${escaped_pw//\'/\\\'}"
mariadb --protocol=socket -uroot <<SQL
CREATE USER IF NOT EXISTS '${DB_USER}'@'127.0.0.1' IDENTIFIED BY '${escaped_pw}';
CREATE USER IF NOT EXISTS '${DB_USER}'@'localhost' IDENTIFIED BY '${escaped_pw}';
ALTER USER '${DB_USER}'@'127.0.0.1' IDENTIFIED BY '${escaped_pw}';
ALTER USER '${DB_USER}'@'localhost' IDENTIFIED BY '${escaped_pw}';
GRANT ALL PRIVILEGES ON *.* TO '${DB_USER}'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '${DB_USER}'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL

echo "mariadb up on 127.0.0.1:3306, user ${DB_USER}"
