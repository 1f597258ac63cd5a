import CEdit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The entry point. `BrigadeCommand.main()` runs as a task on Swift's global executor and always ends
// the process with `exit`; the main thread waits in `pause()` meanwhile. Swift's own async main would
// end the main thread with `pthread_exit` (`dispatch_main`), whose forced unwind loads libgcc_s and
// reads the binary's unwind tables: about 0.7 MB of memory on every run (docs/benchmarks.md, "Memory
// (peak RSS)", third pass). Nothing in `brigade` runs on the main actor or the main dispatch queue.
//
// One malloc arena for all threads, set before any other thread starts: a short command's threads
// allocate little at once, and about 0.5 MB less stays resident. The commands that keep many calls in
// flight for long (`batch`, `map`, `run`'s protocol server, `mcp serve`) keep glibc's arena per
// thread: on a machine with many cores one arena's lock would be contended. MALLOC_ARENA_MAX, when
// set, is left to glibc.
let manyCallCommands: Set<String> = ["batch", "map", "run", "mcp"]
if getenv("MALLOC_ARENA_MAX") == nil, !manyCallCommands.contains(CommandLine.arguments.dropFirst().first ?? "") {
    _ = brigade_single_malloc_arena()
}
Task.detached { await BrigadeCommand.main() }
while true { pause() }
