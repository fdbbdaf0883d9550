#!/usr/bin/env bash
# Install the iSmart head unit as a dealership kiosk on Raspberry Pi OS Bookworm (64-bit).
#
#   sudo scripts/install-pi.sh --pin 2468                      # stand-alone demo (default)
#   sudo scripts/install-pi.sh --pin 2468 --program headunit --broker mqtt://cloud.local:1883
#   sudo scripts/install-pi.sh --pin 2468 --rotation 90        # Touch Display 2 in landscape
#   scripts/install-pi.sh --dry-run                            # print what it would do
#
# What it does (docs/raspberry-pi.md explains each step):
#   1. apt packages: Python, the GL/DRM libraries SDL's kmsdrm driver needs, mosquitto
#   2. a system user 'ismart' in the video, render and input groups (the display, the GPU and
#      the touchscreen, without a login session or a desktop)
#   3. this checkout copied to /opt/ismart/src, a venv in /opt/ismart/venv with it installed
#   4. /etc/ismart/kiosk.env (settings), the admin PIN stored hashed in the data directory
#   5. assets/ismart-kiosk.service as a systemd unit, enabled; tty1's login prompt disabled;
#      boot to the console (no desktop holding the display)
# Run it again to update: it keeps kiosk.env and the data in /var/lib/ismart.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX=/opt/ismart
DATA=/var/lib/ismart
ETC=/etc/ismart
USER_NAME=ismart
PROGRAM=demo
BROKER=""
PIN="${ISMART_ADMIN_PIN:-}"
IDLE=5m
ROTATION=0
TOUCH=sdl
LANG_UI=en
KIVY_FROM_SOURCE=0
QUIET_BOOT=0
DRY=0

die() { echo "install-pi: $*" >&2; exit 1; }
say() { echo "==> $*"; }
run() { if [ "$DRY" = 1 ]; then echo "    would run: $*"; else "$@"; fi; }

usage() {
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'EOF'
Options:
  --pin DIGITS            the admin PIN (4-12 digits; default $ISMART_ADMIN_PIN, else asked)
  --program demo|headunit demo: broker, cloud, car and head unit on this Pi (default);
                          headunit: only the head unit, with --broker
  --broker URL            the MQTT broker of a central cloud (with --program headunit)
  --idle DURATION         back to the attract screen after this long untouched (default 5m)
  --rotation 0|90|180|270 turn picture and touches (Touch Display 2 in landscape: 90 or 270)
  --touch sdl|hidinput|mtdev|config
                          where touches come from (default sdl; see docs/raspberry-pi.md)
  --lang en|da            the screen's language (default en)
  --kivy-from-source      build Kivy against Debian's SDL2 (if the wheel's SDL2 lacks kmsdrm)
  --quiet-boot            no boot messages or console cursor on the screen (edits cmdline.txt)
  --dry-run               print what would be done, change nothing
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --pin) PIN="${2:?--pin needs digits}"; shift 2 ;;
    --program) PROGRAM="${2:?}"; shift 2 ;;
    --broker) BROKER="${2:?}"; shift 2 ;;
    --idle) IDLE="${2:?}"; shift 2 ;;
    --rotation) ROTATION="${2:?}"; shift 2 ;;
    --touch) TOUCH="${2:?}"; shift 2 ;;
    --lang) LANG_UI="${2:?}"; shift 2 ;;
    --kivy-from-source) KIVY_FROM_SOURCE=1; shift ;;
    --quiet-boot) QUIET_BOOT=1; shift ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done

# ------------------------------------------------------------------ checks
case "$PROGRAM" in demo|headunit) ;; *) die "--program is demo or headunit, not '$PROGRAM'" ;; esac
[ "$PROGRAM" = headunit ] && [ -z "$BROKER" ] && die "--program headunit needs --broker mqtt://HOST:PORT"
case "$ROTATION" in 0|90|180|270) ;; *) die "--rotation is 0, 90, 180 or 270" ;; esac
case "$TOUCH" in sdl|hidinput|mtdev|config) ;; *) die "--touch is sdl, hidinput, mtdev or config" ;; esac
case "$LANG_UI" in en|da) ;; *) die "--lang is en or da" ;; esac
[ -f "$SRC/pyproject.toml" ] && [ -f "$SRC/assets/ismart-kiosk.service" ] \
  || die "run it from the project's checkout (scripts/install-pi.sh)"
