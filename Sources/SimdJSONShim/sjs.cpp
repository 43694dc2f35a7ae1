// simdjson DOM → the C structs of sjs.h. Error codes only (no simdjson exceptions), and a
// catch-all at every extern "C" entry, so nothing unwinds into Swift.
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
#include <new>
#include <string>
#include <string_view>
#include <vector>

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

struct sjs_document {
    simdjson::dom::parser parser;
    std::string error;
    bool failed = false;
    std::vector<sjs_image> images;
    std::vector<sjs_category> categories;
    std::vector<sjs_annotation> annotations;
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

// Why: a 100 MB COCO file makes simdjson touch ~500 MB of fresh memory (text, structural
// index, tape, strings). With 4 KiB pages the page faults cost more than the parse itself
// (measured: over half the time in clear_page/fault handling on a VM), so large buffers
// ask for transparent huge pages. Purely advisory: without THP nothing changes.
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

/// The file's bytes followed by SIMDJSON_PADDING readable bytes.
///
/// Why mmap: read() into fresh memory makes the kernel zero every page and then copy the
/// file into it; a private mapping of the page cache does neither. The mapping sits on an
/// anonymous reservation one padding longer, so bytes past the end are readable zeros
/// even when the size is a multiple of the page size. Falls back to read() (e.g. pipes).
struct file_text {
    char *bytes = nullptr;
    size_t length = 0;
    void *mapping = nullptr;
    size_t mapped = 0;
    ~file_text() {
        if (mapping) munmap(mapping, mapped);
        else std::free(bytes);
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

/// Allocates the parser for `length` bytes and advises its big buffers (see advise_huge).
simdjson::error_code prepare(simdjson::dom::parser &parser, size_t length) {
    if (length < simdjson::dom::MINIMAL_DOCUMENT_CAPACITY) return simdjson::SUCCESS;
    auto code = parser.allocate(length);
    if (code != simdjson::SUCCESS) return code;
    code = parser.doc.allocate(length);
    if (code != simdjson::SUCCESS) return code;
    size_t tape = SIMDJSON_ROUNDUP_N(length + 3, 64) * sizeof(uint64_t);
    size_t strings = SIMDJSON_ROUNDUP_N(5 * length / 3 + simdjson::SIMDJSON_PADDING, 64);
    advise_huge(parser.doc.tape.get(), tape);
    advise_huge(parser.doc.string_buf.get(), strings);
    if (parser.implementation) {
        advise_huge(parser.implementation->structural_indexes.get(), SIMDJSON_ROUNDUP_N(length, 64) * sizeof(uint32_t));
    }
    return simdjson::SUCCESS;
}


const char *type_name(element_type type) {
    switch (type) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "a number";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
    }
    return "an unknown value";
}

bool is_number(element value) {
    auto type = value.type();
    return type == element_type::INT64 || type == element_type::UINT64 || type == element_type::DOUBLE;
}

double number_of(element value) {
    switch (value.type()) {
    case element_type::INT64: return double(int64_t(value.get_int64().value_unsafe()));
    case element_type::UINT64: return double(uint64_t(value.get_uint64().value_unsafe()));
    default: return double(value.get_double().value_unsafe());
    }
}

/// An integral id: int64, a uint64 that fits, or a double with no fraction (1.0).
bool integer_of(element value, int64_t &out) {
    switch (value.type()) {
    case element_type::INT64: out = value.get_int64().value_unsafe(); return true;
    case element_type::UINT64: {
        uint64_t v = value.get_uint64().value_unsafe();
        if (v > uint64_t(INT64_MAX)) return false;
        out = int64_t(v);
        return true;
    }
    case element_type::DOUBLE: {
        double v = value.get_double().value_unsafe();
        if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9.0e18) return false;
        out = int64_t(v);
        return true;
    }
    default: return false;
    }
}

std::string shown(element value) {
    switch (value.type()) {
    case element_type::STRING: {
        std::string_view text = value.get_string().value_unsafe();
        if (text.size() > 40) return "\"" + std::string(text.substr(0, 40)) + "…\"";
        return "\"" + std::string(text) + "\"";
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%.17g", number_of(value));
        return buffer;
    }
    default: return type_name(value.type());
    }
}

sjs_text text_of(std::string_view view) { return sjs_text{view.data(), view.size()}; }

/// "<field> is <what it is>, not <expected>" with the observed value.
std::string wrong_type(const char *field, element value, const char *expected) {
    std::string message = std::string("\"") + field + "\" is ";
    if (value.type() == element_type::STRING || is_number(value)) {
        message += shown(value);
    } else {
        message += type_name(value.type());
    }
    return message + ", not " + expected;
}

bool read_id(sjs_document &doc, const char *field, element value, int64_t &out, const char *&error) {
    if (integer_of(value, out)) return true;
    if (!error) error = doc.keep(wrong_type(field, value, "an integer"));
    return false;
}

void read_bbox(sjs_document &doc, element value, double bbox[4], bool &present, const char *&error) {
    present = true;
    array values;
    if (value.get_array().get(values) != simdjson::SUCCESS) {
        if (!error) error = doc.keep(wrong_type("bbox", value, "an array of 4 numbers"));
        return;
    }
    size_t count = values.size();
    if (count != 4) {
        if (!error) error = doc.keep("\"bbox\" has " + std::to_string(count) + " values, expected 4 (x, y, width, height)");
        return;
    }
    size_t index = 0;
    for (element item : values) {
        if (!is_number(item)) {
            if (!error) error = doc.keep("\"bbox\" value " + std::to_string(index + 1) + " is " + shown(item) + ", not a number");
            return;
        }
        bbox[index++] = number_of(item);
    }
}

void read_images(sjs_document &doc, array images) {
    doc.images.reserve(images.size());
    for (element entry : images) {
        sjs_image image{};
        object fields;
        if (entry.get_object().get(fields) != simdjson::SUCCESS) {
            image.error = doc.keep(std::string("image entry is ") + type_name(entry.type()) + ", not an object");
            doc.images.push_back(image);
            continue;
        }
        bool has_width = false, has_height = false;
        for (auto field : fields) {
            std::string_view key = field.key;
            element value = field.value;
            if (key == "id") {
                image.has_id = read_id(doc, "id", value, image.id, image.error);
            } else if (key == "file_name") {
                std::string_view name;
                if (value.get_string().get(name) == simdjson::SUCCESS) {
                    image.file_name = text_of(name);
                } else if (!image.error) {
                    image.error = doc.keep(wrong_type("file_name", value, "a string"));
                }
            } else if (key == "width" || key == "height") {
                bool is_width = key == "width";
                if (value.type() == element_type::NULL_VALUE) continue;
                if (!is_number(value)) {
                    if (!image.error) image.error = doc.keep(wrong_type(is_width ? "width" : "height", value, "a number"));
                    continue;
                }
                (is_width ? image.width : image.height) = number_of(value);
                (is_width ? has_width : has_height) = true;
            }
        }
        image.has_size = has_width && has_height;
        if (!image.error && !image.has_id) image.error = "\"id\" is missing";
        if (!image.error && !image.file_name.bytes) image.error = "\"file_name\" is missing";
        doc.images.push_back(image);
    }
}

void read_categories(sjs_document &doc, array categories) {
    doc.categories.reserve(categories.size());
    for (element entry : categories) {
        sjs_category category{};
        object fields;
        if (entry.get_object().get(fields) != simdjson::SUCCESS) {
            category.error = doc.keep(std::string("category entry is ") + type_name(entry.type()) + ", not an object");
            doc.categories.push_back(category);
            continue;
        }
        for (auto field : fields) {
            std::string_view key = field.key;
            if (key == "id") {
                category.has_id = read_id(doc, "id", field.value, category.id, category.error);
            } else if (key == "name") {
                std::string_view name;
                if (field.value.get_string().get(name) == simdjson::SUCCESS) {
                    category.name = text_of(name);
                } else if (!category.error) {
                    category.error = doc.keep(wrong_type("name", field.value, "a string"));
                }
            }
        }
        if (!category.error && !category.has_id) category.error = "\"id\" is missing";
        doc.categories.push_back(category);
    }
}

void read_annotations(sjs_document &doc, array annotations, bool results) {
    doc.annotations.reserve(annotations.size());
    advise_huge(doc.annotations.data(), doc.annotations.capacity() * sizeof(sjs_annotation));
    for (element entry : annotations) {
        sjs_annotation annotation{};
        object fields;
        if (entry.get_object().get(fields) != simdjson::SUCCESS) {
            annotation.error = doc.keep(std::string(results ? "detection" : "annotation") + " entry is " +
                                        type_name(entry.type()) + ", not an object");
            doc.annotations.push_back(annotation);
            continue;
        }
        bool has_image = false, has_category = false, has_bbox = false;
        for (auto field : fields) {
            std::string_view key = field.key;
            element value = field.value;
            switch (key.size() ? key[0] : 0) {
            case 'i':
                if (key == "id") {
                    annotation.has_id = read_id(doc, "id", value, annotation.id, annotation.error);
                } else if (key == "image_id") {
                    std::string_view name;
                    if (results && value.get_string().get(name) == simdjson::SUCCESS) {
                        annotation.image_text = text_of(name);
                        annotation.image_id_is_text = 1;
                        has_image = true;
                    } else {
                        has_image = read_id(doc, "image_id", value, annotation.image_id, annotation.error);
                    }
                } else if (key == "iscrowd") {
                    bool flag = false;
                    int64_t number = 0;
                    if (value.get_bool().get(flag) == simdjson::SUCCESS) {
                        annotation.is_crowd = flag;
                    } else if (integer_of(value, number) && (number == 0 || number == 1)) {
                        annotation.is_crowd = uint8_t(number);
                    } else if (!annotation.error) {
                        annotation.error = doc.keep(wrong_type("iscrowd", value, "0 or 1"));
                    }
                }
                break;
            case 'c':
                if (key == "category_id") {
                    has_category = read_id(doc, "category_id", value, annotation.category_id, annotation.error);
                }
                break;
            case 'b':
                if (key == "bbox") read_bbox(doc, value, annotation.bbox, has_bbox, annotation.error);
                break;
            case 's':
                if (key == "score") {
                    if (is_number(value)) {
                        annotation.score = number_of(value);
                        annotation.has_score = 1;
                    } else if (!annotation.error) {
                        annotation.error = doc.keep(wrong_type("score", value, "a number"));
                    }
                }
                break;
            default: break;
            }
        }
        if (!annotation.error) {
            if (!has_image) annotation.error = "\"image_id\" is missing";
            else if (!has_category) annotation.error = "\"category_id\" is missing";
            else if (!has_bbox) annotation.error = "\"bbox\" is missing";
            else if (results && !annotation.has_score) annotation.error = "\"score\" is missing";
        }
        doc.annotations.push_back(annotation);
    }
}

void read_instances(sjs_document &doc, element root) {
    object top;
    if (root.get_object().get(top) != simdjson::SUCCESS) {
        doc.fail(std::string("the top level is ") + type_name(root.type()) +
                 ", not a COCO instances object with \"images\", \"annotations\" and \"categories\"");
        return;
    }
    bool has_images = false;
    for (auto field : top) {
        std::string_view key = field.key;
        if (key != "images" && key != "annotations" && key != "categories") continue;
        array items;
        if (field.value.get_array().get(items) != simdjson::SUCCESS) {
            doc.fail("\"" + std::string(key) + "\" is " + type_name(field.value.type()) + ", not an array");
            return;
        }
        if (key == "images") {
            has_images = true;
            read_images(doc, items);
        } else if (key == "annotations") {
            read_annotations(doc, items, false);
        } else {
            read_categories(doc, items);
        }
    }
    if (!has_images) doc.fail("no \"images\" array: not a COCO instances file");
}

void read_results(sjs_document &doc, element root) {
    array items;
    if (root.get_array().get(items) == simdjson::SUCCESS) {
        read_annotations(doc, items, true);
        return;
    }
    // Some tools wrap detections as {"annotations": [...]}.
    object top;
    element wrapped;
    if (root.get_object().get(top) == simdjson::SUCCESS &&
        top.at_key("annotations").get(wrapped) == simdjson::SUCCESS &&
        wrapped.get_array().get(items) == simdjson::SUCCESS) {
        read_annotations(doc, items, true);
        return;
    }
    doc.fail(std::string("the top level is ") + type_name(root.type()) +
             ", not an array of detections (image_id, category_id, bbox, score)");
}

void parse_into(sjs_document &doc, simdjson::simdjson_result<element> parsed, sjs_kind kind) {
    element root;
    auto code = std::move(parsed).get(root);
    if (code != simdjson::SUCCESS) {
        doc.fail(std::string("not valid JSON: ") + simdjson::error_message(code));
        return;
    }
    if (kind == SJS_KIND_RESULTS) {
        read_results(doc, root);
    } else {
        read_instances(doc, root);
    }
}

template <typename Body>
sjs_document *guarded(Body body) {
    sjs_document *doc = nullptr;
    try {
        doc = new sjs_document();
        body(*doc);
    } catch (const std::bad_alloc &) {
        if (doc) { doc->images.clear(); doc->annotations.clear(); doc->categories.clear(); doc->failed = true; }
        if (doc) doc->error = "out of memory while reading the JSON";
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
        // A UTF-8 byte order mark (Windows tools write one) is not JSON; skip it.
        size_t skip = text.length >= 3 && std::memcmp(text.bytes, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        if (text.length > skip) {
            auto code = prepare(doc.parser, text.length - skip);
            if (code != simdjson::SUCCESS) {
                doc.fail(std::string("cannot parse: ") + simdjson::error_message(code));
                return;
            }
        }
        parse_into(doc, doc.parser.parse(text.bytes + skip, text.length - skip, false), kind);
    });
}

sjs_document *sjs_parse_bytes(const char *bytes, size_t length, sjs_kind kind) {
    return guarded([&](sjs_document &doc) {
        size_t skip = length >= 3 && std::memcmp(bytes, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        parse_into(doc, doc.parser.parse(bytes + skip, length - skip, true), kind);
    });
}

const char *sjs_document_error(const sjs_document *doc) {
    if (!doc) return "out of memory while reading the JSON";
    return doc->failed ? doc->error.c_str() : nullptr;
}

size_t sjs_image_count(const sjs_document *doc) { return doc ? doc->images.size() : 0; }
const sjs_image *sjs_images(const sjs_document *doc) { return doc ? doc->images.data() : nullptr; }
size_t sjs_category_count(const sjs_document *doc) { return doc ? doc->categories.size() : 0; }
const sjs_category *sjs_categories(const sjs_document *doc) { return doc ? doc->categories.data() : nullptr; }
size_t sjs_annotation_count(const sjs_document *doc) { return doc ? doc->annotations.size() : 0; }
const sjs_annotation *sjs_annotations(const sjs_document *doc) { return doc ? doc->annotations.data() : nullptr; }

void sjs_document_free(sjs_document *doc) { delete doc; }

} // extern "C"
