#!/bin/sh
# Started by ismart-kiosk.service (installed as /opt/ismart/bin/ismart-kiosk-start): runs the
# kiosk with the settings of /etc/ismart/kiosk.env. See docs/raspberry-pi.md.
#
#   ISMART_PROGRAM=demo      broker, cloud, car and head unit on this Pi (a stand-alone demo;
#                            phones on the same network open the cloud's pages)
#   ISMART_PROGRAM=headunit  the head unit only, talking to ISMART_BROKER (a central cloud)
#   ISMART_ARGS              more options, e.g. --idle-timeout 5m --lang da --rotation 90
set -eu
BIN=/opt/ismart/venv/bin
DATA=/var/lib/ismart
program="${ISMART_PROGRAM:-demo}"
# shellcheck disable=SC2086  # ISMART_ARGS is a list of options
case "$program" in
  demo)
    exec "$BIN/ismart-demo" --kiosk --data-dir "$DATA/demo" \
      --http "${ISMART_HTTP:-0.0.0.0:8080}" ${ISMART_ARGS:-} ;;
  headunit)
    if [ -z "${ISMART_BROKER:-}" ]; then
      echo "ismart-kiosk: set ISMART_BROKER (mqtt://host:port) in /etc/ismart/kiosk.env" >&2
      exit 2
    fi
    exec "$BIN/ismart-headunit" --kiosk --data-dir "$DATA/headunit" \
      --broker "$ISMART_BROKER" ${ISMART_ARGS:-} ;;
  *)
    echo "ismart-kiosk: ISMART_PROGRAM must be demo or headunit, not '$program'" >&2
    exit 2 ;;
esac
