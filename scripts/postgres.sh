#!/usr/bin/env bash
# Throwaway PostgreSQL clusters for local runs and tests.
#
#   scripts/postgres.sh start DIR [PORT]   init (if needed) and start a cluster under DIR on 127.0.0.1;
#                                          prints the connection string on stdout
#   scripts/postgres.sh stop DIR           stop it (no error if it is not running)
#   scripts/postgres.sh --help             this text
#
# The cluster trusts local connections (it only listens on 127.0.0.1) and runs as the `postgres`
# system user when invoked as root, because initdb refuses to run as root. One role is the
# exception: esc_entra_probe must give its scram password, so the Entra ID token test can prove
# that the token really is the password (a trusting cluster would check nothing).
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }
usage_error() { echo "postgres.sh: $* (--help explains the commands)" >&2; exit 2; }

for arg in "$@"; do
  if [ "$arg" = -h ] || [ "$arg" = --help ]; then
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"
    exit 0
  fi
done

find_bindir() {
  local d
  for d in "${PG_BINDIR:-}" /usr/lib/postgresql/*/bin; do
    [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(readlink -f "$(command -v initdb)")"; return; }
  return 1
}

ensure_installed() {
  if ! find_bindir >/dev/null; then
    echo "postgres.sh: PostgreSQL server not found; installing it with apt-get" >&2
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 \
      || die "apt-get install postgresql failed"
  fi
}

# Run a command as the cluster owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo 55432
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

cmd=${1:-}; dir=${2:-}
case "$cmd" in
  start|stop) ;;
  "") usage_error "which command? expected start DIR [PORT] or stop DIR";;
  *) usage_error "unknown command '$cmd': expected start DIR [PORT] or stop DIR";;
esac
[ -n "$dir" ] || usage_error "$cmd needs the cluster's folder: postgres.sh $cmd DIR"
if [ "$cmd" = start ]; then
  [ $# -le 3 ] || usage_error "start takes DIR and an optional PORT, got '$4' too"
  if [ -n "${3:-}" ] && { ! [[ $3 =~ ^[0-9]{1,5}$ ]] || [ "$3" -lt 1 ] || [ "$3" -gt 65535 ]; }; then
    usage_error "PORT got '$3': expected a whole number from 1 to 65535"
  fi
else
  [ $# -le 2 ] || usage_error "stop takes only DIR, got '$3' too"
fi

case "$cmd" in
  start)
    ensure_installed
    bindir=$(find_bindir)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" = 0 ] && chown postgres "$dir" && chmod 700 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed in $dir/data"; }
      # The first matching line wins, so this one goes before initdb's trust lines.
      hba="$dir/data/pg_hba.conf"
      { echo "host all esc_entra_probe 127.0.0.1/32 scram-sha-256"; cat "$hba"; } >"$hba.new"
      as_owner cp "$hba.new" "$hba" && rm -f "$hba.new"
    fi
    port=${3:-}
    if [ -f "$dir/port" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      port=$(cat "$dir/port")
    else
      # A restarted cluster keeps its port, so connection strings written before stay valid.
      [ -n "$port" ] || port=$(cat "$dir/port" 2>/dev/null || true)
      [ -n "$port" ] || port=$(free_port)
      # A socket directory inside the cluster folder keeps clusters from colliding in /var/run.
      as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null \
        || { tail -20 "$dir/server.log" >&2; die "could not start PostgreSQL on 127.0.0.1:$port"; }
      echo "$port" | as_owner tee "$dir/port" >/dev/null
    fi
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  stop)
    bindir=$(find_bindir) || exit 0
    [ -f "$dir/data/PG_VERSION" ] || exit 0
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
esac
