import ArgumentParser

/// TEMPORARY (repl branch): the lead owns the root `brigade` command; until it lands, `brigade chat`
/// (and bare `brigade`) run the REPL. Replace with the real root command, listing `ChatCommand`.
@main
struct TemporaryRoot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brigade",
        subcommands: [ChatCommand.self],
        defaultSubcommand: ChatCommand.self
    )
}
