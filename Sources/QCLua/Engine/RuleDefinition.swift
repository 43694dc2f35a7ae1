import QCCore

/// A check rule as its file declares it (DESIGN.md "Rule pack format"), validated so a
/// typo in a field name is an error naming the file and field, not a silently ignored key.
public struct RuleDefinition {
    public struct Example: Sendable {
        public var dataset: String
        public var config: String?
        public var predictions: String?
        public var expect: LuaTable
    }

    public var id: String
    public var title: String
    public var description: String
    /// Defaults in declaration order.
    public var params: [(name: String, value: LuaValue)]
    public var examples: [Example]
    public var run: LuaFunctionRef
    public var source: RuleSource
    /// Costly inputs the rule reads, computed before rules run only when a selected rule
    /// needs them: "image_hashes" (decode every image once, or take it from the cache).
    public var needs: Set<String>

    static let knownFields = ["id", "title", "description", "params", "examples", "run", "needs"]
    static let knownNeeds = ["image_hashes"]

    init(table: LuaTable, source: RuleSource, expectedId: String) throws(EngineError) {
        let place = source.displayName
        func fail(_ message: String) -> EngineError { .rule(place: place, message: message) }
        for (key, _) in table.fields {
            guard case .string(let name) = key, Self.knownFields.contains(name) else {
                throw fail("unknown field '\(key)' (known: \(Self.knownFields.joined(separator: ", ")))")
            }
        }
        if !table.array.isEmpty { throw fail("the rule table must not have list entries") }
        guard case .string(let id)? = table["id"] else { throw fail("field 'id' must be a string (got \(table["id"]?.typeName ?? "nil"))") }
        guard id == expectedId else { throw fail("field 'id' is '\(id)' but the file is named \(expectedId).lua") }
        guard case .string(let title)? = table["title"] else { throw fail("field 'title' must be a string") }
        guard case .string(let description)? = table["description"] else { throw fail("field 'description' must be a string") }
        guard case .function(let run)? = table["run"] else {
            throw fail("field 'run' must be a function(ds, p, emit) (got \(table["run"]?.typeName ?? "nil"))")
        }
        var params: [(String, LuaValue)] = []
        switch table["params"] {
        case nil: break
        case .table(let t)?:
            if !t.array.isEmpty { throw fail("field 'params' must map names to defaults, not be a list") }
            for (k, v) in t.fields {
                guard case .string(let name) = k else { throw fail("params: key \(k) is not a name") }
                switch v {
                case .bool, .int, .number, .string, .table: params.append((name, v))
                default: throw fail("params.\(name): default must be a boolean, number, string or table (got \(v.typeName))")
                }
            }
        case let other?: throw fail("field 'params' must be a table (got \(other.typeName))")
        }
        // Lua tables keep no key order: sort so listings and `qcpass init` are stable.
        params.sort { $0.0 < $1.0 }
        var examples: [Example] = []
        switch table["examples"] {
        case nil: break
        case .table(let t)?:
            for (i, item) in t.array.enumerated() {
                guard case .table(let e) = item, case .string(let dataset)? = e["dataset"],
                      case .table(let expect)? = e["expect"] else {
                    throw fail("examples[\(i + 1)] must be { dataset = \"…\", expect = { … } }")
                }
                for (k, _) in e.fields {
                    guard case .string(let n) = k, ["dataset", "expect", "config", "predictions"].contains(n) else {
                        throw fail("examples[\(i + 1)]: unknown field '\(k)' (known: dataset, expect, config, predictions)")
                    }
                }
                examples.append(Example(dataset: dataset, config: e["config"]?.asString,
                                        predictions: e["predictions"]?.asString, expect: expect))
            }
        case let other?: throw fail("field 'examples' must be a list (got \(other.typeName))")
        }
        var needs: Set<String> = []
        switch table["needs"] {
        case nil: break
        case .table(let t)?:
            guard t.fields.isEmpty else { throw fail("field 'needs' must be a list of strings (\(Self.knownNeeds.joined(separator: ", ")))") }
            for item in t.array {
                guard case .string(let need) = item, Self.knownNeeds.contains(need) else {
                    throw fail("needs: unknown input \(item) (known: \(Self.knownNeeds.joined(separator: ", ")))")
                }
                needs.insert(need)
            }
        case let other?: throw fail("field 'needs' must be a list (got \(other.typeName))")
        }
        self.needs = needs
        self.id = id
        self.title = title
        self.description = description
        self.params = params
        self.examples = examples
        self.run = run
        self.source = source
    }
}
