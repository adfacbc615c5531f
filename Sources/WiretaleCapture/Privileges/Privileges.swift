import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// Capturing needs root or CAP_NET_RAW; nothing after opening the interface does. The order the
// CLI should follow (tcpdump's, with -Z implied under sudo):
//
//   1. `captureAllowed()` false → show `CaptureError.permissionDenied(device:)` without trying.
//   2. Open the interface (`LiveCapture`).
//   3. `dropPrivilegesToSudoUser()` → log its description.
//   4. Open the `-w` file (`CaptureWriter`): it is created by, owned by and permission-checked
//      as the invoking user, so root cannot be tricked into overwriting a file the user could not.
//
// `chownToSudoUser(path:)` is for the other order (a file opened while still root).

/// Whether this process can open packet sockets: CAP_NET_RAW (bit 13) in the effective capability
/// set (`CapEff` in `/proc/thread-self/status`). Root normally has it; a binary given
/// `setcap cap_net_raw+eip` has it for any user; root in a container without it does not.
/// Where `/proc` is not readable: whether the effective user is root.
public func captureAllowed() -> Bool {
    if let caps = effectiveCapabilities() {
        return caps & (1 << capNetRaw) != 0
    }
    return geteuid() == 0
}

let capNetRaw: UInt64 = 13

/// `CapEff` from this thread's `/proc` status, or nil when it cannot be read (not Linux).
func effectiveCapabilities() -> UInt64? {
    guard let text = readProcStatus() else { return nil }
    return parseCapEff(text)
}

/// The `CapEff:` line's hexadecimal mask.
func parseCapEff(_ status: String) -> UInt64? {
    for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
        let value = line.dropFirst("CapEff:".count).trimmingWhitespace()
        return UInt64(value, radix: 16)
    }
    return nil
}

/// The four IDs of a `Uid:` or `Gid:` line of this thread's `/proc` status (real, effective, saved, fs).
func procStatusIDs(_ key: String) -> [UInt32]? {
    guard let text = readProcStatus() else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(key) {
        let ids = line.dropFirst(key.count).split(whereSeparator: \.isWhitespace).compactMap { UInt32($0) }
        return ids.count == 4 ? ids : nil
    }
    return nil
}

/// This thread's `status`: credentials are per thread, and `/proc/self` is the thread-group
/// leader, whose entry goes stale once the main thread has exited (as under `dispatchMain`).
private func readProcStatus() -> String? {
    readTextFile("/proc/thread-self/status", limit: 1 << 20) ?? readTextFile("/proc/self/status", limit: 1 << 20)
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var s = self
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return s
    }
}

/// The user who ran `sudo`, from `SUDO_UID` / `SUDO_GID` (and the passwd entry for the name).
struct SudoUser: Hashable, Sendable {
    var uid: uid_t
    var gid: gid_t
    var name: String?

    /// Nil unless `SUDO_UID` names a non-root user. A missing or bad `SUDO_GID` falls back to the
    /// passwd entry's primary group.
    static func from(
        environment: (String) -> String?, lookup: (uid_t) -> (name: String, gid: gid_t)? = SudoUser.passwdEntry
    ) -> SudoUser? {
        guard let uidText = environment("SUDO_UID"), let uid = uid_t(uidText), uid != 0 else { return nil }
        let entry = lookup(uid)
        let gid: gid_t
        if let gidText = environment("SUDO_GID"), let parsed = gid_t(gidText) {
            gid = parsed
        } else if let entry {
            gid = entry.gid
        } else {
            return nil
        }
        if gid == 0 { return nil }
        return SudoUser(uid: uid, gid: gid, name: entry?.name ?? environment("SUDO_USER"))
    }

    static func current() -> SudoUser? {
        from(environment: { name in getenv(name).map { String(cString: $0) } })
    }

    static func passwdEntry(_ uid: uid_t) -> (name: String, gid: gid_t)? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil, let name = entry.pw_name else { return nil }
        return (String(cString: name), entry.pw_gid)
    }
}

/// What `dropPrivilegesToSudoUser()` did, for a log line.
public enum PrivilegeDrop: Sendable, Hashable, CustomStringConvertible {
    /// Not running as root: there was nothing to drop (capabilities, if any, are kept).
    case notRoot(uid: UInt32)
    /// Root, but not through `sudo` by another user: stays root.
    case stayedRoot
    /// Now running as the invoking user; root cannot be regained.
    case dropped(uid: UInt32, gid: UInt32, user: String?)

    public var description: String {
        switch self {
        case .notRoot(let uid):
            return "running as uid \(uid); no root privileges to drop"
        case .stayedRoot:
            return "running as root (not started with sudo by another user); keeping root"
        case .dropped(let uid, let gid, let user):
            let who = user.map { "\($0), " } ?? ""
            return "dropped root privileges: now \(who)uid \(uid), gid \(gid)"
        }
    }
}

