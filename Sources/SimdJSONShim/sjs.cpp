// simdjson On-Demand → the compact C structs of sjs.h. Error codes only (no simdjson
// exceptions), and a catch-all at every extern "C" entry, so nothing unwinds into Swift.
//
// Why On-Demand: a COCO file is mostly polygon numbers ("segmentation") that nothing here
// needs. The DOM API builds a tape for all of them (8+ bytes per number, over 2 GB resident
// for a 420 MB file, most of the time spent faulting that memory in); On-Demand keeps only
// the structural index and lets us walk past `segmentation` without parsing a number.
// The walk is forward-only, so every entry is copied out as it is met (numbers into POD
// arrays, strings into one arena) and the parser and the file are released before
// sjs_parse_file returns: the caller holds only the compact result.
//
// On-Demand validates only what is read; to keep "malformed JSON is a load error" true, a
// grammar check runs over stage 1's structural index (structure_check: brackets, depth,
// commas, colons, literals, escapes) before the walk. Numbers that nothing reads are the
// one thing not validated: parsing them is what we set out to avoid.
#include "sjs.h"

#include <simdjson.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <deque>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

namespace {

/// A growable array of plain structs on malloc/realloc: large buffers grow by mremap in
/// glibc (no copy, no second live buffer), and the caller gets one contiguous pointer.
template <typename T>
struct pod_array {
    static_assert(std::is_trivially_copyable<T>::value, "pod_array holds plain structs");
    T *items = nullptr;
    size_t count = 0;
    size_t capacity = 0;

    pod_array() = default;
    pod_array(const pod_array &) = delete;
    pod_array &operator=(const pod_array &) = delete;
    ~pod_array() { std::free(items); }

    void push(const T &item) {
        if (count == capacity) grow();
        items[count++] = item;
    }
    void grow() {
        size_t bigger = capacity ? capacity * 2 : 256;
        void *moved = std::realloc(items, bigger * sizeof(T));
        if (!moved) throw std::bad_alloc();
        items = static_cast<T *>(moved);
        capacity = bigger;
    }
    void clear() {
        std::free(items);
        items = nullptr;
        count = capacity = 0;
    }
};

/// Strings copied out of the JSON: blocks that never move, so pointers stay valid.
struct string_arena {
    std::vector<std::unique_ptr<char[]>> blocks;
    char *cursor = nullptr;
    size_t left = 0;

    sjs_text store(std::string_view text) {
        if (text.empty()) return sjs_text{"", 0};
        if (text.size() > left) {
            size_t size = text.size() > (1u << 16) ? text.size() : (1u << 20);
            blocks.emplace_back(new char[size]);
            cursor = blocks.back().get();
            left = size;
        }
        std::memcpy(cursor, text.data(), text.size());
        sjs_text stored{cursor, text.size()};
        cursor += text.size();
        left -= text.size();
        return stored;
    }
};

} // namespace

struct sjs_document {
    std::string error;
    bool failed = false;
    pod_array<sjs_image> images;
    pod_array<sjs_category> categories;
    pod_array<sjs_annotation> annotations;
    string_arena strings;
    // Messages are built per entry; a deque keeps each c_str() stable while it grows.
    std::deque<std::string> messages;

    const char *keep(std::string message) {
        messages.push_back(std::move(message));
        return messages.back().c_str();
    }
    void fail(std::string message) {
        failed = true;
        error = std::move(message);
    }
};