if [ "$DRY" = 0 ]; then
  [ "$(id -u)" = 0 ] || die "run as root: sudo $0 $*"
  if [ -z "$PIN" ] && [ ! -f "$DATA/demo/headunit/kiosk-pin" ] && [ ! -f "$DATA/headunit/kiosk-pin" ]; then
    read -r -s -p "Admin PIN for the kiosk (4-12 digits): " PIN; echo
  fi
fi
if [ -n "$PIN" ] && ! [[ "$PIN" =~ ^[0-9]{4,12}$ ]]; then die "the admin PIN must be 4 to 12 digits"; fi
if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  [ "${VERSION_CODENAME:-}" = bookworm ] \
    || echo "install-pi: warning: written for Raspberry Pi OS Bookworm; this is ${PRETTY_NAME:-unknown}" >&2
fi
ARCH="$(dpkg --print-architecture 2>/dev/null || echo unknown)"
[ "$ARCH" = arm64 ] || echo "install-pi: warning: written for 64-bit Raspberry Pi OS (arm64); this is $ARCH" >&2

# ------------------------------------------------------------------ 1. packages
say "apt packages"
PKGS=(python3 python3-venv python3-dev python3-pip
      libgl1 libegl1 libgles2 libgbm1 libdrm2 libmtdev1 libjpeg62-turbo fonts-dejavu-core
      rsync)
[ "$PROGRAM" = demo ] && PKGS+=(mosquitto)
[ "$KIVY_FROM_SOURCE" = 1 ] && PKGS+=(build-essential pkg-config libsdl2-dev libsdl2-image-dev
                                       libsdl2-mixer-dev libsdl2-ttf-dev libgles2-mesa-dev
                                       libmtdev-dev)
run env DEBIAN_FRONTEND=noninteractive apt-get update -q
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PKGS[@]}"

# ------------------------------------------------------------------ 2. the kiosk user
say "user $USER_NAME (groups video, render, input)"
if ! id "$USER_NAME" >/dev/null 2>&1; then
  run useradd --system --home-dir "$DATA" --create-home --shell /usr/sbin/nologin \
      --groups video,render,input "$USER_NAME"
else
  run usermod -a -G video,render,input "$USER_NAME"
fi
run install -d -o "$USER_NAME" -g "$USER_NAME" -m 0750 "$DATA" "$DATA/kivy"

# ------------------------------------------------------------------ 3. the program
say "program in $PREFIX"
run install -d "$PREFIX" "$PREFIX/bin"
run rsync -a --delete --exclude .venv --exclude .git --exclude var --exclude __pycache__ \
    "$SRC/" "$PREFIX/src/"
[ -x "$PREFIX/venv/bin/python" ] || run python3 -m venv "$PREFIX/venv"
run "$PREFIX/venv/bin/pip" install --quiet --upgrade pip
if [ "$KIVY_FROM_SOURCE" = 1 ]; then
  run "$PREFIX/venv/bin/pip" install --quiet --no-binary kivy "kivy==2.3.1"
fi
if ! run "$PREFIX/venv/bin/pip" install --quiet "$PREFIX/src"; then
  # iotcore (the embedded broker) may have no wheel for this machine and need Rust to build;
  # the kiosk uses Debian's mosquitto instead, so install everything else
  echo "install-pi: installing without iotcore (the embedded broker); mosquitto is used" >&2
  run "$PREFIX/venv/bin/python" - "$PREFIX/src/pyproject.toml" <<'PY'
import subprocess, sys, tomllib
deps = tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]
deps = [d for d in deps if not d.startswith("iotcore")]
subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *deps], check=True)
PY
  run "$PREFIX/venv/bin/pip" install --quiet --no-deps "$PREFIX/src"
