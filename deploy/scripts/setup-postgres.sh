#!/bin/sh
# Creates Temporal's two PostgreSQL databases and their schemas (as temporalio/samples-server's compose does).
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
PORT=${DB_PORT:-5432}

echo 'Waiting for PostgreSQL...'
nc -z -w 10 "$POSTGRES_SEEDS" "$PORT"

tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$PORT" "$@"; }
tool --db temporal create || true
tool --db temporal setup-schema -v 0.0 || true
tool --db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned
tool --db temporal_visibility create || true
tool --db temporal_visibility setup-schema -v 0.0 || true
tool --db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned
echo 'PostgreSQL schema ready'