namespace {

/// The file's bytes followed by at least SIMDJSON_PADDING readable zero bytes.
///
/// Why mmap: read() into fresh memory makes the kernel zero every page and then copy the
/// file into it; a private mapping of the page cache does neither. The mapping sits on an
/// anonymous reservation one padding longer, so the bytes past the end are readable zeros
/// whatever the slack to the page end (never a padded copy). Falls back to read() (pipes).
struct file_text {
    char *bytes = nullptr;
    size_t length = 0;
    void *mapping = nullptr;
    size_t mapped = 0;
    ~file_text() { release(); }
    void release() {
        if (mapping) munmap(mapping, mapped);
        else std::free(bytes);
        mapping = nullptr;
        bytes = nullptr;
    }
};

bool map_file(int fd, size_t size, file_text &text) {
    if (size == 0) return false;
    long page = sysconf(_SC_PAGESIZE);
    size_t reserved = (size + simdjson::SIMDJSON_PADDING + size_t(page) - 1) & ~(size_t(page) - 1);
    void *base = mmap(nullptr, reserved, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return false;
    int flags = MAP_PRIVATE | MAP_FIXED;
#ifdef MAP_POPULATE
    flags |= MAP_POPULATE;
#endif
    if (mmap(base, size, PROT_READ, flags, fd, 0) == MAP_FAILED) {
        munmap(base, reserved);
        return false;
    }
    text.mapping = base;
    text.mapped = reserved;
    text.bytes = static_cast<char *>(base);
    text.length = size;
    return true;
}

std::string read_file(const char *path, file_text &text) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::strerror(errno);
    struct stat info;
    if (fstat(fd, &info) != 0) { std::string reason = std::strerror(errno); ::close(fd); return reason; }
    if (S_ISDIR(info.st_mode)) { ::close(fd); return "is a folder"; }
    if (S_ISREG(info.st_mode) && map_file(fd, size_t(info.st_size), text)) {
        ::close(fd);
        return "";
    }
    // Not mappable: read it, growing the buffer for files whose size fstat does not know.
    size_t capacity = size_t(info.st_size) > 0 ? size_t(info.st_size) : 1 << 16;
    text.bytes = static_cast<char *>(std::malloc(capacity + simdjson::SIMDJSON_PADDING));
    if (!text.bytes) { ::close(fd); return "out of memory"; }
    size_t filled = 0;
    while (true) {
        if (filled == capacity) {
            capacity *= 2;
            char *bigger = static_cast<char *>(std::realloc(text.bytes, capacity + simdjson::SIMDJSON_PADDING));
            if (!bigger) { ::close(fd); return "out of memory"; }
            text.bytes = bigger;
        }
        ssize_t got = ::read(fd, text.bytes + filled, capacity - filled);
        if (got < 0) {
            if (errno == EINTR) continue;
            std::string reason = std::strerror(errno);
            ::close(fd);
            return reason;
        }
        if (got == 0) break;
        filled += size_t(got);
    }
    ::close(fd);
    std::memset(text.bytes + filled, 0, simdjson::SIMDJSON_PADDING);
    text.length = filled;
    return "";
}

// Why: a 400 MB COCO file makes stage 1 write ~500 MB of structural index into fresh
// memory, and on a VM faulting that in page by page costs more than stage 1 itself
// (measured: 0.5-0.8 s of faults for 0.15 s of stage 1). Asking for the pages up front
// (MADV_POPULATE_WRITE, Linux 5.14+) and in huge pages costs a fraction of that. Both are
// advisory: on older kernels or without THP nothing changes.
void advise_huge(void *start, size_t length) {
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = uintptr_t(2) << 20;
    if (!start || length < 2 * huge) return;
    uintptr_t first = (uintptr_t(start) + huge - 1) & ~(huge - 1);
    uintptr_t last = (uintptr_t(start) + length) & ~(huge - 1);
    if (last > first) madvise(reinterpret_cast<void *>(first), last - first, MADV_HUGEPAGE);
#else
    (void)start; (void)length;
#endif
}

void populate(void *start, size_t length) {
#ifdef MADV_POPULATE_WRITE
    const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
    uintptr_t first = (uintptr_t(start) + page - 1) & ~(page - 1);
    uintptr_t last = (uintptr_t(start) + length) & ~(page - 1);
    if (last > first) madvise(reinterpret_cast<void *>(first), last - first, MADV_POPULATE_WRITE);
#else
    (void)start; (void)length;
#endif
}

/// About how many structural indexes stage 1 will write for `text`: in JSON each comma,
/// colon and bracket pair comes with one more token (the value, key or closing bracket),
/// so twice their count, sampled over 64 spans of the file (exact when strings hold none).
size_t estimated_structurals(const char *text, size_t length) {
    const size_t spans = 64, span = size_t(64) << 10;
    size_t sampled = 0, weight = 0;
    auto count = [&](const char *from, size_t size) {
        for (size_t i = 0; i < size; i++) {
            char c = from[i];
            weight += (c == ',' || c == ':' || c == '[' || c == '{') ? 2 : 0;
        }
        sampled += size;
    };
    if (length <= spans * span) {
        count(text, length);
    } else {
        for (size_t k = 0; k < spans; k++) count(text + (length - span) / (spans - 1) * k, span);
    }
    return sampled ? size_t(double(weight) * double(length) / double(sampled)) + 16 : 16;
}

// ondemand::parser keeps its stage-1 buffers private, and we need only their address (for
// advise_huge). An explicit instantiation may name a private member (C++17 [temp.explicit]/14),
// which is how this reads it without patching or copying simdjson's header.
using parser_implementation = std::unique_ptr<simdjson::internal::dom_parser_implementation> od::parser::*;
parser_implementation implementation_of_parser();
template <parser_implementation Member>
struct expose_implementation {
    friend parser_implementation implementation_of_parser() { return Member; }
};
template struct expose_implementation<&od::parser::implementation>;

/// Allocates the parser for `text` and readies the part of its structural index stage 1
/// is expected to fill (see advise_huge): 1% over the estimate, the rest faults as usual.
/// At most 1.5 bytes of index per byte of text are readied (COCO files need about 1.2), so
/// a text whose strings are full of commas cannot make the estimate cost much memory.
void prepare(od::parser &parser, const char *text, size_t length) {
    if (length < (size_t(8) << 20)) return; // small files: iterate() allocates as usual
    if (parser.allocate(length) != SUCCESS) return; // iterate() retries and reports
    auto &implementation = parser.*implementation_of_parser();
    if (!implementation) return;
    const size_t entries = SIMDJSON_ROUNDUP_N(length, 64) + 2 + 7;
    uint32_t *indexes = implementation->structural_indexes.get();
    advise_huge(indexes, entries * sizeof(uint32_t));
    size_t expected = estimated_structurals(text, length);
    expected += expected / 100;
    size_t bytes = expected * sizeof(uint32_t);
    if (bytes > length + length / 2) bytes = length + length / 2;
    populate(indexes, bytes);
}

/// Drops the pages of a file mapping the walk has passed (forward-only), so the text of a
/// large file does not stay resident while the entries are copied out. Safe even if a
/// page were read again: a private file mapping refills it from the page cache.
struct passed_text {
    const char *start = nullptr; // nullptr: not a file mapping, nothing to drop
    const char *dropped = nullptr;

