import Subprocess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// What one run of a command produced.
struct CommandRun: Sendable {
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    var termination: Termination
    var standardOutput: CappedOutput
    var standardError: CappedOutput
}

extension CommandToolExecutor {
    /// Starts the program in its own session, writes `standardInput` (or closes stdin at once), drains
    /// stdout and stderr concurrently, and waits for the exit.
    ///
    /// - Returns: The termination and the capped outputs. A program that cannot be started is reported as
    ///   exit code 127 with the reason on stderr, as a shell would.
    /// - Throws: `CancellationError` when the calling task is cancelled; by then the process group has
    ///   received SIGTERM, then SIGKILL after the grace period, and any member still alive is killed.
    func launch(arguments: [String], standardInput: [UInt8]?) async throws -> CommandRun {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: terminationGrace)]
        let limit = maxOutputBytes
        var environmentEntries: [Environment.Key: String] = [:]
        for (name, value) in environment {
            if let key = Environment.Key(rawValue: name) { environmentEntries[key] = value }
        }
        // Started through `setpriv --pdeathsig KILL` where there is one: the tool dies with Brigade.
        let (program, programArguments) = ParentDeathSignal.wrap(programPath, arguments)
        let result: ExecutionResult<(CappedOutput, CappedOutput), SequenceOutput, SequenceOutput>
        do {
            result = try await Subprocess.run(
                .path(FilePath(program)),
                arguments: Arguments(programArguments),
                environment: .custom(environmentEntries),
                workingDirectory: workingDirectory.map { FilePath($0) },
                platformOptions: options,
                input: .inputWriter,
                output: .sequence,
                error: .sequence
            ) { execution in
                async let stdout = Self.drain(execution.standardOutput, limit: limit, keep: .head)
                async let stderr = Self.drain(execution.standardError, limit: limit, keep: .tail)
                if let standardInput {
                    // A child that exits without reading its input is not an error of the call.
                    _ = try? await execution.standardInputWriter.write(standardInput)
                }
                try? await execution.standardInputWriter.finish()
                return await (stdout, stderr)
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            var reason = CappedOutput(limit: 4096, keep: .head)
            let message = "could not start \(programPath): \(error)"
            Array(message.utf8).withUnsafeBytes { reason.append($0) }
            return CommandRun(termination: .exited(127), standardOutput: CappedOutput(limit: 0, keep: .head), standardError: reason)
        }
        // The leader is reaped; whatever it left running in its group goes too. The group id cannot be
        // reused while any member is alive, so this reaches only our own descendants.
        ProcessSignals.killGroup(result.processIdentifier.value)
        if Task.isCancelled { throw CancellationError() }
        let termination: CommandRun.Termination
        switch result.terminationStatus {
        case .exited(let code): termination = .exited(code)
        case .signaled(let signal): termination = .signaled(signal)
        }
        return CommandRun(termination: termination, standardOutput: result.closureResult.0, standardError: result.closureResult.1)
    }

    /// Reads a stream to its end, keeping at most `limit` bytes.
    private static func drain(_ stream: SubprocessOutputSequence, limit: Int, keep: CappedOutput.Keep) async -> CappedOutput {
        var output = CappedOutput(limit: limit, keep: keep)
        do {
            for try await chunk in stream {
                chunk.withUnsafeBytes { output.append($0) }
            }
        } catch {
            // The stream was cut short (the child exited while a grandchild held the pipe, or the call was
            // cancelled); what was read so far is the output.
        }
        return output
    }
}

/// Process-wide signal helpers.
enum ProcessSignals {
    private static let brokenPipeIgnored: Bool = {
        // Writing to a child that closed its stdin must fail with EPIPE, not kill Brigade with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    static func ignoreBrokenPipe() {
        _ = brokenPipeIgnored
    }

    /// SIGKILL to every process in the group `groupID`; nothing happens when the group is empty.
    static func killGroup(_ groupID: pid_t) {
        guard groupID > 1 else { return }
        _ = kill(-groupID, SIGKILL)
    }

    static func name(of signal: Int32) -> String? {
        switch signal {
        case SIGHUP: "SIGHUP"
        case SIGINT: "SIGINT"
        case SIGQUIT: "SIGQUIT"
        case SIGABRT: "SIGABRT"
        case SIGKILL: "SIGKILL"
        case SIGSEGV: "SIGSEGV"
        case SIGPIPE: "SIGPIPE"
        case SIGTERM: "SIGTERM"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGILL: "SIGILL"
        default: nil
        }
    }
}
