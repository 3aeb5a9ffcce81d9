#!/usr/bin/env bash
# Installs the Debian packages the test suite uses as real servers and as restore oracles.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail
# procps (kill) pauses a dump client in ServerStoppedMidDumpIT, which runs private postgres/mariadbd via runuser (util-linux)
# awscli, curl, openssh-client and openssl run the fetch blocks of docs/restore.md (RestoreRunbookRemoteIT)
pkgs=(gnupg zstd sqlite3 tar gzip postgresql postgresql-client mariadb-server mariadb-client samba smbclient procps chromium
      awscli curl openssh-client openssl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test dependencies: all installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "test dependencies: installing ${missing[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
