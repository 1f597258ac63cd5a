import Foundation
import BrigadeTesting

/// A workspace for the protocol tests that works offline: static routes over command tools.
struct ProtocolFixture {
    let folder: TemporaryFolder
    var config: String { folder.path + "/config.yaml" }

    /// - Parameter model: a `model:` section for config.yaml; without one the routing is static.
    init(model: String? = nil) throws {
        folder = try TemporaryFolder()
        let fifo = try folder.makeFIFO("baton")
        let release = try folder.write("release.sh", "#!/bin/sh\necho go > \"$1\"\n", executable: true)
        try folder.write("config.yaml", model.map { "routing: hybrid\nmodel:\n\($0)\n" } ?? "routing: static\n")
        try folder.write("tools/tools.yaml", """
            tools:
              - name: greet
                description: Greets someone.
                kind: command
                parameters:
                  type: object
                  properties: {name: {type: string, default: world}}
                command: {argv: [echo, "hello {{name}}"]}
              - name: launch
                description: Launches; needs approval.
                kind: command
                command: {argv: [echo, launched]}
                policy: {confirm: true}
              - name: deploy
                description: Deploys; needs approval.
                kind: command
                command: {argv: [echo, deployed]}
                policy: {confirm: true}
              - name: nap
                description: Sleeps for a long time.
                kind: command
                command: {argv: [sleep, "60"]}
              - name: hold
                description: Waits for the baton.
                kind: command
                command: {argv: [cat, \(fifo)]}
                policy: {timeout: 20s}
              - name: release
                description: Passes the baton.
                kind: command
                command: {argv: [\(release), \(fifo)]}
                policy: {timeout: 20s}
            """)
        var routes = """
            routes:
              - name: greeting
                description: Greets.
                match: {patterns: ['greet (?<name>\\w+)']}
                calls: [{tool: greet, arguments: {name: "{{name|world}}"}}]
                join: model

            """
        for name in ["launch", "deploy", "nap", "hold", "release"] {
            routes += """
                  - name: \(name)ing
                    description: Runs \(name).
                    match: {keywords: [\(name)]}
                    calls: [{tool: \(name)}]
                    join: model

                """
        }
        try folder.write("routes/routes.yaml", routes)
    }
}
