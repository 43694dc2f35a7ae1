/// Tokens of each input format, inserted by the mutator: random bytes rarely spell
/// `"annotations"` or `kpt_shape:`, and the interesting paths start behind them.
enum Dictionaries {
    static func tokens(for target: String) -> [[UInt8]] {
        let words: [String]
        switch target {
        case "yolo-label", "predictions-txt", "number":
            words = [" ", "\t", "\n", "\r\n", "\r", "\u{FEFF}", "-", "+", ".", "e", "E", "e-", "nan", "inf", "-Infinity",
                     "0x10", "1e400", "0.5 0.5 0.1 0.1", "0 0.5 0.5 0.2 0.2 0.9\n", "\u{0}", "é", "\u{FFFD}"]
        case "data-yaml":
            words = ["path: ", "train: ", "val: ", "test: ", "names: ", "nc: ", "kpt_shape: ", "[", "]", "{", "}",
                     ": ", "- ", "\n  ", "&a ", "*a", "<<: ", "!!int ", "!!str ", "~", "null", "'", "\"", "../", "/",
                     "images", "x.txt", "0: ", "- [", "? ", "|\n", "%YAML 1.1\n", "---\n", "...\n", "\t", "1e400"]
        case "coco-instances", "coco-loader", "coco-results":
            words = ["\"images\"", "\"annotations\"", "\"categories\"", "\"id\"", "\"image_id\"", "\"category_id\"",
                     "\"bbox\"", "\"file_name\"", "\"width\"", "\"height\"", "\"iscrowd\"", "\"score\"", "\"name\"",
                     "\"segmentation\"", ":", ",", "[", "]", "{", "}", "null", "true", "false", "-0", "1e400",
                     "1.5", "\"\\u0000\"", "\"\\ud800\"", "\"a.jpg\"", "[0,0,10,10]", "9223372036854775807",
                     "-9223372036854775808", "18446744073709551616", "\"\\\"\""]
        case "metadata-csv", "audit-sheet":
            words = [",", "\"", "\"\"", "\n", "\r\n", "\r", "\u{FEFF}", "image", "verdict", "scene", "camera",
                     "images/train/a.jpg", "a.jpg", "/abs/a.jpg", "./", "\\", "ok", "mislabeled", "bad_box", "box_ref"]
        case "image-header", "image-decode":
            return [[0xFF, 0xD8], [0xFF, 0xC0], [0xFF, 0xC2], [0xFF, 0xDA], [0xFF, 0xD9], [0xFF, 0xE1],
                    Array("Exif\u{0}\u{0}".utf8), Array("II*\u{0}".utf8), Array("MM\u{0}*".utf8),
                    [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], Array("IHDR".utf8), Array("IDAT".utf8),
                    Array("IEND".utf8), Array("RIFF".utf8), Array("WEBP".utf8), Array("VP8 ".utf8),
                    Array("VP8L".utf8), Array("VP8X".utf8), Array("EXIF".utf8), Array("BM".utf8),
                    Array("GIF89a".utf8), [0x12, 0x01], [0x10, 0x01], [0x03, 0x90], [0xFF, 0xFF, 0xFF, 0xFF],
                    [0x00, 0x01, 0x86, 0xA0]]
        case "cache-records":
            return [[0, 0, 0, 0], [0xFF, 0xFF, 0, 0], [1, 0], [2, 6], [0xFF, 0xFF], Array("/x/y.jpg".utf8)]
        default:
            words = []
        }
        return words.map { Array($0.utf8) }
    }
}