/// A failure to drop root or to hand a file to the invoking user. Dropping failures are fatal:
/// the capture must not go on as root by accident.
public struct PrivilegeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which of the two operations failed.
    public enum Step: Sendable, Hashable {
        /// `dropPrivilegesToSudoUser()`.
        case dropRoot
        /// `chownToSudoUser(path:)`.
        case handOverFile(path: String)
    }

    public var step: Step
    /// The call that failed (`setuid(1000)`), or what a check found.
    public var operation: String
    /// `errno`, or 0 for a failed check.
    public var code: Int32

    public init(step: Step, operation: String, code: Int32) {
        self.step = step
        self.operation = operation
        self.code = code
    }

    public var description: String {
        let what = code == 0 ? operation : "\(operation) failed: \(errnoDescription(code))"
        switch step {
        case .dropRoot:
            return "cannot drop root privileges: \(what); stopping rather than running as root"
        case .handOverFile(let path):
            return "cannot give \(quotedForErrors(path)) to the user who ran sudo: \(what)"
        }
    }
}

/// When running as root under `sudo` (SUDO_UID / SUDO_GID set, not root), becomes the invoking
/// user: supplementary groups (`initgroups`, or just the primary group if the user has no passwd
/// entry), then `setgid`, then `setuid` (which, from root, sets the real, effective and saved
/// IDs and clears capabilities). Then checks that `setuid(0)` fails and every ID is the user's.
///
/// Call it after the interface is open: the open socket keeps working.
///
/// - Throws: `PrivilegeError` if any step fails or root could be regained.
@discardableResult
public func dropPrivilegesToSudoUser() throws(PrivilegeError) -> PrivilegeDrop {
    let euid = geteuid()
    if euid != 0 { return .notRoot(uid: UInt32(euid)) }
    guard let user = SudoUser.current() else { return .stayedRoot }
    try dropPrivileges(to: user)
    return .dropped(uid: UInt32(user.uid), gid: UInt32(user.gid), user: user.name)
}

/// The drop itself; separate so tests can run it in a child process with a chosen user.
func dropPrivileges(to user: SudoUser) throws(PrivilegeError) {
    // `errno` comes first so that building the message cannot overwrite it.
    func fail(_ code: Int32, _ operation: String) -> PrivilegeError {
        PrivilegeError(step: .dropRoot, operation: operation, code: code)
    }
    func check(_ finding: String) -> PrivilegeError {
        PrivilegeError(step: .dropRoot, operation: finding, code: 0)
    }

    if let name = user.name {
        #if canImport(Darwin)
            let groupsOK = initgroups(name, Int32(bitPattern: user.gid)) == 0
        #else
            let groupsOK = initgroups(name, user.gid) == 0
        #endif
        if !groupsOK { throw fail(errno, "initgroups(\(name), \(user.gid))") }
    } else {
        var groups = [user.gid]
        if setgroups(1, &groups) != 0 { throw fail(errno, "setgroups([\(user.gid)])") }
    }
    if setgid(user.gid) != 0 { throw fail(errno, "setgid(\(user.gid))") }
    if setuid(user.uid) != 0 { throw fail(errno, "setuid(\(user.uid))") }

    // Verify: every ID is the user's, and root is out of reach.
    if getuid() != user.uid || geteuid() != user.uid || getgid() != user.gid || getegid() != user.gid {
        throw check("user and group IDs did not all change")
    }
    // The saved set-user-ID (glibc hides getresuid without _GNU_SOURCE; /proc has it).
    if let ids = procStatusIDs("Uid:"), ids.contains(where: { $0 != user.uid }) {
        throw check("user IDs (real, effective, saved, file system) are \(ids), not all \(user.uid)")
    }
    if let ids = procStatusIDs("Gid:"), ids.contains(where: { $0 != user.gid }) {
        throw check("group IDs (real, effective, saved, file system) are \(ids), not all \(user.gid)")
    }
    if setuid(0) == 0 || seteuid(0) == 0 {
        throw check("root could be regained after setuid(\(user.uid))")
    }
}

/// Gives `path` to the user who ran `sudo` (SUDO_UID / SUDO_GID), for a file created while still
/// root. Does nothing (returns false) when not root or not under `sudo`.
///
/// - Throws: `PrivilegeError` naming the path when `chown` fails.
@discardableResult
public func chownToSudoUser(path: String) throws(PrivilegeError) -> Bool {
    guard geteuid() == 0, let user = SudoUser.current() else { return false }
    if chown(path, user.uid, user.gid) != 0 {
        let code = errno
        throw PrivilegeError(
            step: .handOverFile(path: path), operation: "chown to uid \(user.uid), gid \(user.gid)", code: code)
    }
    return true
}
