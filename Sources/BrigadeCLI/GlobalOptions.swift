/// Options accepted before the subcommand (`brigade --config X -v ask …`): moved after it, where the
/// subcommand's own parser takes them.
enum GlobalOptions {
    /// Options that take a value.
    static let withValue: Set<String> = ["--config", "-m", "--model"]
    /// Flags.
    static let flags: Set<String> = ["-v", "--verbose", "--no-store"]

    /// The arguments with leading global options moved to the end (before a `--`, if any).
    static func movedAfterSubcommand(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if flags.contains(argument) {
                moved.append(argument)
                index += 1
            } else if withValue.contains(argument), index + 1 < arguments.count {
                moved += [argument, arguments[index + 1]]
                index += 2
            } else if let name = argument.split(separator: "=", maxSplits: 1).first, argument.contains("="), withValue.contains(String(name)) {
                moved.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !moved.isEmpty else { return arguments }
        var rest = Array(arguments[index...])
        let end = rest.firstIndex(of: "--") ?? rest.endIndex
        rest.insert(contentsOf: moved, at: end)
        return rest
    }
}
