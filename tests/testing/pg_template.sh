#!/usr/bin/env bash
# pg_template.sh STATE_DIR MM2_CATALOG_BINARY -- creates database mm_template in the test
# cluster and migrates it with the real `mm2-catalog migrate`. Tests copy it per test
# (CREATE DATABASE ... TEMPLATE mm_template), which takes milliseconds.
set -euo pipefail
state=${1:?state dir}; catalog=${2:?mm2-catalog binary}
port=$(cat "$state/port")
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
psql -d postgres -c "DROP DATABASE IF EXISTS mm_template" -c "CREATE DATABASE mm_template"
MM2_CONFIG=/dev/null MM2_SQLALCHEMY_DATABASE_URI="postgresql://postgres@127.0.0.1:$port/mm_template" \
  "$catalog" migrate
