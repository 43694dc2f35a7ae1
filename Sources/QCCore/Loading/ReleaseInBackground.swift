import Foundation

/// Frees objects on a thread of its own once nothing else holds them, so their
/// deinitialisers (closing Lua states, 10⁵-element arrays of strings) run beside the rest
/// of the run instead of on the thread that finished with them.
///
/// The caller may still hold the objects in locals when it hands them over: the helper
/// waits (polling, up to `patience`) until its own references are the last ones, and
/// only then drops them. Past the patience they are dropped anyway; whoever lets go last
/// frees them, as without this helper.
public enum ReleaseInBackground {
    public static func drop(_ objects: [AnyObject], patience: TimeInterval = 5) {
        guard !objects.isEmpty else { return }
        let held = Held(objects)
        let thread = Thread {
            let deadline = Date().addingTimeInterval(patience)
            var i = 0
            while i < held.objects.count && Date() < deadline {
                if isKnownUniquelyReferenced(&held.objects[i]) { i += 1 } else { usleep(1000) }
            }
            held.objects.removeAll()
        }
        thread.start()
    }

    /// Handed over whole; only the new thread touches it afterwards.
    private final class Held: @unchecked Sendable {
        var objects: [AnyObject]
        init(_ objects: [AnyObject]) { self.objects = objects }
    }
}
