#!/usr/bin/env bash
# `make run`: the embedded cluster, migrations and a first admin (scripts/prepare.sh), then serve.
source "$(dirname "$0")/prepare.sh"
echo "herald: http://${HERALD_LISTEN:-127.0.0.1:8080}/admin/   API docs: /docs/   stop with Ctrl-C"
exec build/herald serve
