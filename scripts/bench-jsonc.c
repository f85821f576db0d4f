/*
 * bench-jsonc.c - the floor `make bench` compares aidigest with: json-c's
 * bare parse of a JSON Lines file, nothing else (no validation, no
 * aggregates). The file is mapped and cut at a newline into one range per
 * thread; each thread parses its lines with its own tokener and frees each
 * tree. Prints "jsonc: LINES lines, OBJECTS objects, SECONDS s" (wall).
 *
 *   bench-jsonc FILE [THREADS]      (default 2)
 *
 * Built by scripts/bench.sh, not part of aidigest.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct range {
    const char *p, *end;
    long lines, objects;
} range;

static void *parse_range(void *arg)
{
    range *r = arg;
    json_tokener *tok = json_tokener_new();
    if (!tok)
        return NULL;
    const char *p = r->p;
    while (p < r->end) {
        const char *nl = memchr(p, '\n', (size_t)(r->end - p));
        const char *e = nl ? nl : r->end;
        json_tokener_reset(tok);
        json_object *o = json_tokener_parse_ex(tok, p, (int)(e - p));
        if (o && json_object_is_type(o, json_type_object))
            r->objects++;
        json_object_put(o);
        r->lines++;
        p = e + 1;
    }
    json_tokener_free(tok);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-jsonc FILE [THREADS]\n");
        return 2;
    }
    int nt = argc > 2 ? atoi(argv[2]) : 2;
    if (nt < 1 || nt > 64)
        nt = 2;
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
        perror(argv[1]);
        return 1;
    }
    size_t size = (size_t)st.st_size;
    const char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    range rs[64];
    pthread_t th[64];
    const char *start = map, *end = map + size;
    for (int i = 0; i < nt; i++) {
        const char *cut = i == nt - 1 ? end : map + size / (size_t)nt * (size_t)(i + 1);
        if (cut < start)
            cut = start;
        if (cut < end) {
            const char *nl = memchr(cut, '\n', (size_t)(end - cut));
            cut = nl ? nl + 1 : end;
        }
        rs[i] = (range){ start, cut, 0, 0 };
        start = cut;
    }
    for (int i = 0; i < nt; i++)
        if (pthread_create(&th[i], NULL, parse_range, &rs[i]) != 0) {
            perror("pthread_create");
            return 1;
        }
    long lines = 0, objects = 0;
    for (int i = 0; i < nt; i++) {
        pthread_join(th[i], NULL);
        lines += rs[i].lines;
        objects += rs[i].objects;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("jsonc: %ld lines, %ld objects, %.3f s\n", lines, objects,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    munmap((void *)map, size);
    close(fd);
    return 0;
}
