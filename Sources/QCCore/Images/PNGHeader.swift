/// PNG: the signature, then IHDR must be the first chunk (13 bytes, checksummed).
enum PNGHeader {
    static func parse<Source: HeaderBytes>(_ source: inout Source) -> Result<ImageInfo, ImageHeaderError> {
        guard let length = source.be32(8), source.bytes(at: 12, count: 4) != nil else {
            return .failure(ImageHeader.truncated("PNG", "no IHDR chunk after the signature"))
        }
        guard source.matches(12, "IHDR") else {
            return .failure(ImageHeaderError("PNG's first chunk is not IHDR: corrupt"))
        }
        guard length == 13 else {
            return .failure(ImageHeaderError("PNG IHDR has length \(length), expected 13: corrupt"))
        }
        guard let chunk = source.bytes(at: 12, count: 17 + 4) else {
            return .failure(ImageHeader.truncated("PNG", "IHDR"))
        }
        let stored = Int(chunk[17]) << 24 | Int(chunk[18]) << 16 | Int(chunk[19]) << 8 | Int(chunk[20])
        if UInt32(truncatingIfNeeded: stored) != CRC32.checksum(UnsafeRawBufferPointer(rebasing: chunk[0..<17])) {
            return .failure(ImageHeaderError("PNG IHDR checksum does not match: corrupt"))
        }
        let width = Int(chunk[4]) << 24 | Int(chunk[5]) << 16 | Int(chunk[6]) << 8 | Int(chunk[7])
        let height = Int(chunk[8]) << 24 | Int(chunk[9]) << 16 | Int(chunk[10]) << 8 | Int(chunk[11])
        var info = ImageInfo(format: .png, storedWidth: width, storedHeight: height)
        if !source.tailContains(Array("IEND".utf8), window: 64) {
            info.warning = "PNG does not end with an IEND chunk: the image data is truncated"
        }
        return .success(info)
    }
}

/// CRC-32 (ISO-HDLC, as PNG uses), table-driven.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
