#!/usr/bin/env bash
# Sourced by .ci/run and scripts/test.sh: the services the test suite's MariaDB and Redis tiers need, on their
# default local ports, and the TEST_MYSQL_URL / TEST_REDIS_URL that turn those tiers on.
#   prepare_test_services require   (CI) start a service that does not answer; fail when it still does not
#   prepare_test_services detect    (the README's test command) use what answers; name the tiers skipped otherwise
# A TEST_MYSQL_URL or TEST_REDIS_URL already set (environment or .env) is left as it is in detect mode.

TEST_MYSQL_DEFAULT_URL="mysql://huaku:huaku@127.0.0.1:3306/huaku_test"
TEST_REDIS_DEFAULT_URL="redis://127.0.0.1:6379"

mariadb_client() { command -v mariadb || command -v mysql; }
mariadb_up() {
  local client
  client="$(mariadb_client)" || return 1
  "$client" -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1' >/dev/null 2>&1
}
redis_up() {
  if command -v redis-cli >/dev/null; then redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; return; fi
  # No redis-cli: a PING over bash's /dev/tcp.
  exec 9<>/dev/tcp/127.0.0.1/6379 2>/dev/null || return 1
  printf 'PING\r\n' >&9
  local reply=''
  read -r -t 2 reply <&9 || true
  exec 9>&-
  [[ "$reply" == +PONG* ]]
}

start_mariadb() {
  [ -x /usr/sbin/mariadbd ] || return 0
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  for _ in $(seq 1 30); do mariadb_up && break; sleep 1; done
}
start_redis() {
  command -v redis-server >/dev/null || return 0
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
}

# The database and user the MariaDB tier connects with (each suite makes its own huaku_* databases).
create_test_database() {
  "$(mariadb_client)" -h 127.0.0.1 -P 3306 -u root <<'SQL'
CREATE DATABASE IF NOT EXISTS huaku_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'huaku'@'127.0.0.1' IDENTIFIED BY 'huaku';
CREATE USER IF NOT EXISTS 'huaku'@'localhost' IDENTIFIED BY 'huaku';
GRANT ALL PRIVILEGES ON `huaku\_%`.* TO 'huaku'@'127.0.0.1';
GRANT ALL PRIVILEGES ON `huaku\_%`.* TO 'huaku'@'localhost';
FLUSH PRIVILEGES;
SQL
}

prepare_test_services() {
  local mode="$1"
  if [ "$mode" = detect ] && [ -n "${TEST_MYSQL_URL:-}" ]; then
    echo "services: MariaDB tier on TEST_MYSQL_URL as set" >&2
  elif mariadb_up || { [ "$mode" = require ] && echo "services: MariaDB is not answering on 127.0.0.1:3306; starting it" >&2 && start_mariadb && mariadb_up; }; then
    create_test_database || { echo "services: could not create the test database and user in MariaDB" >&2; return 1; }
    export TEST_MYSQL_URL="$TEST_MYSQL_DEFAULT_URL"
    echo "services: MariaDB answers on 127.0.0.1:3306: MariaDB tier on ($TEST_MYSQL_URL)" >&2
  elif [ "$mode" = require ]; then
    echo "services: MariaDB is required on 127.0.0.1:3306 (root, no password) and could not be started" >&2
    return 1
  else
    echo "services: MariaDB does not answer on 127.0.0.1:3306 (root, no password): the MariaDB tier is skipped (Store contract on MariaDB, MariaDB crawl/pipeline/snapshot suites, community server on MariaDB + Redis)" >&2
  fi

  if [ "$mode" = detect ] && [ -n "${TEST_REDIS_URL:-}" ]; then
    echo "services: Redis tier on TEST_REDIS_URL as set" >&2
  elif redis_up || { [ "$mode" = require ] && echo "services: Redis is not answering on 127.0.0.1:6379; starting it" >&2 && start_redis && redis_up; }; then
    export TEST_REDIS_URL="$TEST_REDIS_DEFAULT_URL"
    echo "services: Redis answers on 127.0.0.1:6379: Redis tier on ($TEST_REDIS_URL)" >&2
  elif [ "$mode" = require ]; then
    echo "services: Redis is required on 127.0.0.1:6379 and could not be started" >&2
    return 1
  else
    echo "services: Redis does not answer on 127.0.0.1:6379: the Redis tier is skipped (community cache, rate limits and jobs on Redis, community server on MariaDB + Redis)" >&2
  fi
}
