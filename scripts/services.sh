#!/usr/bin/env bash
# Makes sure the services the test suite talks to are running on this machine:
#   PostgreSQL on 127.0.0.1:5432 (user postgres, database "test", trust auth for local TCP)
#   Redis on 127.0.0.1:6379
# and that OpenSSH's server is installed (/usr/sbin/sshd): the Linux host tests start their own sshd,
# on a loopback port with a throwaway configuration, so nothing is started for them here;
# and that Debian's Chromium is installed (/usr/bin/chromium): the console's browser test drives it
# headless with playwright-core, which downloads no browser of its own;
# and RabbitMQ on 127.0.0.1:5672 (guest/guest) with its management plugin on 127.0.0.1:15672: the
# queue diagnostics read queues over AMQP and through the management HTTP API.
# Where one already answers, it is left alone. Where one is missing, it is installed from Debian's
# packages and started without systemd (containers and CI machines have none). Needs root for that.
set -euo pipefail

PG_PORT=5432
REDIS_PORT=6379

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "services: need root to run: $*" >&2; exit 1; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # port name
  for _ in $(seq 1 60); do listening "$1" && return 0; sleep 0.5; done
  echo "services: $2 did not start listening on 127.0.0.1:$1" >&2; exit 1
}

ensure_postgres() {
  if listening "$PG_PORT"; then echo "services: PostgreSQL already listening on $PG_PORT"; else
    local installed_now=0
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
      echo "services: installing PostgreSQL"; apt_install postgresql; installed_now=1
    fi
    local version; version=$(ls /etc/postgresql | sort -V | tail -n 1)
    if [ "$installed_now" -eq 1 ]; then
      # A fresh install asks for passwords over TCP; this throwaway test server trusts local connections.
      local hba="/etc/postgresql/$version/main/pg_hba.conf"
      as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/; s/^(local\s+all\s+(postgres|all)\s+)\S+/\1trust/' "$hba"
    fi
    echo "services: starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_for "$PG_PORT" PostgreSQL
  fi
  if ! psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "select 1 from pg_database where datname='test'" postgres | grep -q 1; then
    echo "services: creating database test"
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -c 'create database test' postgres >/dev/null
  fi
}

ensure_redis() {
  if listening "$REDIS_PORT"; then echo "services: Redis already listening on $REDIS_PORT"; return; fi
  if ! command -v redis-server >/dev/null; then echo "services: installing Redis"; apt_install redis-server; fi
  echo "services: starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/firebreak-test.log
  wait_for "$REDIS_PORT" Redis
}

ensure_sshd_installed() {
  if [ -x /usr/sbin/sshd ]; then return; fi
  echo "services: installing OpenSSH server (not started)"
  # Debian starts a service it installs unless policy-rc.d says no: keep the system sshd off.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null; as_root chmod +x "$policy"; added_policy=1
  fi
  apt_install openssh-server
  if [ "$added_policy" -eq 1 ]; then as_root rm -f "$policy"; fi
}

ensure_chromium_installed() {
  if [ -x /usr/bin/chromium ] && [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then return; fi
  echo "services: installing Chromium (for the console's browser test)"
  # The emoji font: without it a headless Chromium draws the bot's emoji as empty boxes.
  apt_install chromium fonts-noto-color-emoji
}

RABBITMQ_PORT=5672
RABBITMQ_MANAGEMENT_PORT=15672

ensure_rabbitmq() {
  local running=0 conf=/etc/rabbitmq/rabbitmq.conf
  if listening "$RABBITMQ_PORT"; then echo "services: RabbitMQ already listening on $RABBITMQ_PORT"; running=1; fi
  if [ "$running" -eq 0 ] && ! command -v rabbitmq-server >/dev/null; then
    echo "services: installing RabbitMQ"
    # As for sshd: no service started by the package; it is started below, without systemd.
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null; as_root chmod +x "$policy"; added_policy=1
    fi
    apt_install rabbitmq-server
    if [ "$added_policy" -eq 1 ]; then as_root rm -f "$policy"; fi
  fi
  # Loopback only, for AMQP and the management API (read when the broker starts).
  as_root mkdir -p /etc/rabbitmq
  if ! grep -qs '^listeners.tcp' "$conf"; then echo 'listeners.tcp.local = 127.0.0.1:5672' | as_root tee -a "$conf" >/dev/null; fi
  if ! grep -qs '^management.tcp.ip' "$conf"; then echo 'management.tcp.ip = 127.0.0.1' | as_root tee -a "$conf" >/dev/null; fi
  if [ "$running" -eq 0 ]; then
    echo "services: starting RabbitMQ"
    as_root rabbitmq-server -detached
    wait_for "$RABBITMQ_PORT" RabbitMQ
    as_root rabbitmqctl await_startup >/dev/null
  fi
  if listening "$RABBITMQ_MANAGEMENT_PORT"; then echo "services: RabbitMQ management already listening on $RABBITMQ_MANAGEMENT_PORT"; return; fi
  echo "services: enabling RabbitMQ's management plugin"
  # A broker started before management.tcp.ip was in its configuration would listen on every
  # interface: the plugin is loaded and told loopback first, then enabled on the running node.
  as_root rabbitmqctl eval 'application:load(rabbitmq_management), application:set_env(rabbitmq_management, tcp_config, [{ip, "127.0.0.1"}, {port, 15672}]).' >/dev/null
  as_root rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null
  wait_for "$RABBITMQ_MANAGEMENT_PORT" "RabbitMQ management"
}

if ! command -v psql >/dev/null; then apt_install postgresql-client; fi
ensure_postgres
ensure_redis
ensure_sshd_installed
ensure_chromium_installed
ensure_rabbitmq
echo "services: ready (PostgreSQL 127.0.0.1:$PG_PORT, Redis 127.0.0.1:$REDIS_PORT, RabbitMQ 127.0.0.1:$RABBITMQ_PORT and its management API on $RABBITMQ_MANAGEMENT_PORT)"