    void up_to(const char *position) {
        if (!start || position <= dropped) return;
        const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
        // Keep a margin: the iterator may still peek at the current token's neighbourhood.
        uintptr_t end = (uintptr_t(position) & ~(page - 1));
        end = end > 16 * page ? end - 16 * page : 0;
        if (end <= uintptr_t(dropped) + (uintptr_t(8) << 20)) return; // in 8 MB steps
        madvise(const_cast<char *>(dropped), end - uintptr_t(dropped), MADV_DONTNEED);
        dropped = reinterpret_cast<const char *>(end);
    }
};

const char *type_name(od::json_type type) {
    switch (type) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
    }
    return "an unknown value";
}

std::string shown_number(double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
}

std::string shown_string(std::string_view text) {
    if (text.size() > 40) return "\"" + std::string(text.substr(0, 40)) + "…\"";
    return "\"" + std::string(text) + "\"";
}

/// A number as written: which kind, and its value.
struct number_value {
    enum kind_t { INT, UINT, DOUBLE } kind = INT;
    int64_t i = 0;
    uint64_t u = 0;
    double d = 0;

    double as_double() const { return kind == INT ? double(i) : kind == UINT ? double(u) : d; }
    /// An integral id: int64, a uint64 that fits, or a double with no fraction (1.0).
    bool as_integer(int64_t &out) const {
        switch (kind) {
        case INT: out = i; return true;
        case UINT:
            if (u > uint64_t(INT64_MAX)) return false;
            out = int64_t(u);
            return true;
        case DOUBLE:
            if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e18) return false;
            out = int64_t(d);
            return true;
        }
        return false;
    }
};

/// Checks the grammar of the whole document on stage 1's structural index: brackets and
/// braces matched and nested at most DEFAULT_MAX_DEPTH deep, commas, colons and keys where
/// they belong, literals spelled out, string escapes well formed, nothing after the root.
///
/// Why: On-Demand validates only what is read, and the walk reads a fraction of a COCO
/// file; without this a file broken inside "segmentation" would load as if it were fine.
/// Numbers are the one thing not checked here (that would mean parsing the 45M polygon
/// coordinates of a COCO-scale file): a number nobody reads is only checked to start
/// like one. Every number that is read is parsed strictly.
class structure_check {
public:
    structure_check(const uint8_t *text, size_t length) : text_(text), length_(length) {}

