import Foundation

#if FUZZING
    /// Which reader this fuzzing run exercises: `HUBKIOSK_FUZZ_READER` (directory, config, scenario, escpos).
    let fuzzedReader: FuzzedReader = {
        let name = ProcessInfo.processInfo.environment["HUBKIOSK_FUZZ_READER"] ?? ""
        guard let reader = FuzzedReader(rawValue: name) else {
            fatalError(
                "set HUBKIOSK_FUZZ_READER to one of "
                    + FuzzedReader.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return reader
    }()

    /// libFuzzer's entry point (built with `-sanitize=fuzzer -DFUZZING`).
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        fuzzedReader.exercise(bytes)
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable's `main` to `<module>_main`: hand the process to libFuzzer's driver there.
    @_cdecl("hubkiosk_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var vector = argv
        return runFuzzerDriver(&count, &vector, fuzzOneInput)
    }
#else
    /// Without libFuzzer: replays files (the committed corpus, a crash found elsewhere) through a reader.
    ///
    ///     hubkiosk-fuzz READER FILE-OR-FOLDER...
    @main
    struct FuzzReplay {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let reader = FuzzedReader(rawValue: name), arguments.count > 1
            else {
                let readers = FuzzedReader.allCases.map(\.rawValue).joined(separator: "|")
                FileHandle.standardError.write(Data("usage: hubkiosk-fuzz \(readers) FILE-OR-FOLDER...\n".utf8))
                exit(64)
            }
            var count = 0
            for path in arguments.dropFirst() {
                for file in files(at: path) {
                    guard let data = FileManager.default.contents(atPath: file) else {
                        FileHandle.standardError.write(Data("hubkiosk-fuzz: cannot read \(file)\n".utf8))
                        exit(66)
                    }
                    reader.exercise(Array(data))
                    count += 1
                }
            }
            print("hubkiosk-fuzz: \(reader.rawValue): \(count) inputs replayed, none crashed")
        }

        static func files(at path: String) -> [String] {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                return [path]
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.sorted().map { (path as NSString).appendingPathComponent($0) }
        }
    }
#endif
