#!/usr/bin/env bash
# Makes sure the system programs the tests need are here: mosquitto, Xvfb (xvfb-run), chromium.
# Installs the missing ones with apt-get when that is possible (root, or sudo without a
# password); otherwise fails with a message that says what to install.
set -euo pipefail

need=("$@")   # extra packages asked for by the caller (e.g. python3-venv)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
# the fonts and GL the Kivy window draws with under Xvfb
[ -e /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so ] || [ -e /usr/lib/aarch64-linux-gnu/dri/swrast_dri.so ] \
  || need+=(libgl1-mesa-dri)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "system packages missing: ${need[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: no apt-get here; install ${need[*]} with your package manager, then run make test again" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "error: installing ${need[*]} needs root; run: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
echo "installed: ${need[*]}" >&2
