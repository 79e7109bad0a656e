import Foundation
import KioskCore
import KioskDirectory

/// Reads the directory file a configuration names.
public enum DirectoryLoader {
    /// A directory file larger than this is refused before it is read (a kiosk's local services take a few MB).
    static let maximumFileBytes = 100_000_000

    /// Every problem in the file at `path` read as `format`; `needs` adds the checks of how needs map to services,
    /// `today` those of schedules whose validity ended.
    public static func check(
        path: String, format: DirectoryFormat = .auto, needs: [Need]?, today: LocalDate? = nil
    ) -> DirectoryDecoder.Result {
        let bytes: [UInt8]
        do throws(TextFileError) {
            bytes = try TextFile.read(atPath: path, maximumBytes: maximumFileBytes)
        } catch {
            var message = error.message
            switch error.reason {
            case .doesNotExist:
                message += "; set `directory` in [kiosk] of the config to your ORUK v3 JSON file"
            case .empty:
                message += "; it should hold the list of services in ORUK v3 JSON (`[]` for none yet)"
            default: break
            }
            let problem = DirectoryProblem(
                severity: .error, line: error.line, serviceID: nil, field: "", message: message)
            return DirectoryDecoder.Result(directory: ServiceDirectory(services: []), problems: [problem])
        }
        return DirectoryDecoder().decode(bytes, format: format, needs: needs, today: today)
    }

    /// Loads the directory at `path`, or throws when it has errors. Warnings are returned for the log.
    public static func load(
        path: String, format: DirectoryFormat = .auto, needs: [Need]
    ) throws(DirectoryError) -> (
        directory: ServiceDirectory, warnings: [DirectoryProblem]
    ) {
        let loaded = try loadKeepingBytes(path: path, format: format, needs: needs)
        return (loaded.directory, loaded.warnings)
    }

    /// ``load(path:format:needs:)``, with the bytes that were read and checked (kept as the last good copy, without
    /// reading the file again).
    public static func loadKeepingBytes(
        path: String, format: DirectoryFormat = .auto, needs: [Need]
    ) throws(DirectoryError) -> (
        directory: ServiceDirectory, warnings: [DirectoryProblem], bytes: [UInt8]
    ) {
        let bytes: [UInt8]
        do throws(TextFileError) {
            bytes = try TextFile.read(atPath: path, maximumBytes: maximumFileBytes)
        } catch {
            // The same message `check` gives (what is wrong with the file, and what to do).
            throw DirectoryError(file: path, problems: check(path: path, format: format, needs: needs).problems)
        }
        let result = DirectoryDecoder().decode(bytes, format: format, needs: needs)
        if !result.errors.isEmpty { throw DirectoryError(file: path, problems: result.problems) }
        return (result.directory, result.warnings, bytes)
    }
}