    error_code run(const uint32_t *indexes, size_t count) {
        enum { VALUE, VALUE_OR_CLOSE, KEY, KEY_OR_CLOSE, COLON, AFTER_VALUE } state = VALUE;
        // Per level: 1 inside an object, 0 inside an array (level 0: the root).
        std::vector<uint8_t> inside(size_t(simdjson::DEFAULT_MAX_DEPTH) + 2, 0);
        size_t depth = 0;
        for (size_t index = 0; index < count; index++) {
            const size_t at = indexes[index];
            const uint8_t c = text_[at];
            switch (state) {
            case AFTER_VALUE:
                if (depth == 0) return simdjson::TAPE_ERROR; // something after the root value
                if (c == ',') {
                    state = inside[depth] ? KEY : VALUE;
                } else if (c == (inside[depth] ? '}' : ']')) {
                    depth--;
                } else {
                    return simdjson::TAPE_ERROR;
                }
                continue;
            case COLON:
                if (c != ':') return simdjson::TAPE_ERROR;
                state = VALUE;
                continue;
            case KEY_OR_CLOSE:
                if (c == '}') {
                    depth--;
                    state = AFTER_VALUE;
                    continue;
                }
                [[fallthrough]];
            case KEY:
                if (c != '"' || !string_at(at)) return c == '"' ? simdjson::STRING_ERROR : simdjson::TAPE_ERROR;
                state = COLON;
                continue;
            case VALUE_OR_CLOSE:
                if (c == ']') {
                    depth--;
                    state = AFTER_VALUE;
                    continue;
                }
                [[fallthrough]];
            case VALUE:
                switch (c) {
                case '[':
                case '{':
                    if (++depth > simdjson::DEFAULT_MAX_DEPTH) return simdjson::DEPTH_ERROR;
                    inside[depth] = c == '{';
                    state = c == '{' ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
                    continue;
                case '"':
                    if (!string_at(at)) return simdjson::STRING_ERROR;
                    break;
                case 't':
                    if (!literal_at(at, "true", 4)) return simdjson::T_ATOM_ERROR;
                    break;
                case 'f':
                    if (!literal_at(at, "false", 5)) return simdjson::F_ATOM_ERROR;
                    break;
                case 'n':
                    if (!literal_at(at, "null", 4)) return simdjson::N_ATOM_ERROR;
                    break;
                case '-': case '0': case '1': case '2': case '3': case '4':
                case '5': case '6': case '7': case '8': case '9':
                    // Fast path for the bulk of a COCO file, runs of ", <number>" in a polygon.
                    if (depth > 0 && !inside[depth]) {
                        while (index + 2 < count && text_[indexes[index + 1]] == ',' &&
                               starts_number(text_[indexes[index + 2]])) {
                            index += 2;
                        }
                    }
                    break;
                default:
                    return simdjson::TAPE_ERROR;
                }
                state = AFTER_VALUE;
                continue;
            }
        }
        // Ran out inside a container or before a value: the file was cut short.
        if (depth != 0 || state != AFTER_VALUE) return simdjson::TAPE_ERROR;
        return SUCCESS;
    }

private:
    const uint8_t *text_;
    size_t length_;

    static bool starts_number(uint8_t c) { return (c >= '0' && c <= '9') || c == '-'; }

    static bool ends_token(uint8_t c) {
        switch (c) {
        case ' ': case '\t': case '\n': case '\r':
        case ',': case ':': case ']': case '}': case '[': case '{': case '"':
            return true;
        default:
            return false;
        }
    }

    bool literal_at(size_t at, const char *word, size_t size) const {
        if (length_ - at < size || std::memcmp(text_ + at, word, size) != 0) return false;
        return at + size == length_ || ends_token(text_[at + size]);
    }

    static int hex(uint8_t c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /// The string opening at `at` (stage 1 found its closing quote): escapes well formed.
    bool string_at(size_t at) const {
        const uint8_t *p = text_ + at + 1;
        while (true) {
            uint8_t c = *p;
            if (c == '"') return true;
            if (c != '\\') {
                p++;
                continue;
            }
            switch (p[1]) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                p += 2;
                break;
            case 'u':
                if (hex(p[2]) < 0 || hex(p[3]) < 0 || hex(p[4]) < 0 || hex(p[5]) < 0) return false;
                p += 6;
                break;
            default:
                return false;
            }
        }
    }
};

/// One value met in the walk, typed, and read as far as an error message needs.
struct seen {
    od::json_type type = od::json_type::null;
    number_value number;
    std::string_view text;
    bool flag = false;
};

/// "<field> is <what it is>, not <expected>" with the observed value.
std::string wrong_type(const char *field, const seen &value, const char *expected) {
    std::string message = std::string("\"") + field + "\" is ";
    if (value.type == od::json_type::string) message += shown_string(value.text);
    else if (value.type == od::json_type::number) message += shown_number(value.number.as_double());
    else message += type_name(value.type);
    return message + ", not " + expected;
}

/// Walks the checked document and copies out what the loaders use. Values nothing reads
/// are left unconsumed: simdjson steps over them without parsing. A simdjson error here
/// (a number or string that does not parse) stops the walk; a shape problem (valid JSON,
/// not the expected layout) too, with its own message.
struct walker {
    sjs_document &doc;
    bool results;
    passed_text passed;
    od::document *document = nullptr; // for its current position
    error_code json_error = SUCCESS;
    std::string shape_error;

