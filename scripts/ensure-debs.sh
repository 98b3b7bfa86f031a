#!/usr/bin/env bash
# Installs the Debian packages given as arguments when any is missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "pcamgo needs these Debian/Ubuntu packages (or your system's equivalents): ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "pcamgo needs: ${missing[*]}" >&2
  echo "run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Another apt may hold the lock for a while (unattended upgrades): wait for it.
for i in $(seq 1 60); do
  if apt-get update -qq && apt-get install -y -qq "${missing[@]}" >&2; then
    exit 0
  fi
  echo "apt-get failed (lock held?); retrying in 5s" >&2
  sleep 5
done
exit 1
