#!/bin/sh
# Entry point of the so-connector image: the first argument picks the app (docs/deploy.md).
#   receiver            the webhook receiver (PORT, default 3000)
#   worker              the BullMQ worker (METRICS_PORT, default 9464: /healthz and /metrics)
#   cli <command> ...   the operator CLI (so-connector doctor, whoami, webhooks, replay, ...)
#   simulator           the SuperOffice simulator, listening on all interfaces (SIM_PORT, default 4010)
#   demo                registers the webhook on the simulator and walks one company through
# Anything else is run as is (e.g. `sh` or `node -e ...`) for debugging.
set -e
app="${1:-receiver}"
if [ "$#" -gt 0 ]; then shift; fi
case "$app" in
  receiver | worker | cli) exec node "/app/$app/dist/main.js" "$@" ;;
  simulator) SIM_HOST="${SIM_HOST:-0.0.0.0}" exec node /app/simulator/dist/main.js "$@" ;;
  demo) exec node /app/docker/demo.mjs "$@" ;;
  *) exec "$app" "$@" ;;
esac