    walker(sjs_document &doc, bool results) : doc(doc), results(results) {}

    bool ok(error_code code) {
        if (code == SUCCESS) return true;
        if (json_error == SUCCESS) json_error = code;
        return false;
    }
    bool shape(std::string message) {
        if (shape_error.empty()) shape_error = std::move(message);
        return false;
    }

    /// A key as text: the raw bytes unless it has escapes (then unescaped).
    bool key_of(od::field &field, std::string_view &key) {
        const char *raw = field.key().raw();
        size_t length = 0;
        while (raw[length] != '"' && raw[length] != '\\') length++;
        if (raw[length] == '"') {
            key = std::string_view(raw, length);
            return true;
        }
        return ok(field.unescaped_key().get(key));
    }

    /// A number as the DOM API typed it: int64 when it fits, else uint64, else double;
    /// an integer beyond 64 bits is an error, as there. (Not get_number(): in simdjson
    /// 3.0.1 it yields 0 for decimals of more than 19 digits.)
    bool read_number(od::value &value, number_value &out) {
        if (value.get_int64().get(out.i) == SUCCESS) {
            out.kind = number_value::INT;
            return true;
        }
        if (value.get_uint64().get(out.u) == SUCCESS) {
            out.kind = number_value::UINT;
            return true;
        }
        std::string_view token = value.raw_json_token();
        if (token.find_first_of(".eE") == std::string_view::npos) return ok(simdjson::NUMBER_ERROR);
        out.kind = number_value::DOUBLE;
        // Whatever get_double says about a malformed number ("-e2"), it is a number error.
        return value.get_double().get(out.d) == SUCCESS || ok(simdjson::NUMBER_ERROR);
    }

    /// Types a value and reads it if it is a scalar (containers are left to be skipped).
    bool look(od::value &value, seen &out) {
        if (!ok(value.type().get(out.type))) return false;
        switch (out.type) {
        case od::json_type::number:
            return read_number(value, out.number);
        case od::json_type::string:
            return ok(value.get_string().get(out.text));
        case od::json_type::boolean:
            return ok(value.get_bool().get(out.flag));
        default:
            return true;
        }
    }

    bool read_id(const char *field, od::value &value, int64_t &out, uint8_t &has, const char *&error) {
        // The common case first; a failed get_int64 leaves the value where it was.
        if (value.get_int64().get(out) == SUCCESS) {
            has = 1;
            return true;
        }
        seen item;
        if (!look(value, item)) return false;
        if (item.type == od::json_type::number && item.number.as_integer(out)) {
            has = 1;
            return true;
        }
        has = 0;
        if (!error) error = doc.keep(wrong_type(field, item, "an integer"));
        return true;
    }

    bool read_bbox(od::value &value, double bbox[4], const char *&error) {
        od::json_type type;
        if (!ok(value.type().get(type))) return false;
        if (type != od::json_type::array) {
            seen item;
            if (!look(value, item)) return false;
            if (!error) error = doc.keep(wrong_type("bbox", item, "an array of 4 numbers"));
            return true;
        }
        od::array items;
        if (!ok(value.get_array().get(items))) return false;
        size_t count = 0;
        std::string first_bad;
        size_t bad_index = 0;
        for (auto element : items) {
            od::value item;
            if (!ok(element.get(item))) return false;
            double number;
            // Past ±9.2e18 it may be an integer too long for 64 bits, which is an error.
            if (item.get_double().get(number) == SUCCESS && std::fabs(number) < 9.2e18) {
                if (count < 4) bbox[count] = number + 0.0; // -0 reads as 0, as an integer did
                count++;
                continue;
            }
            seen other;
            if (!look(item, other)) return false; // a number that does not parse: broken JSON
            if (other.type == od::json_type::number) {
                if (count < 4) bbox[count] = other.number.as_double();
                count++;
                continue;
            }
            if (first_bad.empty()) {
                bad_index = count;
                first_bad = other.type == od::json_type::string ? shown_string(other.text) : type_name(other.type);
            }
            count++;
        }
        if (error) return true;
        if (count != 4) {
            error = doc.keep("\"bbox\" has " + std::to_string(count) + " values, expected 4 (x, y, width, height)");
        } else if (!first_bad.empty()) {
            error = doc.keep("\"bbox\" value " + std::to_string(bad_index + 1) + " is " + first_bad + ", not a number");
        }
        return true;
    }