fi
run install -m 0755 "$SRC/scripts/kiosk-start.sh" "$PREFIX/bin/ismart-kiosk-start"

# ------------------------------------------------------------------ 4. settings and PIN
say "settings in $ETC/kiosk.env"
run install -d -m 0755 "$ETC"
ARGS="--reset-on-idle --idle-timeout $IDLE --lang $LANG_UI --rotation $ROTATION --touch $TOUCH"
[ "$PROGRAM" = demo ] && ARGS="--broker mqtt://127.0.0.1:1883 $ARGS"
if [ -f "$ETC/kiosk.env" ]; then
  echo "    keeping the existing $ETC/kiosk.env"
elif [ "$DRY" = 1 ]; then
  echo "    would write ISMART_PROGRAM=$PROGRAM ISMART_BROKER=$BROKER ISMART_ARGS=\"$ARGS\""
else
  cat > "$ETC/kiosk.env" <<EOF
# Settings of ismart-kiosk.service (docs/raspberry-pi.md). After a change:
#   sudo systemctl restart ismart-kiosk
ISMART_PROGRAM=$PROGRAM
ISMART_BROKER=$BROKER
ISMART_HTTP=0.0.0.0:8080
ISMART_ARGS="$ARGS"
EOF
  chmod 0644 "$ETC/kiosk.env"
fi
if [ -n "$PIN" ]; then
  HU_DATA="$DATA/headunit"; [ "$PROGRAM" = demo ] && HU_DATA="$DATA/demo/headunit"
  say "admin PIN (stored hashed in $HU_DATA/kiosk-pin)"
  run install -d -o "$USER_NAME" -g "$USER_NAME" -m 0750 "$(dirname "$HU_DATA")" "$HU_DATA"
  if [ "$DRY" = 1 ]; then
    echo "    would store the PIN's scrypt hash"
  else
    ISMART_PIN_INPUT="$PIN" runuser -u "$USER_NAME" -- "$PREFIX/venv/bin/python" -c \
      'import os, sys; from headunit.kiosk_store import PinStore; PinStore(sys.argv[1]).set(os.environ["ISMART_PIN_INPUT"])' \
      "$HU_DATA"
  fi
fi

# ------------------------------------------------------------------ 5. the unit and the boot
say "systemd unit ismart-kiosk.service"
run install -m 0644 "$SRC/assets/ismart-kiosk.service" /etc/systemd/system/ismart-kiosk.service
run systemctl daemon-reload
run systemctl disable getty@tty1.service
run systemctl enable ismart-kiosk.service
if [ "$PROGRAM" = demo ]; then run systemctl enable mosquitto.service; fi
if [ "$(systemctl get-default 2>/dev/null || echo multi-user.target)" = graphical.target ]; then
  say "booting to the console: the desktop would hold the display (undo: systemctl set-default graphical.target)"
  run systemctl set-default multi-user.target
fi
if [ "$QUIET_BOOT" = 1 ]; then
  CMDLINE=/boot/firmware/cmdline.txt
  [ -f "$CMDLINE" ] || CMDLINE=/boot/cmdline.txt
  say "quiet boot in $CMDLINE (a copy is kept as $CMDLINE.before-ismart)"
  if [ -f "$CMDLINE" ] && ! grep -q 'vt.global_cursor_default=0' "$CMDLINE"; then
    run cp -n "$CMDLINE" "$CMDLINE.before-ismart"
    run sed -i '1 s/$/ quiet loglevel=3 logo.nologo vt.global_cursor_default=0 consoleblank=0/' "$CMDLINE"
  fi
fi

say "done. Start it now with: sudo systemctl start ismart-kiosk   (logs: journalctl -u ismart-kiosk -f)"
[ "$PROGRAM" = demo ] && echo "    phones on this network open http://$(hostname -I 2>/dev/null | awk '{print $1}'):8080/"
exit 0
