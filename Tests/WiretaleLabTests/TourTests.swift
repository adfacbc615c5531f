import Testing
import WiretaleCore

@testable import WiretaleLab

#if canImport(Glibc)
    import Glibc
#endif

/// `wiretale tour` as a user runs it: the built binary, from `/`, privileged and not.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TourTests {
    static let letters = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]

    func expectNamesEverything(_ output: String) {
        for s in TCPState.allCases {
            #expect(output.contains(s.name.description), "the tour names \(s.name)")
        }
        for l in Self.letters {
            #expect(output.contains("\n  \(l). "), "the tour lists the notes' step \(l)")
        }
    }

    @Test(.enabled(if: wiretaleBinary() != nil, "build the wiretale binary first (swift build)"))
    func theTourRunsWithoutPrivilegeFromTheCompiledInCaptures() throws {
        let binary = wiretaleBinary()!
        var args = [binary, "tour"]
        var dir: String?
        if isRoot {
            // A copy in a world-readable directory, run as nobody: no capability, no package files.
            var template = Array("/tmp/wiretale-tour-XXXXXX".utf8CString)
            let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            try #require(made != nil)
            dir = String(cString: made!)
            chmod(dir!, 0o755)
            let copy = dir! + "/wiretale"
            #expect(runProgram(["/bin/cp", binary, copy]).status == 0)
            chmod(copy, 0o755)
            args = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", copy, "tour"]
        }
        defer {
            if let dir {
                unlink(dir + "/wiretale")
                rmdir(dir)
            }
        }
        let r = runProgram(args)
        #expect(r.status == 0)
        #expect(r.output.contains("Not live"))
        #expect(r.output.contains("sudo wiretale tour"))
        expectNamesEverything(r.output)
    }

    @Test(.enabled(if: isRoot && wiretaleBinary() != nil, "needs root and a built wiretale binary"))
    func theRecordedTourAsRootSaysItWasAskedForNotThatPrivilegesAreMissing() {
        let r = runProgram([wiretaleBinary()!, "tour", "--recorded"])
        #expect(r.status == 0)
        #expect(r.output.contains("Recorded, as asked (--recorded)"))
        #expect(!r.output.contains("which this run does not have"))
        #expect(!r.output.contains("capturing needs root"), "root may capture: that is not why it is recorded")
        expectNamesEverything(r.output)
    }

    @Test(.enabled(if: isRoot && wiretaleBinary() != nil, "needs root and a built wiretale binary"))
    func theTourRunsLiveWhenPrivileged() {
        let r = runProgram([wiretaleBinary()!, "tour"])
        #expect(r.status == 0)
        #expect(r.output.contains("Live:"))
        #expect(r.output.contains("captured live on lo"))
        expectNamesEverything(r.output)
    }
}
