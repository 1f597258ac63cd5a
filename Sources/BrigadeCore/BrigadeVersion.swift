/// Brigade's version: the one place it is written (`brigade --version`, CHANGELOG.md's headings).
public enum BrigadeVersion {
    /// The semantic version of this source tree.
    public static let semantic = "0.1.0"
}
