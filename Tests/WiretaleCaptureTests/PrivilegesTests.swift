import Foundation
import Testing
import WiretaleCore

@testable import WiretaleCapture

/// Set in the environment of the child process that `droppingPrivilegesInAChild` starts.
private let childMarker = "WIRETALE_CAPTURE_PRIVILEGE_CHILD"
private let isChild = ProcessInfo.processInfo.environment[childMarker] != nil

@Suite("Privileges")
struct PrivilegesTests {
    @Test("CapEff is read from /proc/self/status")
    func parsesCapEff() {
        let status = "Name:\tx\nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\n"
        #expect(parseCapEff(status) == 0x1ff_feff_ffff)
        #expect(parseCapEff("CapEff:\t0000000000002000\n").map { $0 & (1 << capNetRaw) != 0 } == true)
        #expect(parseCapEff("CapEff:\t0000000000001000\n").map { $0 & (1 << capNetRaw) != 0 } == false)
        #expect(parseCapEff("Name:\tx\n") == nil)
    }

    @Test("root with CAP_NET_RAW may capture", .enabled(if: geteuid() == 0 && !isChild))
    func rootMayCapture() {
        #expect(captureAllowed() == (effectiveCapabilities().map { $0 & (1 << capNetRaw) != 0 } ?? true))
    }

    @Test("the sudo user comes from SUDO_UID / SUDO_GID, never root")
    func sudoUserFromEnvironment() {
        let passwd: (uid_t) -> (name: String, gid: gid_t)? = { $0 == 1000 ? ("alice", 1000) : nil }
        func user(_ env: [String: String]) -> SudoUser? {
            SudoUser.from(environment: { env[$0] }, lookup: passwd)
        }
        #expect(user(["SUDO_UID": "1000", "SUDO_GID": "1001"]) == SudoUser(uid: 1000, gid: 1001, name: "alice"))
        #expect(user(["SUDO_UID": "1000"]) == SudoUser(uid: 1000, gid: 1000, name: "alice"))
        #expect(
            user(["SUDO_UID": "2000", "SUDO_GID": "2000", "SUDO_USER": "bob"])
                == SudoUser(uid: 2000, gid: 2000, name: "bob"))
        #expect(user(["SUDO_UID": "2000"]) == nil)  // no group known
        #expect(user(["SUDO_UID": "0", "SUDO_GID": "0"]) == nil)  // sudo run by root
        #expect(user(["SUDO_UID": "1000", "SUDO_GID": "0"]) == nil)
        #expect(user(["SUDO_UID": "x", "SUDO_GID": "1000"]) == nil)
        #expect(user([:]) == nil)
    }

    @Test("what was done reads well in a log line")
    func descriptions() {
        #expect(
            PrivilegeDrop.dropped(uid: 1000, gid: 1000, user: "alice").description
                == "dropped root privileges: now alice, uid 1000, gid 1000")
        #expect(PrivilegeDrop.notRoot(uid: 1000).description == "running as uid 1000; no root privileges to drop")
        let error = PrivilegeError(step: .dropRoot, operation: "setuid(1000)", code: EPERM)
        let expected =
            "cannot drop root privileges: setuid(1000) failed: operation not permitted (EPERM); "
            + "stopping rather than running as root"
        #expect(error.description == expected)
    }

    /// Runs `privilegeChild` below in a fresh copy of this test binary, as root "under sudo" by
    /// nobody (65534). Dropping privileges changes the whole process, so it cannot happen here.
    @Test(
        "under sudo, dropping privileges really drops root; a capture then fails with the advice",
        .enabled(if: geteuid() == 0 && !isChild, "needs root"))
    func droppingPrivilegesInAChild() throws {
        var environment = ProcessInfo.processInfo.environment
        environment[childMarker] = "1"
        environment["SUDO_UID"] = "65534"
        environment["SUDO_GID"] = "65534"
        environment["SUDO_USER"] = "nobody"
        let output = try Tools.run(
            "/proc/self/exe", ["--testing-library", "swift-testing", "--filter", "privilegeChild"],
            environment: environment, timeout: 60)
        let report = output.stdout + output.stderr
        #expect(output.status == 0, "child failed:\n\(report)")
        #expect(report.contains("CHILD dropped root privileges: now nobody, uid 65534, gid 65534"), "\(report)")
        #expect(report.contains("CHILD capturing on 'lo' needs privileges"), "\(report)")
    }
}

/// Only in the child started by `droppingPrivilegesInAChild`; skipped in a normal run.
@Test(.enabled(if: isChild, "runs only in the child process of droppingPrivilegesInAChild"))
func privilegeChild() throws {
    // While still root: a file created now is handed to the sudo user.
    // /tmp rather than $TMPDIR: after the drop, nobody must be able to create files there.
    let early = "/tmp/wiretale-capture-child-\(getpid())-early.pcap"
    defer { unlink(early) }
    let earlyWriter = try CaptureWriter(path: early, linkType: .ethernet)
    #expect(try chownToSudoUser(path: early))
    var info = stat()
    #expect(stat(early, &info) == 0 && info.st_uid == 65534 && info.st_gid == 65534)

    let drop = try dropPrivilegesToSudoUser()
    print("CHILD \(drop)")
    #expect(drop == .dropped(uid: 65534, gid: 65534, user: "nobody"))
    #expect(getuid() == 65534 && geteuid() == 65534 && getgid() == 65534 && getegid() == 65534)
    #expect(setuid(0) != 0)
    #expect(!captureAllowed())
    #expect(try dropPrivilegesToSudoUser() == .notRoot(uid: 65534))

    // The early file is still writable (the descriptor was opened as root) and finishes cleanly.
    try earlyWriter.close()
    // A file created now belongs to the user without any chown.
    let late = "/tmp/wiretale-capture-child-\(getpid())-late.pcap"
    defer { unlink(late) }
    try CaptureWriter(path: late, linkType: .ethernet).close()
    #expect(stat(late, &info) == 0 && info.st_uid == 65534)
    #expect(try !chownToSudoUser(path: late))  // not root any more: nothing to do

    let error = try #require(throws: CaptureError.self) { try LiveCapture(LiveCapture.Options(device: "lo")) }
    print("CHILD \(error)")
    #expect(error.kind == .permissionDenied)
    #expect(error.description.contains("sudo wiretale capture -i lo …"))
    #expect(error.description.contains(CaptureError.setcapCommand))
}
