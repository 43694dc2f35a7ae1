import Foundation

/// A Lua file of a rule pack, read once: its text, where it came from, and the name
/// shown in errors ("rules/background.lua").
public struct RuleSource: Sendable {
    public var text: String
    /// Absolute path on disk.
    public var path: String
    /// Short name for messages and chunk names: "<pack folder name>/<file>".
    public var displayName: String

    public static func read(path: String, displayName: String) throws(EngineError) -> RuleSource {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError.config(place: displayName, message: "cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EngineError.config(place: displayName, message: "not UTF-8 text")
        }
        return RuleSource(text: text, path: path, displayName: displayName)
    }
}

/// Errors that stop a run before checks start (exit code 2): a pack or config that
/// does not load or validate. Always names the file and, where known, the line or field.
public enum EngineError: Error, CustomStringConvertible, Sendable {
    case config(place: String, message: String)
    case rule(place: String, message: String)

    public var description: String {
        switch self {
        case let .config(place, message), let .rule(place, message): return "\(place): \(message)"
        }
    }
}
