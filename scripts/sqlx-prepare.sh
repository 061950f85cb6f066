#!/usr/bin/env bash
# Regenerates .sqlx/ (the offline query data that lets a fresh clone build without a
# database): applies the migrations to a scratch SQLite file and recompiles every query
# macro against it. Run after changing a query or a migration. Needs sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in migrations/*.sql; do sqlite3 "$tmp/prepare.db" < "$f"; done
rm -rf .sqlx && mkdir .sqlx
# Force the query macros to expand again.
find src -name '*.rs' -exec touch {} +
SQLX_OFFLINE=false DATABASE_URL="sqlite://$tmp/prepare.db" SQLX_OFFLINE_DIR="$PWD/.sqlx" \
  cargo check --all-targets --quiet
echo "wrote $(ls .sqlx | wc -l) query files to .sqlx/"
