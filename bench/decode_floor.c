/* The decoder floor for bench/hashing.sh: one process, one thread, libjpeg-turbo
 * (TurboJPEG API) decoding every file of a list at 1/8 scale in grayscale — the least
 * work any JPEG hasher must do. Reads each file whole into a reused buffer, reuses one
 * decompressor, and prints one JSON line: images, failures, seconds, images_per_s.
 *
 *   cc -O2 -o bench/out/decode_floor bench/decode_floor.c -lturbojpeg
 *   bench/out/decode_floor FILES.txt
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FILES.txt\n", argv[0]); return 2; }
    FILE *list = fopen(argv[1], "r");
    if (!list) { perror(argv[1]); return 2; }
    char **paths = NULL;
    size_t count = 0, capacity = 0;
    char line[4096];
    while (fgets(line, sizeof line, list)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0]) continue;
        if (count == capacity) { capacity = capacity ? 2 * capacity : 1024; paths = realloc(paths, capacity * sizeof *paths); }
        paths[count++] = strdup(line);
    }
    fclose(list);

    tjhandle handle = tjInitDecompress();
    unsigned char *data = NULL, *pixels = NULL;
    size_t dataCapacity = 0, pixelCapacity = 0;
    size_t failures = 0;
    unsigned long checksum = 0;
    tjscalingfactor eighth = {1, 8};
    double start = now();
    for (size_t i = 0; i < count; i++) {
        FILE *f = fopen(paths[i], "rb");
        if (!f) { failures++; continue; }
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        if (size <= 0) { fclose(f); failures++; continue; }
        if ((size_t)size > dataCapacity) { dataCapacity = size; data = realloc(data, dataCapacity); }
        size_t got = fread(data, 1, size, f);
        fclose(f);
        int width, height, subsampling, colorspace;
        if (got != (size_t)size ||
            tjDecompressHeader3(handle, data, size, &width, &height, &subsampling, &colorspace) != 0) {
            failures++;
            continue;
        }
        int w = TJSCALED(width, eighth), h = TJSCALED(height, eighth);
        if ((size_t)(w * h) > pixelCapacity) { pixelCapacity = w * h; pixels = realloc(pixels, pixelCapacity); }
        if (tjDecompress2(handle, data, size, pixels, w, 0, h, TJPF_GRAY, 0) != 0) { failures++; continue; }
        checksum += pixels[0];
    }
    double seconds = now() - start;
    printf("{\"tool\": \"decode_floor\", \"images\": %zu, \"failures\": %zu, \"seconds\": %.6f, \"images_per_s\": %.2f, \"checksum\": %lu}\n",
           count, failures, seconds, count / seconds, checksum);
    tjDestroy(handle);
    return 0;
}