    /// The entry as an object, or false with `type` set when it is something else.
    bool object_entry(od::value &entry, od::json_type &type, od::object &fields, bool &is_object) {
        if (!ok(entry.type().get(type))) return false;
        is_object = type == od::json_type::object;
        return !is_object || ok(entry.get_object().get(fields));
    }

    bool read_image(od::value &entry) {
        sjs_image image{};
        od::json_type type;
        od::object fields;
        bool is_object;
        if (!object_entry(entry, type, fields, is_object)) return false;
        if (!is_object) {
            image.error = doc.keep(std::string("image entry is ") + type_name(type) + ", not an object");
            doc.images.push(image);
            return true;
        }
        bool has_width = false, has_height = false;
        for (auto result : fields) {
            od::field field;
            std::string_view key;
            if (!ok(std::move(result).get(field)) || !key_of(field, key)) return false;
            od::value &value = field.value();
            if (key == "id") {
                if (!read_id("id", value, image.id, image.has_id, image.error)) return false;
            } else if (key == "file_name") {
                seen item;
                if (!look(value, item)) return false;
                if (item.type == od::json_type::string) {
                    image.file_name = doc.strings.store(item.text);
                } else if (!image.error) {
                    image.error = doc.keep(wrong_type("file_name", item, "a string"));
                }
            } else if (key == "width" || key == "height") {
                bool is_width = key == "width";
                seen item;
                if (!look(value, item)) return false;
                if (item.type == od::json_type::null) continue;
                if (item.type != od::json_type::number) {
                    if (!image.error) image.error = doc.keep(wrong_type(is_width ? "width" : "height", item, "a number"));
                    continue;
                }
                (is_width ? image.width : image.height) = item.number.as_double();
                (is_width ? has_width : has_height) = true;
            }
        }
        image.has_size = has_width && has_height;
        if (!image.error && !image.has_id) image.error = "\"id\" is missing";
        if (!image.error && !image.file_name.bytes) image.error = "\"file_name\" is missing";
        doc.images.push(image);
        return true;
    }

    bool read_category(od::value &entry) {
        sjs_category category{};
        od::json_type type;
        od::object fields;
        bool is_object;
        if (!object_entry(entry, type, fields, is_object)) return false;
        if (!is_object) {
            category.error = doc.keep(std::string("category entry is ") + type_name(type) + ", not an object");
            doc.categories.push(category);
            return true;
        }
        for (auto result : fields) {
            od::field field;
            std::string_view key;
            if (!ok(std::move(result).get(field)) || !key_of(field, key)) return false;
            od::value &value = field.value();
            if (key == "id") {
                if (!read_id("id", value, category.id, category.has_id, category.error)) return false;
            } else if (key == "name") {
                seen item;
                if (!look(value, item)) return false;
                if (item.type == od::json_type::string) {
                    category.name = doc.strings.store(item.text);
                } else if (!category.error) {
                    category.error = doc.keep(wrong_type("name", item, "a string"));
                }
            }
        }
        if (!category.error && !category.has_id) category.error = "\"id\" is missing";
        doc.categories.push(category);
        return true;
    }

    bool read_annotation(od::value &entry) {
        sjs_annotation annotation{};
        od::json_type type;
        od::object fields;
        bool is_object;
        if (!object_entry(entry, type, fields, is_object)) return false;
        if (!is_object) {
            annotation.error = doc.keep(std::string(results ? "detection" : "annotation") + " entry is " +
                                        type_name(type) + ", not an object");
            doc.annotations.push(annotation);
            return true;
        }
        uint8_t has_image = 0, has_category = 0;
        bool has_bbox = false;
        for (auto result : fields) {
            od::field field;
            std::string_view key;
            if (!ok(std::move(result).get(field)) || !key_of(field, key)) return false;
            od::value &value = field.value();
            // Anything else ("segmentation", "area", ...) is left unconsumed: skipped unparsed.
            switch (key.size() ? key[0] : 0) {
            case 'i':
                if (key == "id") {
                    if (!read_id("id", value, annotation.id, annotation.has_id, annotation.error)) return false;
                } else if (key == "image_id") {
                    od::json_type kind;
                    if (!ok(value.type().get(kind))) return false;
                    if (results && kind == od::json_type::string) {
                        std::string_view name;
                        if (!ok(value.get_string().get(name))) return false;
                        annotation.image_text = doc.strings.store(name);
                        annotation.image_id_is_text = 1;
                        has_image = 1;
                    } else if (!read_id("image_id", value, annotation.image_id, has_image, annotation.error)) {
                        return false;
                    }
                } else if (key == "iscrowd") {
                    seen item;
                    if (!look(value, item)) return false;
                    int64_t number = 0;
                    if (item.type == od::json_type::boolean) {
                        annotation.is_crowd = item.flag;
                    } else if (item.type == od::json_type::number && item.number.as_integer(number) &&
                               (number == 0 || number == 1)) {
                        annotation.is_crowd = uint8_t(number);
                    } else if (!annotation.error) {
                        annotation.error = doc.keep(wrong_type("iscrowd", item, "0 or 1"));
                    }
                }
                break;
            case 'c':
                if (key == "category_id" &&
                    !read_id("category_id", value, annotation.category_id, has_category, annotation.error)) {
                    return false;
                }
                break;
            case 'b':
                if (key == "bbox") {
                    has_bbox = true;
                    if (!read_bbox(value, annotation.bbox, annotation.error)) return false;
                }
                break;
            case 's':
                if (key == "score") {
                    seen item;
                    if (!look(value, item)) return false;
                    if (item.type == od::json_type::number) {
                        annotation.score = item.number.as_double();
                        annotation.has_score = 1;
                    } else if (!annotation.error) {
                        annotation.error = doc.keep(wrong_type("score", item, "a number"));
                    }
                }
                break;
            default:
                break;
            }
        }
        if (!annotation.error) {
            if (!has_image) annotation.error = "\"image_id\" is missing";
            else if (!has_category) annotation.error = "\"category_id\" is missing";
            else if (!has_bbox) annotation.error = "\"bbox\" is missing";
            else if (results && !annotation.has_score) annotation.error = "\"score\" is missing";
        }
        doc.annotations.push(annotation);
        return true;
    }

