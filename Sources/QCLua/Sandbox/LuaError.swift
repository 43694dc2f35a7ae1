/// Why a call into Lua failed.
public enum LuaError: Error, Sendable, CustomStringConvertible {
    /// The compiler's message, "chunkname:line: ...", or a refused binary chunk.
    case syntax(message: String)
    /// A raised error. The message starts with "chunkname:line:" when Lua knows the place.
    case runtime(message: String, traceback: String)
    /// An allocation would have passed the limit. Lua stops before it can build a
    /// traceback, so `traceback` is usually empty.
    case memoryLimit(limitBytes: Int, traceback: String)
    /// The deadline passed; `traceback` is taken where the code was at that moment.
    case timeLimit(seconds: Double, traceback: String)
    /// A value Swift cannot represent or decode (too deep, a cycle, a boolean key, ...),
    /// or a bad request from Swift (invalid global path, a foreign function reference).
    case invalidValue(String)

    /// "file" and "line" from the message's leading "chunkname:line:"; for a time limit,
    /// the first Lua frame of the traceback (where the code was looping).
    public var location: (file: String, line: Int)? {
        switch self {
        case .syntax(let message), .runtime(let message, _):
            return LuaError.leadingLocation(message)
        case .timeLimit(_, let traceback), .memoryLimit(_, let traceback):
            for line in traceback.split(separator: "\n").dropFirst() {
                let frame = line.drop { $0 == "\t" || $0 == " " }
                if frame.hasPrefix("[C]") { continue }
                if let loc = LuaError.leadingLocation(frame) { return loc }
            }
            return nil
        case .invalidValue:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .syntax(let message), .runtime(let message, _):
            return message
        case .memoryLimit(let bytes, _):
            return prefix + "memory limit of \(LuaError.formatBytes(bytes)) exceeded"
        case .timeLimit(let seconds, _):
            return prefix + "time limit of \(LuaError.formatSeconds(seconds)) s exceeded"
        case .invalidValue(let message):
            return message
        }
    }

    private var prefix: String { location.map { "\($0.file):\($0.line): " } ?? "" }

    /// Finds "chunkname:digits:" at the start; chunk names may themselves contain colons.
    static func leadingLocation<S: StringProtocol>(_ whole: S) -> (file: String, line: Int)? {
        let text = whole.prefix { $0 != "\n" }
        var index = text.startIndex
        while let colon = text[index...].firstIndex(of: ":") {
            let afterColon = text.index(after: colon)
            let digits = text[afterColon...].prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, digits.endIndex < text.endIndex, text[digits.endIndex] == ":",
               colon > text.startIndex, let line = Int(digits) {
                return (String(text[..<colon]), line)
            }
            index = afterColon
        }
        return nil
    }

    static func formatBytes(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    static func formatSeconds(_ s: Double) -> String {
        s == s.rounded() && abs(s) < 1e12 ? String(Int64(s)) : String(s)
    }
}

/// What a native (Swift) function returns instead of raising; the bridge raises it in Lua
/// with the caller's "chunkname:line:" in front, so Lua code can catch it with pcall.
public struct NativeError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(message: String) { self.message = message }
    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// Exactly like Lua's own: "bad argument #1 to 'qc.hist' (table expected, got number)".
    public static func badArgument(_ index: Int, function: String, expected: String, got: LuaValue) -> NativeError {
        NativeError(message: "bad argument #\(index) to '\(function)' (\(expected) expected, got \(got.typeName))")
    }

    /// The argument is missing: "... (table expected, got no value)", as Lua says it.
    public static func missingArgument(_ index: Int, function: String, expected: String) -> NativeError {
        NativeError(message: "bad argument #\(index) to '\(function)' (\(expected) expected, got no value)")
    }

    /// Free-form problem with one argument: "bad argument #2 to 'qc.x' (must be positive)".
    public static func badArgument(_ index: Int, function: String, _ detail: String) -> NativeError {
        NativeError(message: "bad argument #\(index) to '\(function)' (\(detail))")
    }
}

/// A Swift function callable from Lua. It must not throw or call `fatalError` for bad
/// input: return `.failure` and the bridge raises the Lua error.
public typealias NativeFunction = ([LuaValue]) -> Result<[LuaValue], NativeError>
