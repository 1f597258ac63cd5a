import Brigade
import BrigadeTesting
import Foundation
import Testing

/// The shipped routes against the labelled set in Tests/RoutingSet/requests.txt.
///
/// Hybrid (a model answers what no route takes) must be precise: of the requests a route takes,
/// at least 97% are that route's job. Static (no model) must find the route for at least 85% of the
/// requests that have one.
@Suite("Routing set", .timeLimit(.minutes(1)))
struct RoutingSetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    struct Labelled {
        var route: String?
        var request: String
        var line: Int
    }

    static func labelledSet() throws -> [Labelled] {
        let text = try String(contentsOfFile: root + "/Tests/RoutingSet/requests.txt", encoding: .utf8)
        var items: [Labelled] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let parts = trimmed.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[1].isEmpty else {
                Issue.record("requests.txt:\(index + 1): expected `ROUTE | request`")
                continue
            }
            items.append(Labelled(route: parts[0] == "none" ? nil : parts[0], request: parts[1], line: index + 1))
        }
        return items
    }

    static func shippedRoutes() throws -> RouteSet {
        let declarations = try RegistryLoader.load(directory: root + "/tools", environment: [:])
        let specs = Dictionary(declarations.map { ($0.spec.name, $0.spec) }, uniquingKeysWith: { first, _ in first })
        return try RouteLoader.load(directory: root + "/routes", tools: specs, promptsDirectory: root + "/prompts")
    }

    /// Precision: right routes / requests routed. Recall: right routes / requests that have a route.
    struct Measure {
        var routed = 0, rightRouted = 0, withRoute = 0, found = 0
        var mistakes: [String] = []
        var precision: Double { routed == 0 ? 1 : Double(rightRouted) / Double(routed) }
        var recall: Double { withRoute == 0 ? 1 : Double(found) / Double(withRoute) }

        mutating func add(_ item: Labelled, chosen: String?) {
            if item.route != nil { withRoute += 1 }
            if chosen != nil { routed += 1 }
            if chosen != nil && chosen == item.route { rightRouted += 1; found += 1 }
            if chosen != item.route { mistakes.append("  line \(item.line): \"\(item.request)\" → \(chosen ?? "none"), labelled \(item.route ?? "none")") }
        }

        func summary(_ mode: String) -> String {
            "\(mode): precision \(RouteScore.format(precision)) (\(rightRouted)/\(routed)), recall \(RouteScore.format(recall)) (\(found)/\(withRoute))"
        }
    }

    @Test func hybridIsPreciseAndStaticFindsTheRoute() async throws {
        try await offThePool {
            let items = try Self.labelledSet()
            let routes = try Self.shippedRoutes()
            #expect(items.count >= 120)
            let labels = Set(items.compactMap(\.route))
            #expect(labels.allSatisfy { routes.route(named: $0) != nil }, "a label names no shipped route: \(labels.sorted())")
            #expect(items.filter { $0.route == nil }.count >= 40, "the set needs requests that no route should take")

            var hybrid = Measure()
            var loose = Measure()
            for item in items {
                hybrid.add(item, chosen: routes.match(item.request, mode: .hybrid)?.route.name)
                loose.add(item, chosen: routes.match(item.request, mode: .static)?.route.name)
            }
            print("Routing set, \(items.count) requests (\(items.filter { $0.route == nil }.count) for no route):")
            print(hybrid.summary("  hybrid") + "\n" + loose.summary("  static"))
            print("hybrid mistakes:\n" + hybrid.mistakes.joined(separator: "\n"))
            print("static mistakes:\n" + loose.mistakes.joined(separator: "\n"))
            #expect(hybrid.precision >= 0.97, "\(hybrid.summary("hybrid"))")
            #expect(loose.recall >= 0.85, "\(loose.summary("static"))")
        }
    }
}
