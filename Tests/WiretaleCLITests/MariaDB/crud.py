#!/usr/bin/env python3
"""The notes' 增删改查 (create, read, update, delete) against a MariaDB, through PyMySQL.

    crud.py PORT

Connects to 127.0.0.1:PORT as `student` to database `shop` (mariadb.sh makes both), runs the
statements below one by one and prints, per statement, one JSON line with what the driver itself
saw: the SQL, the rows affected or returned, the last insert id, the error code and SQLSTATE. A
test reads these lines as the truth to hold wiretale's reading of the same connection's packets
against. autocommit is left as the server has it (PyMySQL then sends no statement of its own).
"""
import json
import sys

import pymysql

STATEMENTS = [
    "CREATE TABLE notes (id INT AUTO_INCREMENT PRIMARY KEY, topic VARCHAR(40) NOT NULL,"
    " done BOOL NOT NULL DEFAULT 0)",
    "INSERT INTO notes (topic) VALUES ('tcp'), ('udp'), ('dns')",
    "SELECT id, topic FROM notes WHERE done = 0",
    "UPDATE notes SET done = 1 WHERE topic = 'tcp'",
    "DELETE FROM notes WHERE topic = 'udp'",
    "REPLACE INTO notes (id, topic) VALUES (3, 'dns over tcp')",
    "SELECT * FROM missing_table",
    "INSERT INTO notes (id, topic) VALUES (1, 'duplicate key')",
    "UPDATE notes SET done = 1 WHERE topic = 'nothing matches'",
    "SELECT COUNT(*) AS n FROM notes",
    "DROP TABLE notes",
]


def main():
    port = int(sys.argv[1])
    conn = pymysql.connect(host="127.0.0.1", port=port, user="student", password="secret-pw",
                           database="shop", autocommit=None, connect_timeout=10, read_timeout=10)
    for sql in STATEMENTS:
        line = {"sql": sql}
        with conn.cursor() as cur:
            try:
                n = cur.execute(sql)
                if cur.description is not None:
                    line["columns"] = [d[0] for d in cur.description]
                    line["rows"] = len(cur.fetchall())
                else:
                    line["affected"] = n
                    line["insert_id"] = cur.lastrowid
            except pymysql.err.MySQLError as e:
                line["error"] = e.args[0]
        print(json.dumps(line), flush=True)
    conn.close()


if __name__ == "__main__":
    main()
