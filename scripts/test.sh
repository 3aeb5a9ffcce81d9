#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs and starts what the tests need (Debian packages,
# PostgreSQL and MariaDB on 127.0.0.1 with password-authenticated test users), then runs Maven.
# S3, FTP/FTPS, SFTP and SMTP servers start in-process from the tests; Samba is started by its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
for s in scripts/services/*.sh; do
  [ -x "$s" ] && "$s"
done
exec mvn -B -ntp verify "$@"