    enum class list { images, categories, annotations };

    bool read_list(od::array &items, list which) {
        size_t index = 0;
        for (auto element : items) {
            od::value entry;
            if (!ok(element.get(entry))) return false;
            const char *here = nullptr;
            if (passed.start && (++index & 4095) == 0 && document->current_location().get(here) == SUCCESS) {
                passed.up_to(here);
            }
            bool fine = which == list::images ? read_image(entry)
                      : which == list::categories ? read_category(entry)
                      : read_annotation(entry);
            if (!fine) return false;
        }
        return true;
    }

    /// The root's type; a number root is parsed (the structure check does not parse numbers).
    bool root_type(od::document &root, od::json_type &type) {
        if (!ok(root.type().get(type))) return false;
        double number;
        return type != od::json_type::number || root.get_double().get(number) == SUCCESS ||
               ok(simdjson::NUMBER_ERROR);
    }

    bool read_instances(od::document &root) {
        od::json_type type;
        if (!root_type(root, type)) return false;
        if (type != od::json_type::object) {
            return shape(std::string("the top level is ") + type_name(type) +
                         ", not a COCO instances object with \"images\", \"annotations\" and \"categories\"");
        }
        od::object top;
        if (!ok(root.get_object().get(top))) return false;
        bool has_images = false;
        // Keys in any order: each list is copied out where it stands.
        for (auto result : top) {
            od::field field;
            std::string_view key;
            if (!ok(std::move(result).get(field)) || !key_of(field, key)) return false;
            if (key != "images" && key != "annotations" && key != "categories") continue;
            od::value &value = field.value();
            od::json_type kind;
            if (!ok(value.type().get(kind))) return false;
            if (kind != od::json_type::array) {
                return shape("\"" + std::string(key) + "\" is " + type_name(kind) + ", not an array");
            }
            od::array items;
            if (!ok(value.get_array().get(items))) return false;
            if (key == "images") {
                has_images = true;
                if (!read_list(items, list::images)) return false;
            } else if (!read_list(items, key == "annotations" ? list::annotations : list::categories)) {
                return false;
            }
        }
        return has_images || shape("no \"images\" array: not a COCO instances file");
    }

    bool read_results(od::document &root) {
        od::json_type type;
        if (!root_type(root, type)) return false;
        if (type == od::json_type::array) {
            od::array items;
            return ok(root.get_array().get(items)) && read_list(items, list::annotations);
        }
        std::string problem = std::string("the top level is ") + type_name(type) +
                              ", not an array of detections (image_id, category_id, bbox, score)";
        if (type != od::json_type::object) return shape(problem);
        // Some tools wrap detections as {"annotations": [...]}: the first such key counts.
        od::object top;
        if (!ok(root.get_object().get(top))) return false;
        for (auto result : top) {
            od::field field;
            std::string_view key;
            if (!ok(std::move(result).get(field)) || !key_of(field, key)) return false;
            if (key != "annotations") continue;
            od::value &value = field.value();
            od::json_type kind;
            if (!ok(value.type().get(kind))) return false;
            if (kind != od::json_type::array) return shape(problem);
            od::array items;
            return ok(value.get_array().get(items)) && read_list(items, list::annotations);
        }
        return shape(problem);
    }
};

