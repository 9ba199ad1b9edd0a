#!/usr/bin/env bash
# Starts (and stops) the services the tests and benchmarks need: today one throw-away Redis server.
#
#   eval "$(bash scripts/services.sh start)"   # prints `export POLICYLAYER_REDIS=127.0.0.1:PORT`
#   bash scripts/services.sh stop
#
# Only the exports go to stdout; everything else goes to stderr. The server listens on 127.0.0.1 only,
# keeps nothing on disk (no RDB snapshots, no AOF) and lives in a temporary directory that `stop` removes.
# Its state (port, pid file, directory) is kept in .tmp/services/ under the repository, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/.."

state_dir="$PWD/.tmp/services"
state_file="$state_dir/redis.env"

log() { echo "services.sh: $*" >&2; }

install_redis() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    return
  fi
  log "installing redis-server"
  local sudo=""
  if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  local apt_log
  apt_log=$(mktemp)
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq redis-server; } >"$apt_log" 2>&1; then
    cat "$apt_log" >&2
    rm -f "$apt_log"
    log "could not install redis-server"
    return 1
  fi
  rm -f "$apt_log"
  # The package starts a system-wide server on 6379; the tests do not use it.
}

port_in_use() {
  # bash's /dev/tcp connects when something listens there.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local port
  for port in $(seq 6390 6490); do
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  log "no free port between 6390 and 6490 on 127.0.0.1"
  return 1
}

print_exports() {
  # shellcheck disable=SC1090
  . "$state_file"
  echo "export POLICYLAYER_REDIS=127.0.0.1:$REDIS_PORT"
}

start() {
  if [ -f "$state_file" ]; then
    # shellcheck disable=SC1090
    . "$state_file"
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
      log "redis already running on 127.0.0.1:$REDIS_PORT"
      print_exports
      return 0
    fi
    stop
  fi

  install_redis
  mkdir -p "$state_dir"
  local dir port
  dir=$(mktemp -d "${TMPDIR:-/tmp}/policylayer-redis.XXXXXX")
  port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" \
    --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
  printf 'REDIS_PORT=%s\nREDIS_DIR=%s\n' "$port" "$dir" >"$state_file"

  local attempt
  for attempt in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
      log "redis $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p') listening on 127.0.0.1:$port"
      print_exports
      return 0
    fi
    sleep 0.1
  done
  log "redis did not answer PING on 127.0.0.1:$port; log: $dir/redis.log"
  cat "$dir/redis.log" >&2 || true
  stop
  return 1
}

stop() {
  if [ ! -f "$state_file" ]; then
    log "nothing to stop"
    return 0
  fi
  # shellcheck disable=SC1090
  . "$state_file"
  if [ -f "$REDIS_DIR/redis.pid" ]; then
    local pid attempt
    pid=$(cat "$REDIS_DIR/redis.pid")
    # Only the pid this script started, and only while it is still a redis-server.
    if [ -r "/proc/$pid/comm" ] && grep -q redis "/proc/$pid/comm"; then
      kill "$pid" 2>/dev/null || true
      for attempt in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
  fi
  case "$REDIS_DIR" in
    */policylayer-redis.*) rm -rf "$REDIS_DIR" ;;
  esac
  rm -f "$state_file"
  log "redis on 127.0.0.1:$REDIS_PORT stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: bash scripts/services.sh start|stop" >&2; exit 2 ;;
esac
