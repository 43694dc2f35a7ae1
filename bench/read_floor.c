/*
 * read_floor: the I/O floor that `qcpass check` is compared with.
 *
 *   cc -O2 -o bench/read_floor bench/read_floor.c
 *   bench/read_floor DIR        (DIR: the folder holding data.yaml, images/ and labels/)
 *   bench/read_floor DIR SUB... (reads every file under DIR/SUB to its end, e.g. predictions)
 *
 * Single-threaded on purpose: it walks DIR/images and DIR/labels, reads every label
 * file to its end and the first 64 KiB of every image (enough for any header qcpass
 * parses), and does nothing else. Anything qcpass does beyond this (parsing, checks,
 * rules, reports) is its overhead above the floor. The SUB form gives the same floor for
 * other folders: bench/label_cost.sh reads predictions/ with it, to show how much I/O the
 * predictions add next to what the label-only pass reads.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { IMAGE_PREFIX = 64 * 1024 };

struct tally {
    uint64_t files, bytes, checksum;
};

static unsigned char buffer[1 << 20];

/* Reads at most `limit` bytes (0 = whole file); the checksum keeps the reads observable. */
static void read_file(int dirfd, const char *name, size_t limit, struct tally *t) {
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        perror(name);
        return;
    }
    size_t total = 0;
    for (;;) {
        size_t want = sizeof buffer;
        if (limit && limit - total < want) want = limit - total;
        if (want == 0) break;
        ssize_t n = read(fd, buffer, want);
        if (n <= 0) break;
        t->checksum += buffer[0] + buffer[n - 1];
        total += (size_t)n;
    }
    close(fd);
    t->files++;
    t->bytes += total;
}

static void walk(int fd, const char *path, size_t limit, struct tally *t) {
    DIR *dir = fdopendir(fd);
    if (!dir) {
        perror(path);
        close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') continue;
        unsigned char type = e->d_type;
        if (type == DT_UNKNOWN || type == DT_LNK) {
            struct stat st;
            if (fstatat(fd, e->d_name, &st, 0) != 0) continue;
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
        }
        if (type == DT_DIR) {
            int sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (sub >= 0) walk(sub, e->d_name, limit, t);
        } else if (type == DT_REG) {
            read_file(fd, e->d_name, limit, t);
        }
    }
    closedir(dir);
}

static int walk_root(const char *root, const char *sub, size_t limit, struct tally *t) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, sub);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        perror(path);
        return -1;
    }
    walk(fd, path, limit, t);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [SUB...]   (DIR holds data.yaml, images/, labels/)\n", argv[0]);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct tally images = {0}, labels = {0}, other = {0};
    if (argc == 2) {
        if (walk_root(argv[1], "images", IMAGE_PREFIX, &images) != 0) return 1;
        if (walk_root(argv[1], "labels", 0, &labels) != 0) return 1;
    } else {
        for (int i = 2; i < argc; i++)
            if (walk_root(argv[1], argv[i], 0, &other) != 0) return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (argc == 2)
        printf("images %llu files %.1f MB, labels %llu files %.1f MB, %.3f s (checksum %llu)\n",
               (unsigned long long)images.files, (double)images.bytes / 1e6, (unsigned long long)labels.files,
               (double)labels.bytes / 1e6, s, (unsigned long long)(images.checksum + labels.checksum));
    else
        printf("%llu files %.1f MB, %.3f s (checksum %llu)\n", (unsigned long long)other.files,
               (double)other.bytes / 1e6, s, (unsigned long long)other.checksum);
    return 0;
}