/// Parses `length` bytes at `bytes` (followed by SIMDJSON_PADDING readable bytes);
/// `mapped`: the bytes are a private file mapping whose passed pages may be dropped.
void parse_into(sjs_document &doc, const char *bytes, size_t length, sjs_kind kind, bool mapped) {
    // A UTF-8 byte order mark (Windows tools write one) is not JSON; skip it.
    if (length >= 3 && std::memcmp(bytes, "\xEF\xBB\xBF", 3) == 0) {
        bytes += 3;
        length -= 3;
    }
    walker walk(doc, kind == SJS_KIND_RESULTS);
    if (mapped) {
        // The mapping is page aligned; a BOM moved `bytes` 3 bytes into its first page.
        const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
        walk.passed.start = bytes;
        walk.passed.dropped = reinterpret_cast<const char *>(uintptr_t(bytes) & ~(page - 1));
    }
    {
        od::parser parser;
        prepare(parser, bytes, length);
        od::document root;
        // iterate() runs stage 1 (UTF-8, strings, the structural index); the check then
        // covers the grammar before anything is read.
        if (walk.ok(parser.iterate(bytes, length, length + simdjson::SIMDJSON_PADDING).get(root))) {
            // Why not on a second thread beside the walk: both are bound by memory bandwidth
            // (measured on 2 cores: the walk slowed by as much as the check took).
            const auto &stage1 = *(parser.*implementation_of_parser());
            structure_check check(reinterpret_cast<const uint8_t *>(bytes), length);
            if (walk.ok(check.run(stage1.structural_indexes.get(), stage1.n_structural_indexes))) {
                walk.document = &root;
                if (kind == SJS_KIND_RESULTS) walk.read_results(root);
                else walk.read_instances(root);
            }
        }
    } // the parser's structural index is released here
    if (walk.json_error != SUCCESS) {
        doc.fail(std::string("not valid JSON: ") + simdjson::error_message(walk.json_error));
    } else if (!walk.shape_error.empty()) {
        doc.fail(walk.shape_error);
    }
    if (doc.failed) {
        doc.images.clear();
        doc.categories.clear();
        doc.annotations.clear();
    }
}

template <typename Body>
sjs_document *guarded(Body body) {
    sjs_document *doc = nullptr;
    try {
        doc = new sjs_document();
        body(*doc);
    } catch (const std::bad_alloc &) {
        if (doc) {
            doc->images.clear();
            doc->annotations.clear();
            doc->categories.clear();
            doc->failed = true;
            doc->error = "out of memory while reading the JSON";
        }
    } catch (...) {
        if (doc) { doc->failed = true; doc->error = "internal error while reading the JSON"; }
    }
    return doc;
}

} // namespace

extern "C" {

sjs_document *sjs_parse_file(const char *path, sjs_kind kind) {
    return guarded([&](sjs_document &doc) {
        file_text text;
        std::string failure = read_file(path, text);
        if (!failure.empty()) {
            doc.fail("cannot read the file: " + failure);
            return;
        }
        parse_into(doc, text.bytes, text.length, kind, text.mapping != nullptr);
    });
}

sjs_document *sjs_parse_bytes(const char *bytes, size_t length, sjs_kind kind) {
    return guarded([&](sjs_document &doc) {
        std::unique_ptr<char[]> copy(new char[length + simdjson::SIMDJSON_PADDING]);
        if (length) std::memcpy(copy.get(), bytes, length);
        std::memset(copy.get() + length, 0, simdjson::SIMDJSON_PADDING);
        parse_into(doc, copy.get(), length, kind, false);
    });
}

const char *sjs_document_error(const sjs_document *doc) {
    if (!doc) return "out of memory while reading the JSON";
    return doc->failed ? doc->error.c_str() : nullptr;
}

size_t sjs_image_count(const sjs_document *doc) { return doc ? doc->images.count : 0; }
const sjs_image *sjs_images(const sjs_document *doc) { return doc ? doc->images.items : nullptr; }
size_t sjs_category_count(const sjs_document *doc) { return doc ? doc->categories.count : 0; }
const sjs_category *sjs_categories(const sjs_document *doc) { return doc ? doc->categories.items : nullptr; }
size_t sjs_annotation_count(const sjs_document *doc) { return doc ? doc->annotations.count : 0; }
const sjs_annotation *sjs_annotations(const sjs_document *doc) { return doc ? doc->annotations.items : nullptr; }

void sjs_document_free(sjs_document *doc) { delete doc; }

} // extern "C"
