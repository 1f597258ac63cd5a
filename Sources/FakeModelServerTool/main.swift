// fake-model-server [SCRIPT.json]
//
// Starts a FakeModelServer on 127.0.0.1 at a random port, loads the script (without one, every
// request is answered with "echo: <last user message>"), prints the port on stdout, and runs
// until SIGINT or SIGTERM. See FakeModelScript for the script format.
import BrigadeTesting
import Dispatch
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("-h") || arguments.contains("--help") || arguments.count > 1 {
    FileHandle.standardError.write(Data("usage: fake-model-server [SCRIPT.json]\n".utf8))
    exit(arguments.count > 1 ? 64 : 0)
}

let script: FakeModelScript
if let path = arguments.first {
    do {
        script = try FakeModelScript(json: String(contentsOfFile: path, encoding: .utf8))
    } catch {
        FileHandle.standardError.write(Data("fake-model-server: \(path): \(error)\n".utf8))
        exit(65)
    }
} else {
    script = FakeModelScript(echo: true)
}

let (stopRequests, requestStop) = AsyncStream<Int32>.makeStream()
let signalSources = [SIGINT, SIGTERM].map { number in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { @Sendable in requestStop.yield(number) }  // nonisolated: runs on a global queue
    source.resume()
    return source
}

let server = try await FakeModelServer.start()
script.load(into: server)
FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
FileHandle.standardError.write(Data("fake-model-server: OpenAI base URL \(server.openAIBaseURL), Anthropic base URL \(server.anthropicBaseURL)\n".utf8))

for await _ in stopRequests { break }
await server.stop()
withExtendedLifetime(signalSources) {}
