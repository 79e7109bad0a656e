import Foundation
import KioskCore

/// Reads the directory file a configuration names.
public enum DirectoryLoader {
    /// Every problem in the file at `path`; `needs` adds the checks of how needs map to services.
    public static func check(path: String, needs: [Need]?) -> DirectoryDecoder.Result {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            let problem = DirectoryProblem(
                severity: .error, line: nil, serviceID: nil, field: "",
                message: exists
                    ? "cannot be read; check its permissions"
                    : "does not exist; set `directory` in [kiosk] of the config to your ORUK v3 JSON file")
            return DirectoryDecoder.Result(directory: ServiceDirectory(services: []), problems: [problem])
        }
        return DirectoryDecoder().decode(Array(data), needs: needs)
    }

    /// Loads the directory at `path`, or throws when it has errors. Warnings are returned for the log.
    public static func load(
        path: String, needs: [Need]
    ) throws(DirectoryError) -> (
        directory: ServiceDirectory, warnings: [DirectoryProblem]
    ) {
        let result = check(path: path, needs: needs)
        if !result.errors.isEmpty { throw DirectoryError(file: path, problems: result.problems) }
        return (result.directory, result.warnings)
    }
}
