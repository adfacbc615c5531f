#!/usr/bin/env bash
# Records the MySQL/MariaDB captures in Captures/ (see Captures/README.md) on the loopback interface.
#
#   sudo scripts/record-mysql-captures.sh [OUTDIR]      (OUTDIR defaults to Captures/)
#
# Needs root (tcpdump on lo), Debian's mariadb-server and mariadb-client, python3-pymysql, tcpdump
# and openssl. A private MariaDB (Tests/WiretaleCLITests/MariaDB/mariadb.sh: its own datadir under
# /tmp, 127.0.0.1 only) on port 3306, MySQL's own, so tshark decodes it without `-d`; a second one
# with TLS on 3307. Every client talks to 127.0.0.1 by address; nothing leaves the machine.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=$(cd "${1:-$here/Captures}" && pwd)
db="$here/Tests/WiretaleCLITests/MariaDB"
work=$(mktemp -d /tmp/wiretale-mysqlcap.XXXXXX)
td=""

cleanup() {
    if [ -n "$td" ]; then
        kill -TERM "$td" 2>/dev/null || true
        wait "$td" 2>/dev/null || true
    fi
    "$db/mariadb.sh" down "$work/plain" || true
    "$db/mariadb.sh" down "$work/tls" || true
    rm -rf "$work"
}
trap cleanup EXIT

for port in 3306 3307; do
    if ss -Htln "sport = :$port" | grep -q .; then
        echo "port $port is in use; stop what listens there first" >&2
        exit 1
    fi
done

record() { # record FILE PORT COMMAND...: tcpdump on lo around one command
    local file=$1 port=$2
    shift 2
    tcpdump -i lo --immediate-mode -U -s 0 -w "$out/$file" "tcp port $port" 2>"$work/tcpdump.err" &
    td=$!
    for _ in $(seq 50); do grep -q listening "$work/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
    sleep 1
    "$@" || echo "$file: the client exited with $? (expected where the script makes an error)" >&2
    sleep 1
    kill -TERM "$td"
    wait "$td" || true
    td=""
    echo "$file: $(tcpdump -r "$out/$file" 2>/dev/null | wc -l) packets" >&2
}

mysql_cli() { # the mariadb command-line client as a user runs it, over TCP, without TLS
    mariadb --no-defaults -h 127.0.0.1 -P "$1" -u student -psecret-pw --skip-ssl "${@:2}"
}

"$db/mariadb.sh" up "$work/plain" 3306

# 1. The notes' 增删改查 through a Python driver (PyMySQL): one connection, one statement at a time.
record mysql-crud-pymysql.pcap 3306 /usr/bin/python3 "$db/crud.py" 3306 >/dev/null

# 2. The mariadb client: a login without a database, USE (COM_INIT_DB), a transaction, SQL-level
# PREPARE/EXECUTE, SHOW, an error, and the client's COM_QUIT.
record mysql-cli.pcap 3306 mysql_cli 3306 --force -e "
USE shop;
CREATE TABLE t (k INT PRIMARY KEY, v VARCHAR(20));
BEGIN;
INSERT INTO t VALUES (1, 'one'), (2, 'two');
UPDATE t SET v = 'uno' WHERE k = 1;
COMMIT;
PREPARE s FROM 'SELECT v FROM t WHERE k = ?';
SET @k = 2;
EXECUTE s USING @k;
DEALLOCATE PREPARE s;
SHOW TABLES;
SELECT k, v FROM t ORDER BY k;
DELETE FROM t;
DROP TABLE nonexistent;
DROP TABLE t;"

# 3. A login refused: the wrong password (ERR 1045, SQLSTATE 28000).
record mysql-login-refused.pcap 3306 \
    mariadb --no-defaults -h 127.0.0.1 -P 3306 -u student -pwrong-pw --skip-ssl -e "SELECT 1"

"$db/mariadb.sh" down "$work/plain"

# 4. TLS: the client's SSL request, then the TLS handshake (MariaDB's server certificate,
# self-signed P-256), and the rest encrypted.
mkdir -p "$work/cert"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj /CN=mariadb.localhost -keyout "$work/cert/key.pem" -out "$work/cert/cert.pem" 2>/dev/null
MARIADB_EXTRA="--ssl-cert=$work/cert/cert.pem --ssl-key=$work/cert/key.pem" "$db/mariadb.sh" up "$work/tls" 3307
record mysql-tls.pcap 3307 mariadb --no-defaults -h 127.0.0.1 -P 3307 -u student -psecret-pw \
    --ssl shop -e "SELECT 1"
