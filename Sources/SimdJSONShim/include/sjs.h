// A plain C view of COCO JSON files, parsed with simdjson's On-Demand API.
//
// Why a shim: simdjson is C++ (templates, exceptions, std::string_view) and Swift's C++
// interop would leak those types into QCCore. This header exposes only C structs whose
// strings point into the document's own string arena (the JSON text and the parser are
// released once parsing returns), so one narrow Swift file can copy them out.
// Nothing here throws: every failure is an error string on the document or the entry.
#ifndef SJS_SHIM_H
#define SJS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What the file is expected to hold.
typedef enum sjs_kind {
    /// A COCO instances object: {"images": [...], "annotations": [...], "categories": [...]}.
    SJS_KIND_INSTANCES = 0,
    /// A COCO results file: [{"image_id", "category_id", "bbox", "score"}, ...].
    SJS_KIND_RESULTS = 1,
} sjs_kind;

/// UTF-8 bytes owned by the document (not NUL-terminated); bytes == NULL when absent.
typedef struct sjs_text {
    const char *bytes;
    size_t length;
} sjs_text;

typedef struct sjs_image {
    int64_t id;
    sjs_text file_name;
    double width;
    double height;
    uint8_t has_id;
    uint8_t has_size;
    /// NULL when the entry is usable; otherwise one sentence saying what is wrong.
    const char *error;
} sjs_image;

typedef struct sjs_category {
    int64_t id;
    sjs_text name;
    uint8_t has_id;
    const char *error;
} sjs_category;

/// An instances annotation or a results detection (then `score` is set).
typedef struct sjs_annotation {
    int64_t id;
    int64_t image_id;
    int64_t category_id;
    /// Results files may name images by a string stem: then image_id_is_text is 1.
    sjs_text image_text;
    double bbox[4];
    double score;
    uint8_t has_id;
    uint8_t has_score;
    uint8_t is_crowd;
    uint8_t image_id_is_text;
    const char *error;
} sjs_annotation;

typedef struct sjs_document sjs_document;

/// Parses the file at `path`. Never returns NULL (except when out of memory);
/// check sjs_document_error first. Free with sjs_document_free.
sjs_document *sjs_parse_file(const char *path, sjs_kind kind);
/// Same for bytes in memory (tests and fuzzing); the bytes are copied.
sjs_document *sjs_parse_bytes(const char *bytes, size_t length, sjs_kind kind);

/// NULL when the document was parsed and has the expected shape; else a message.
const char *sjs_document_error(const sjs_document *doc);

size_t sjs_image_count(const sjs_document *doc);
const sjs_image *sjs_images(const sjs_document *doc);
size_t sjs_category_count(const sjs_document *doc);
const sjs_category *sjs_categories(const sjs_document *doc);
size_t sjs_annotation_count(const sjs_document *doc);
const sjs_annotation *sjs_annotations(const sjs_document *doc);

void sjs_document_free(sjs_document *doc);

#ifdef __cplusplus
}
#endif

#endif
