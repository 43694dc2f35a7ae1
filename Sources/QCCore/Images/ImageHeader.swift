#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an image header says, without decoding pixels.
public struct ImageInfo: Sendable, Equatable {
    public enum Format: String, Sendable { case jpeg, png, webp, bmp, gif, tiff }

    public var format: Format
    /// Displayed size: EXIF orientations 5–8 swap the stored width and height.
    public var width: Int
    public var height: Int
    /// Size as stored in the file, before EXIF orientation.
    public var storedWidth: Int
    public var storedHeight: Int
    /// EXIF orientation 1...8 (1 when absent or invalid).
    public var orientation: UInt8 = 1
    /// EXIF Model (0x0110), trimmed; nil when absent.
    public var exifModel: String?
    /// EXIF DateTimeOriginal (0x9003), else DateTime (0x0132), as written ("2024:05:01 13:45:00").
    public var exifDate: String?
    /// File size in bytes and modification time (seconds since 1970); 0 for in-memory bytes.
    public var fileSize: Int64 = 0
    public var mtime: Double = 0
    /// A problem that leaves the header usable, e.g. a JPEG without its end marker (truncated data).
    public var warning: String?

    public init(format: Format, storedWidth: Int, storedHeight: Int, orientation: UInt8 = 1) {
        self.format = format
        self.storedWidth = storedWidth
        self.storedHeight = storedHeight
        self.orientation = (1...8).contains(orientation) ? orientation : 1
        let swaps = self.orientation >= 5
        self.width = swaps ? storedHeight : storedWidth
        self.height = swaps ? storedWidth : storedHeight
    }
}

public struct ImageHeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One sentence with the observed value ("PNG IHDR claims 0×480").
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads image sizes (and EXIF orientation, model, date) from headers: JPEG, PNG, WebP,
/// BMP; GIF and TIFF as a best effort. Garbage, truncation and absurd sizes are errors,
/// never crashes.
public enum ImageHeader {
    /// Larger sides are refused as corrupt (no real training image has them).
    public static let maxSide = 100_000

    public static func read(path: String) -> Result<ImageInfo, ImageHeaderError> {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 64)
        defer { scratch.deallocate() }
        return read(RawPath(path), scratch: scratch)
    }

    public static func read(bytes: UnsafeRawBufferPointer) -> Result<ImageInfo, ImageHeaderError> {
        var source = MemoryHeaderBytes(buffer: bytes)
        return parse(&source)
    }

    public static func read(bytes: [UInt8]) -> Result<ImageInfo, ImageHeaderError> {
        bytes.withUnsafeBytes { read(bytes: $0) }
    }

    /// The loader's entry: one open, one fstat, usually one pread, into a worker's scratch.
    static func read(_ path: RawPath, scratch: UnsafeMutableRawBufferPointer,
                     handles: FolderHandles? = nil) -> Result<ImageInfo, ImageHeaderError> {
        let fd = handles?.open(path) ?? path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .failure(ImageHeaderError("file is missing")) }
            return .failure(ImageHeaderError("cannot open the file: \(String(cString: strerror(code)))"))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            return .failure(ImageHeaderError("cannot stat the file: \(String(cString: strerror(errno)))"))
        }
        if info.st_mode & S_IFMT == S_IFDIR { return .failure(ImageHeaderError("is a folder, not an image file")) }
        var source = FileHeaderBytes(fd: fd, size: Int(info.st_size), scratch: scratch)
        var result = parse(&source)
        if case .failure = result, source.ioError != 0 {
            return .failure(ImageHeaderError("read error: \(String(cString: strerror(source.ioError)))"))
        }
        if case .success(var header) = result {
            header.fileSize = Int64(info.st_size)
            #if canImport(Darwin)
            header.mtime = Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
            #else
            header.mtime = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            #endif
            result = .success(header)
        }
        return result
    }

    static func parse<Source: HeaderBytes>(_ source: inout Source) -> Result<ImageInfo, ImageHeaderError> {
        if source.size == 0 { return .failure(ImageHeaderError("file is empty (0 bytes)")) }
        let result: Result<ImageInfo, ImageHeaderError>
        if source.be16(0) == 0xFFD8 {
            result = JPEGHeader.parse(&source)
        } else if source.be32(0) == 0x8950_4E47 && source.be32(4) == 0x0D0A_1A0A {
            result = PNGHeader.parse(&source)
        } else if source.matches(0, "RIFF") && source.matches(8, "WEBP") {
            result = WebPHeader.parse(&source)
        } else if source.matches(0, "BM") {
            result = BMPHeader.parse(&source)
        } else if source.matches(0, "GIF87a") || source.matches(0, "GIF89a") {
            result = GIFHeader.parse(&source)
        } else if source.matches(0, "II*\u{0}") || source.matches(0, "MM\u{0}*") {
            result = TIFFHeader.parse(&source)
        } else if source.matches(4, "ftyp") {
            result = .failure(ImageHeaderError("HEIF/AVIF images are not supported (convert to JPEG or PNG)"))
        } else {
            result = .failure(ImageHeaderError("not a JPEG, PNG, WebP, BMP, GIF or TIFF file (starts with \(leadingHex(&source)))"))
        }
        guard case .success(let info) = result else { return result }
        if info.storedWidth <= 0 || info.storedHeight <= 0
            || info.storedWidth > maxSide || info.storedHeight > maxSide {
            return .failure(ImageHeaderError("\(info.format.rawValue.uppercased()) header claims \(info.storedWidth)×\(info.storedHeight) pixels, not a plausible image size"))
        }
        return result
    }

    static func leadingHex<Source: HeaderBytes>(_ source: inout Source) -> String {
        let count = min(8, source.size)
        guard let bytes = source.bytes(at: 0, count: count) else { return "?" }
        let digits = Array("0123456789abcdef".utf8)
        return bytes.map { String(decoding: [digits[Int($0 >> 4)], digits[Int($0 & 15)]], as: UTF8.self) }
            .joined(separator: " ")
    }

    static func truncated(_ format: String, _ what: String) -> ImageHeaderError {
        ImageHeaderError("\(format) file ends inside its header (\(what)): truncated")
    }
}
