import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace
import Testing

@Suite("Placeholder templates")
struct PlaceholderTemplateTests {
    @Test("Literals and placeholders split where `{{` and `}}` pair up, multibyte text included")
    func segments() throws {
        #expect(try PlaceholderTemplate(parsing: "é{{x}}—{{ y }}}").segments == [
            .literal("é"), .placeholder("x"), .literal("—"), .placeholder("y"), .literal("}"),
        ])
        #expect(try PlaceholderTemplate(parsing: "{ {x} }}").segments == [.literal("{ {x} }}")])
        #expect(try PlaceholderTemplate(parsing: "{").segments == [.literal("{")])
        #expect(try PlaceholderTemplate(parsing: "").segments.isEmpty)
    }

    @Test("A `{{` that opens no valid placeholder is an error naming it")
    func errors() {
        func message(_ text: String) -> String? {
            do { _ = try PlaceholderTemplate(parsing: text) } catch { return error.message }
            return nil
        }
        #expect(message("{{{x}}") == "invalid placeholder `{{{x}}`: expected `{{name}}` with a parameter name")
        #expect(message("a{{x}") == "unclosed placeholder `{{x}`")
        #expect(message("a{{x}}") == nil)
    }
}
