#!/usr/bin/env bash
# Provides a local PostgreSQL for atelier-store's PostgresMetadataStoreTest, which connects to
# jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres unless ATELIER_TEST_POSTGRES_URL is set.
#
# Installs Debian's postgresql when absent, starts a cluster, and trusts the postgres user over
# local TCP (127.0.0.1 and ::1 only). Exports nothing; prints what it did. It never fails the CI
# run: on any problem it prints a warning and exits 0, and the PostgreSQL tests then skip with a
# visible message.
set -u

log() { echo "postgres.sh: $*"; }
give_up() {
  echo "postgres.sh: WARNING: $*; the PostgreSQL store tests will be skipped" >&2
  exit 0
}
listening() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

if [ -n "${ATELIER_TEST_POSTGRES_URL:-}" ]; then
  log "ATELIER_TEST_POSTGRES_URL is set; leaving PostgreSQL alone"
  exit 0
fi
if listening; then
  log "something already listens on 127.0.0.1:5432; the tests will use it"
  exit 0
fi
[ "$(id -u)" = 0 ] || give_up "not running as root, so cannot install or start PostgreSQL"

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  command -v apt-get >/dev/null 2>&1 || give_up "PostgreSQL is not installed and apt-get is missing"
  log "installing Debian's postgresql package"
  apt-get update -qq || give_up "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
    || give_up "apt-get install postgresql failed"
fi

version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
[ -n "$version" ] || give_up "no PostgreSQL version under /etc/postgresql"
if [ ! -f "/etc/postgresql/$version/main/postgresql.conf" ]; then
  log "creating cluster $version/main"
  pg_createcluster "$version" main >/dev/null || give_up "pg_createcluster $version main failed"
fi
port=$(pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')
[ "$port" = 5432 ] || give_up "cluster $version/main uses port ${port:-unknown}, not 5432"

# First matching pg_hba.conf line wins, so the trust lines go on top.
hba="/etc/postgresql/$version/main/pg_hba.conf"
if ! grep -q 'added by atelier .ci/postgres.sh' "$hba"; then
  sed -i -e '1i host all postgres 127.0.0.1/32 trust # added by atelier .ci/postgres.sh' \
    -e '1i host all postgres ::1/128 trust # added by atelier .ci/postgres.sh' "$hba" \
    || give_up "cannot edit $hba"
  log "trusting user postgres over 127.0.0.1 and ::1 in $hba"
fi

log "starting cluster $version/main"
pg_ctlcluster "$version" main start 2>&1 \
  || service postgresql start 2>&1 \
  || runuser -u postgres -- pg_ctlcluster "$version" main start 2>&1 \
  || give_up "cannot start cluster $version/main (see /var/log/postgresql/)"
# An already running cluster must re-read pg_hba.conf.
pg_ctlcluster "$version" main reload >/dev/null 2>&1 || true

for _ in $(seq 1 60); do
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    if psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
      log "PostgreSQL $version ready at jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres"
      exit 0
    fi
    give_up "PostgreSQL is up but user postgres cannot log in over TCP"
  fi
  sleep 0.5
done
give_up "PostgreSQL did not accept connections on 127.0.0.1:5432 within 30 s"
