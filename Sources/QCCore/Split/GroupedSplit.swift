/// The grouped, class-stratified split: every unit (a group of images that must stay
/// together — one scene, camera-day or frame run, joined with its duplicate copies) goes
/// to one split, and each split ends up with close to its ratio of every class's
/// instances and of the images.
///
/// Objective: the sum over splits of the squared deviation of each class's instance share
/// from the split's ratio (classes in few units weigh less: they cannot be balanced and
/// would only push the rest around), plus the same for the image share. Greedy first —
/// units largest first, each to the split it helps most — then local improvement by
/// moves and swaps until a pass gains nothing. Deterministic for a seed: ties and swap
/// partners come from `SeededRandom`.
public enum GroupedSplit {
    public struct Unit: Sendable {
        /// Class indexes (0..<classCount) present in the unit, ascending, and their instance counts.
        public var classes: [Int32]
        public var counts: [Double]
        public var images: Int
        public init(classes: [Int32], counts: [Double], images: Int) {
            self.classes = classes; self.counts = counts; self.images = images
        }
    }

    public struct Options: Sendable {
        public var ratios: [Double]
        public var seed: UInt64 = 1
        /// Classes present in at least this many units count fully; fewer, `sparseWeight`.
        public var minGroups = 20
        public var sparseWeight = 0.1
        /// Weight of the image-share term against one class's.
        public var imageWeight = 1.0
        public var maxPasses = 8
        /// Swap partners tried per unit and pass.
        public var swapTries = 6
        public init(ratios: [Double]) { self.ratios = ratios }
    }

    /// The split index of every unit.
    public static func assign(_ units: [Unit], classCount: Int, options: Options) -> [Int] {
        var state = State(units: units, classCount: classCount, options: options)
        state.greedy()
        state.improve()
        return state.assignment
    }

    struct State {
        let units: [Unit]
        let ratios: [Double]
        let options: Options
        /// Per class: 1 / total instances (0 for an absent class), and its weight.
        var inverseTotal: [Double]
        var weight: [Double]
        let inverseImages: Double
        /// shares[s][k]: split s's share of class k's instances; imageShare[s] likewise.
        var shares: [[Double]]
        var imageShare: [Double]
        var assignment: [Int]
        var random: SeededRandom
        /// Index of each unit in its split's member list (O(1) moves).
        var position: [Int] = []

        init(units: [Unit], classCount: Int, options: Options) {
            self.units = units
            self.options = options
            let sum = options.ratios.reduce(0, +)
            ratios = options.ratios.map { $0 / sum }
            var totals = [Double](repeating: 0, count: classCount)
            var groupsWith = [Int](repeating: 0, count: classCount)
            var images = 0
            for u in units {
                images += u.images
                for (j, k) in u.classes.enumerated() { totals[Int(k)] += u.counts[j]; groupsWith[Int(k)] += 1 }
            }
            inverseTotal = totals.map { $0 > 0 ? 1 / $0 : 0 }
            weight = groupsWith.map { $0 >= options.minGroups ? 1 : options.sparseWeight }
            inverseImages = images > 0 ? 1 / Double(images) : 0
            shares = Array(repeating: [Double](repeating: 0, count: classCount), count: ratios.count)
            imageShare = [Double](repeating: 0, count: ratios.count)
            assignment = [Int](repeating: -1, count: units.count)
            random = SeededRandom(seed: options.seed)
        }

        /// Change of the objective when split s gains (sign +1) or loses (-1) unit u.
        func delta(_ u: Int, _ s: Int, sign: Double) -> Double {
            let unit = units[u]
            let r = ratios[s]
            var d = 0.0
            for (j, k) in unit.classes.enumerated() {
                let c = sign * unit.counts[j] * inverseTotal[Int(k)]
                let x = shares[s][Int(k)] - r
                d += weight[Int(k)] * c * (c + 2 * x)
            }
            let c = sign * Double(unit.images) * inverseImages
            d += options.imageWeight * c * (c + 2 * (imageShare[s] - r))
            return d
        }

        mutating func apply(_ u: Int, _ s: Int, sign: Double) {
            let unit = units[u]
            for (j, k) in unit.classes.enumerated() { shares[s][Int(k)] += sign * unit.counts[j] * inverseTotal[Int(k)] }
            imageShare[s] += sign * Double(unit.images) * inverseImages
        }

        mutating func greedy() {
            // Largest first (instances plus images): the big units decide the shape, the
            // small ones fill the gaps. A seeded shuffle first makes ties seed-dependent.
            var order = Array(units.indices)
            order = random.shuffled(order)
            let size = units.map { $0.counts.reduce(0, +) + Double($0.images) }
            order.sort { size[$0] > size[$1] }
            for u in order {
                var best = 0, bestDelta = Double.infinity
                for s in ratios.indices where ratios[s] > 0 {
                    let d = delta(u, s, sign: 1)
                    if d < bestDelta - 1e-15 { best = s; bestDelta = d }
                }
                assignment[u] = best
                apply(u, best, sign: 1)
            }
        }

        /// Moves and swaps that lower the objective, until a pass finds none.
        mutating func improve() {
            guard ratios.count > 1, units.count > 1 else { return }
            var members: [[Int]] = Array(repeating: [], count: ratios.count)
            position = [Int](repeating: 0, count: units.count)
            for (u, s) in assignment.enumerated() { position[u] = members[s].count; members[s].append(u) }
            // Gains below this are rounding, not balance: stop instead of chasing them.
            let minGain = 1e-9
            for _ in 0..<options.maxPasses {
                var gained = false
                for u in random.shuffled(Array(units.indices)) {
                    let s = assignment[u]
                    let leave = delta(u, s, sign: -1)
                    // A move to another split.
                    var bestT = -1, bestGain = minGain
                    for t in ratios.indices where t != s && ratios[t] > 0 {
                        let gain = -(leave + delta(u, t, sign: 1))
                        if gain > bestGain { bestGain = gain; bestT = t }
                    }
                    if bestT >= 0 {
                        move(u, from: s, to: bestT, members: &members)
                        gained = true
                        continue
                    }
                    // A swap with a random unit of another split.
                    for _ in 0..<options.swapTries {
                        let t = random.below(ratios.count)
                        guard t != s, !members[t].isEmpty else { continue }
                        let v = members[t][random.below(members[t].count)]
                        if swapGain(u, s, v, t) > minGain {
                            move(u, from: s, to: t, members: &members)
                            move(v, from: t, to: s, members: &members)
                            gained = true
                            break
                        }
                    }
                }
                if !gained { break }
            }
        }

        /// Objective gain of exchanging u (in s) with v (in t), evaluated by doing it.
        mutating func swapGain(_ u: Int, _ s: Int, _ v: Int, _ t: Int) -> Double {
            var d = delta(u, s, sign: -1); apply(u, s, sign: -1)
            d += delta(v, t, sign: -1); apply(v, t, sign: -1)
            d += delta(u, t, sign: 1); apply(u, t, sign: 1)
            d += delta(v, s, sign: 1)
            apply(u, t, sign: -1); apply(v, t, sign: 1); apply(u, s, sign: 1)
            return -d
        }

        mutating func move(_ u: Int, from s: Int, to t: Int, members: inout [[Int]]) {
            apply(u, s, sign: -1); apply(u, t, sign: 1)
            assignment[u] = t
            let i = position[u], last = members[s].removeLast()
            if last != u { members[s][i] = last; position[last] = i }
            position[u] = members[t].count
            members[t].append(u)
        }
    }
}
