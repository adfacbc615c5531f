// What an SQL statement does, from its first keyword: the notes' 增删改查 (create, read, update,
// delete) for the four data statements, the verb alone for the others. A look at the text, not a
// parser: comments and a leading parenthesis are stepped over, strings are not interpreted.

/// The notes' four data operations (mysql的增删改查).
public enum MySQLCRUD: UInt8, Sendable, Hashable, CaseIterable {
    /// INSERT, REPLACE: 增.
    case create
    /// SELECT (and TABLE, MySQL 8's short SELECT): 查.
    case read
    /// UPDATE: 改.
    case update
    /// DELETE: 删.
    case delete

    /// JSON's `crud`: `create`, `read`, `update`, `delete`.
    public var name: StaticString {
        switch self {
        case .create: "create"
        case .read: "read"
        case .update: "update"
        case .delete: "delete"
        }
    }
}

extension MySQLCRUD: NotesLabel {
    public var english: StaticString { name }
    /// The notes' word: 增, 查, 改, 删.
    public var chinese: StaticString {
        switch self {
        case .create: "增"
        case .read: "查"
        case .update: "改"
        case .delete: "删"
        }
    }
}

/// A statement's verb and class.
public struct MySQLStatement: Sendable, Hashable {
    /// The first keyword, upper-cased (`INSERT`, `SELECT`, `CREATE`, `SET`, `WITH`...); nil when the
    /// text starts with no word (empty, only comments, a stray symbol).
    public var verb: String?
    /// The data operation, for INSERT/REPLACE, SELECT/TABLE, UPDATE, DELETE; nil for the others
    /// (DDL, SET, SHOW, transactions, CALL...).
    public var crud: MySQLCRUD?

    /// Longest verb kept (a keyword is short; a longer word is cut).
    static let maxVerbLength = 32
    /// Bytes of a `WITH` statement looked through for its main verb.
    static let maxScan = 1 << 16

    public init(verb: String?, crud: MySQLCRUD?) {
        self.verb = verb
        self.crud = crud
    }

    /// Classifies `sql` by its first keyword, case-insensitively, after whitespace, `/* ... */`,
    /// `-- ` and `#` comments and opening parentheses. An executable comment `/*!40101 SET ...*/`
    /// (mysqldump's) is read as code: its version number is skipped and its text classified.
    ///
    /// `WITH` (a common table expression) keeps `WITH` as its verb; its class is that of the main
    /// statement after the CTE list — the first SELECT, INSERT/REPLACE, UPDATE or DELETE outside
    /// parentheses and quotes: `WITH c AS (SELECT ...) SELECT ...` is read, `WITH ... UPDATE` is
    /// update, `WITH ... DELETE` delete. `WITH RECURSIVE` the same.
    public static func classify(_ sql: UnsafeRawBufferPointer) -> MySQLStatement {
        var i = 0
        skipFiller(sql, &i)
        guard let (start, end) = word(sql, at: i) else { return MySQLStatement(verb: nil, crud: nil) }
        let verb = upper(sql, start, min(end, start + maxVerbLength))
        if verb == "WITH" {
            return MySQLStatement(verb: verb, crud: mainCRUD(sql, from: end))
        }
        return MySQLStatement(verb: verb, crud: crud(of: verb))
    }

    /// `classify` over a string's UTF-8.
    public static func classify(_ sql: String) -> MySQLStatement {
        var s = sql
        return s.withUTF8 { classify(UnsafeRawBufferPointer($0)) }
    }

    static func crud(of verb: String) -> MySQLCRUD? {
        switch verb {
        case "INSERT", "REPLACE": .create
        case "SELECT", "TABLE": .read
        case "UPDATE": .update
        case "DELETE": .delete
        default: nil
        }
    }

    /// Whitespace, comments and (with `parens`) `(` and `;` before the first word.
    static func skipFiller(_ b: UnsafeRawBufferPointer, _ i: inout Int, parens: Bool = true) {
        while i < b.count {
            let c = b.u8(i)
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C || c == 0x0B
                || (parens && (c == 0x28 || c == 0x3B))
            {
                i += 1
            } else if c == 0x2F, i + 1 < b.count, b.u8(i + 1) == 0x2A {
                if i + 2 < b.count, b.u8(i + 2) == 0x21 {
                    // `/*!NNNNN code */`: the code counts; the closing `*/` is whitespace to us.
                    i += 3
                    while i < b.count, (0x30...0x39).contains(b.u8(i)) { i += 1 }
                    continue
                }
                i += 2
                while i + 1 < b.count, !(b.u8(i) == 0x2A && b.u8(i + 1) == 0x2F) { i += 1 }
                i = min(b.count, i + 2)
            } else if c == 0x23 || (c == 0x2D && i + 2 < b.count && b.u8(i + 1) == 0x2D && isSpace(b.u8(i + 2))) {
                while i < b.count, b.u8(i) != 0x0A { i += 1 }
            } else if c == 0x2D, i + 2 == b.count, b.u8(i + 1) == 0x2D {
                i = b.count
            } else {
                return
            }
        }
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    static func isWordByte(_ c: UInt8) -> Bool {
        (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || (0x30...0x39).contains(c) || c == 0x5F
    }

    /// The word (letters, digits, `_`) starting at `i`, if one starts with a letter there.
    static func word(_ b: UnsafeRawBufferPointer, at i: Int) -> (Int, Int)? {
        guard i < b.count else { return nil }
        let c = b.u8(i) | 0x20
        guard (0x61...0x7A).contains(c) else { return nil }
        var j = i
        while j < b.count, isWordByte(b.u8(j)) { j += 1 }
        return (i, j)
    }

    static func upper(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        for k in start..<end {
            let c = b.u8(k)
            out.append((0x61...0x7A).contains(c) ? c - 0x20 : c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The class of a `WITH` statement's main statement: the first data keyword at depth 0.
    static func mainCRUD(_ b: UnsafeRawBufferPointer, from: Int) -> MySQLCRUD? {
        var i = from
        var depth = 0
        let end = min(b.count, from + maxScan)
        while i < end {
            let c = b.u8(i)
            switch c {
            case 0x28:
                depth += 1
                i += 1
            case 0x29:
                depth = max(0, depth - 1)
                i += 1
            case 0x27, 0x22, 0x60:
                // A quoted string or name: to its closing quote (a doubled quote or a backslash
                // escape stays inside).
                i += 1
                while i < end, b.u8(i) != c {
                    if b.u8(i) == 0x5C { i += 1 }
                    i += 1
                }
                i += 1
            case 0x2F, 0x23, 0x2D:
                let before = i
                skipFiller(b, &i, parens: false)
                if i == before { i += 1 }
            default:
                guard let (s, e) = word(b, at: i) else {
                    i += 1
                    continue
                }
                if depth == 0, e - s <= 7, let crud = crud(of: upper(b, s, e)) { return crud }
                i = e
            }
        }
        return nil
    }
}
