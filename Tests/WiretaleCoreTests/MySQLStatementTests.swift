import Testing

@testable import WiretaleCore

@Suite("MySQL statements: the verb and the notes' 增删改查")
struct MySQLStatementTests {
    @Test(
        arguments: [
            ("INSERT INTO t VALUES (1)", "INSERT", MySQLCRUD.create),
            ("replace into t values (1)", "REPLACE", .create),
            ("select 1", "SELECT", .read),
            ("  \n\tSeLeCt * from t", "SELECT", .read),
            ("/* a comment */ UPDATE t SET a = 1", "UPDATE", .update),
            ("-- why\nDELETE FROM t", "DELETE", .delete),
            ("# hash comment\r\nselect 2", "SELECT", .read),
            ("/*!40101 SELECT 1 */", "SELECT", .read),
            ("(SELECT 1) UNION (SELECT 2)", "SELECT", .read),
            ("TABLE t", "TABLE", .read),
            ("WITH c AS (SELECT 1 AS x) SELECT x FROM c", "WITH", .read),
            (
                "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r", "WITH",
                .read
            ),
            (
                "with c as (select id from t where note = 'delete me') update t join c using (id) set a = 1", "WITH",
                .update
            ),
            ("WITH c AS (SELECT id FROM t) DELETE t FROM t JOIN c USING (id)", "WITH", .delete),
            ("/* x */ /* y */ insert t set a = 'select'", "INSERT", .create),
        ] as [(String, String, MySQLCRUD)])
    func dataStatementsAreClassified(_ sql: String, _ verb: String, _ crud: MySQLCRUD) {
        let s = MySQLStatement.classify(sql)
        #expect(s.verb == verb)
        #expect(s.crud == crud)
    }

    @Test(arguments: [
        ("CREATE TABLE t (a int)", "CREATE"), ("drop table t", "DROP"), ("ALTER TABLE t ADD b int", "ALTER"),
        ("SHOW DATABASES", "SHOW"), ("SET NAMES utf8mb4", "SET"), ("use shop", "USE"), ("BEGIN", "BEGIN"),
        ("START TRANSACTION", "START"), ("commit", "COMMIT"), ("ROLLBACK", "ROLLBACK"), ("CALL p()", "CALL"),
        ("EXPLAIN SELECT 1", "EXPLAIN"), ("/*!40101 SET @x = 1 */;", "SET"), ("TRUNCATE t", "TRUNCATE"),
        ("WITH c AS (SELECT 1) ", "WITH"),
    ])
    func otherStatementsAreNamedByTheirVerb(_ sql: String, _ verb: String) {
        let s = MySQLStatement.classify(sql)
        #expect(s.verb == verb)
        #expect(s.crud == nil)
    }

    @Test func textWithNoWordHasNoVerb() {
        for sql in ["", "   ", "/* only a comment */", "-- x", "--", "123", "@x := 1", "/* unterminated"] {
            let s = MySQLStatement.classify(sql)
            #expect(s.verb == nil && s.crud == nil, "\(sql)")
        }
    }

    @Test func aLongWordIsCut() {
        let s = MySQLStatement.classify(String(repeating: "x", count: 100))
        #expect(s.verb?.count == MySQLStatement.maxVerbLength)
    }

    @Test func randomTextNeverTraps() {
        var rng = SplitMix64(state: 3)
        let alphabet = Array("WITH select (')\"`/*!-#\n \\;0aZ".utf8)
        for _ in 0..<3_000 {
            let n = Int.random(in: 0...40, using: &rng)
            let bytes = (0..<n).map { _ in
                Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            _ = bytes.withUnsafeBytes { MySQLStatement.classify($0) }
            // Every prefix of a WITH statement.
            let with = Array("WITH c AS (SELECT ')' AS x) UPDATE t SET a = 1".utf8)
            for k in 0...with.count where k == n % (with.count + 1) {
                _ = Array(with[0..<k]).withUnsafeBytes { MySQLStatement.classify($0) }
            }
        }
    }
}
