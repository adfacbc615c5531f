#!/usr/bin/env bash
# A private MariaDB server for wiretale's tests and capture recordings: its own datadir, socket and
# pid file under DIR, listening on 127.0.0.1:PORT only, with a database `shop` and a user
# `student`@127.0.0.1 (password `secret-pw`) that may use it. Nothing of the machine's own MariaDB
# (if any) is read or changed: --no-defaults, no system datadir, no system socket.
#
#   mariadb.sh up DIR PORT     install the datadir, start mariadbd, wait until it answers (≤ 20 s)
#   MARIADB_EXTRA='--ssl-cert=C --ssl-key=K' mariadb.sh up ...   extra mariadbd options (TLS)
#   mariadb.sh down DIR        stop it (SIGTERM, then SIGKILL after 10 s) and remove DIR
#
# Needs Debian's mariadb-server and mariadb-client (scripts/setup --test installs them).
set -euo pipefail

cmd=${1:?usage: mariadb.sh up DIR PORT | down DIR}
dir=${2:?usage: mariadb.sh up DIR PORT | down DIR}

case "$cmd" in
up)
    port=${3:?usage: mariadb.sh up DIR PORT}
    mkdir -p "$dir"
    user=$(id -un)
    mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" \
        --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 || {
        echo "mariadb.sh: mariadb-install-db failed:" >&2
        tail -20 "$dir/install.log" >&2
        exit 1
    }
    mariadbd --no-defaults --datadir="$dir/data" --user="$user" --socket="$dir/sock" --port="$port" \
        --bind-address=127.0.0.1 --pid-file="$dir/pid" --log-error="$dir/error.log" \
        --skip-name-resolve --innodb-buffer-pool-size=16M --skip-log-bin ${MARIADB_EXTRA:-} >/dev/null 2>&1 &
    echo $! >"$dir/mariadbd.pid"
    for _ in $(seq 200); do
        if mariadb --no-defaults --socket="$dir/sock" -uroot -e "SELECT 1" >/dev/null 2>&1; then
            mariadb --no-defaults --socket="$dir/sock" -uroot -e "
                CREATE DATABASE shop;
                CREATE USER 'student'@'127.0.0.1' IDENTIFIED BY 'secret-pw';
                GRANT ALL ON shop.* TO 'student'@'127.0.0.1';"
            exit 0
        fi
        if ! kill -0 "$(cat "$dir/mariadbd.pid")" 2>/dev/null; then break; fi
        sleep 0.1
    done
    echo "mariadb.sh: mariadbd did not start on 127.0.0.1:$port:" >&2
    tail -20 "$dir/error.log" >&2 || true
    exit 1
    ;;
down)
    if [ -f "$dir/mariadbd.pid" ]; then
        pid=$(cat "$dir/mariadbd.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    case "$dir" in /tmp/*) rm -rf "$dir" ;; esac
    ;;
*)
    echo "usage: mariadb.sh up DIR PORT | down DIR" >&2
    exit 2
    ;;
esac
