#!/bin/sh
# The herald image's entrypoint: when HERALD_ASSETS_EXPORT names a folder (a volume shared with
# nginx), copies this image's assets into it first, so nginx serves the assets of the running
# version; then runs the command (default: herald serve).
set -eu
if [ -n "${HERALD_ASSETS_EXPORT:-}" ]; then
  cp -R "$HERALD_ROOT/assets/." "$HERALD_ASSETS_EXPORT/"
fi
exec "$@"
