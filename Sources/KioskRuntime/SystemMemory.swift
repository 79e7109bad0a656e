import CKioskShims

/// Keeps the daemon's heap small: one kiosk does not need a malloc arena per thread, and memory freed during a
/// busy spell is given back when the kiosk is idle.
public enum SystemMemory {
    /// Limits glibc malloc to `arenas` arenas; call at start, before other threads exist.
    public static func limitMallocArenas(_ arenas: Int32 = 2) {
        _ = hubkiosk_limit_malloc_arenas(arenas)
    }

    /// Returns freed heap memory to the kernel.
    public static func releaseFreeMemory() {
        _ = hubkiosk_release_free_memory()
    }
}
