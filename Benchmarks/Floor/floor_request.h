/* Shared by the C floors: the captured request (Benchmarks/Floor/run writes it from one real
 * request of Brigade's batch): raw HTTP/1.1 bytes whose body holds `{ITEM}` where the item number
 * goes. Gives the head lines and the body with the marker split out. */
#ifndef FLOOR_REQUEST_H
#define FLOOR_REQUEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct floor_request {
    char *request_line;   /* "POST /v1/chat/completions HTTP/1.1" */
    char **headers;       /* "Name: value", without Host and Content-Length */
    int header_count;
    char *body_before;    /* the body up to `{ITEM}` */
    char *body_after;     /* the body after it */
};

static inline char *floor_dup(const char *start, size_t length) {
    char *copy = malloc(length + 1);
    memcpy(copy, start, length);
    copy[length] = 0;
    return copy;
}

static inline int floor_starts_with_ci(const char *line, const char *prefix) {
    return strncasecmp(line, prefix, strlen(prefix)) == 0;
}

/* Reads the template at `path`; exits with a message when it is not one. */
static inline struct floor_request floor_request_load(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); exit(2); }
    static char text[1 << 20];
    size_t length = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[length] = 0;
    char *head_end = strstr(text, "\r\n\r\n");
    if (!head_end) { fprintf(stderr, "%s: no end of head\n", path); exit(2); }
    struct floor_request request = {0};
    request.headers = calloc(64, sizeof(char *));
    char *line = text;
    int first = 1;
    while (line < head_end) {
        char *end = strstr(line, "\r\n");
        char *copy = floor_dup(line, (size_t)(end - line));
        if (first) request.request_line = copy;
        else if (!floor_starts_with_ci(copy, "Host:") && !floor_starts_with_ci(copy, "Content-Length:") && request.header_count < 63)
            request.headers[request.header_count++] = copy;
        else free(copy);
        first = 0;
        line = end + 2;
    }
    char *body = head_end + 4;
    char *marker = strstr(body, "{ITEM}");
    if (!marker) { fprintf(stderr, "%s: no {ITEM} in the body\n", path); exit(2); }
    request.body_before = floor_dup(body, (size_t)(marker - body));
    request.body_after = floor_dup(marker + 6, strlen(marker + 6));
    return request;
}

/* The body of item `item` into `buffer`; returns its length. */
static inline size_t floor_request_body(const struct floor_request *request, int item, char *buffer, size_t capacity) {
    int written = snprintf(buffer, capacity, "%s%d%s", request->body_before, item, request->body_after);
    if (written < 0 || (size_t)written >= capacity) { fprintf(stderr, "body too large\n"); exit(2); }
    return (size_t)written;
}

/* The path of the request line ("/v1/chat/completions"). */
static inline char *floor_request_path(const struct floor_request *request) {
    const char *start = strchr(request->request_line, ' ');
    const char *end = start ? strchr(start + 1, ' ') : NULL;
    if (!end) { fprintf(stderr, "bad request line\n"); exit(2); }
    return floor_dup(start + 1, (size_t)(end - start - 1));
}

static inline long floor_micros(struct timeval time) { return (long)time.tv_sec * 1000000L + (long)time.tv_usec; }

#endif
