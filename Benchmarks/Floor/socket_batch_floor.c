/* The kernel's floor of a Brigade batch: the exchange of curl_batch_floor.c without libcurl.
 * CONCURRENCY keep-alive TCP connections to 127.0.0.1:PORT, non-blocking, one epoll thread; each
 * item writes the captured request (floor_request.h, its own item number, hand-made HTTP/1.1 head
 * with Host and Content-Length) in one send, then reads the chunked response to its terminating
 * zero-size chunk, checking the status line and scanning the chunks for `data: [DONE]`.
 *
 *   socket_batch_floor PORT TEMPLATE ITEMS CONCURRENCY
 *
 * Prints one JSON line like curl_batch_floor. Exits 1 when any item fails. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "floor_request.h"

enum phase { HEAD, CHUNKS };

struct connection {
    int fd;
    int item;
    enum phase phase;
    size_t length;  /* bytes in `buffer` */
    size_t parsed;  /* bytes of `buffer` already parsed */
    int saw_done;
    char buffer[1 << 16];
};

static const char done_marker[] = "data: [DONE]";
static char head_prefix[8192];
static size_t head_prefix_length;

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); exit(1); }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  /* as libcurl */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void send_item(struct connection *connection, const struct floor_request *request, int item) {
    static char message[1 << 17];
    char body[1 << 16];
    size_t body_length = floor_request_body(request, item, body, sizeof body);
    memcpy(message, head_prefix, head_prefix_length);
    size_t length = head_prefix_length + (size_t)sprintf(message + head_prefix_length, "Content-Length: %zu\r\n\r\n", body_length);
    memcpy(message + length, body, body_length);
    length += body_length;
    ssize_t sent = send(connection->fd, message, length, MSG_NOSIGNAL);
    if (sent != (ssize_t)length) { fprintf(stderr, "item %d: short send (%zd of %zu)\n", item, sent, length); exit(1); }
    connection->item = item;
    connection->phase = HEAD;
    connection->length = 0;
    connection->parsed = 0;
    connection->saw_done = 0;
}

/* Parses what arrived; returns 1 when the response is complete, -1 when it is broken, else 0. */
static int parse(struct connection *connection) {
    char *buffer = connection->buffer;
    if (connection->phase == HEAD) {
        char *end = memmem(buffer, connection->length, "\r\n\r\n", 4);
        if (!end) return 0;
        if (strncmp(buffer, "HTTP/1.1 200 ", 13) != 0) return -1;
        if (!memmem(buffer, (size_t)(end - buffer), "chunked", 7)) return -1;
        connection->phase = CHUNKS;
        connection->parsed = (size_t)(end - buffer) + 4;
    }
    while (1) {
        char *line = buffer + connection->parsed;
        size_t available = connection->length - connection->parsed;
        char *line_end = memmem(line, available, "\r\n", 2);
        if (!line_end) return 0;
        size_t size = strtoul(line, NULL, 16);
        size_t need = (size_t)(line_end - line) + 2 + size + 2;
        if (available < need) return 0;
        if (size == 0) return connection->saw_done ? 1 : -1;
        if (!connection->saw_done && memmem(line_end + 2, size, done_marker, sizeof done_marker - 1)) connection->saw_done = 1;
        connection->parsed += need;
    }
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: socket_batch_floor PORT TEMPLATE ITEMS CONCURRENCY\n"); return 2; }
    int port = atoi(argv[1]);
    struct floor_request request = floor_request_load(argv[2]);
    int items = atoi(argv[3]);
    int concurrency = atoi(argv[4]);
    if (concurrency > items) concurrency = items;

    int length = snprintf(head_prefix, sizeof head_prefix, "%s\r\nHost: 127.0.0.1:%d\r\n", request.request_line, port);
    for (int i = 0; i < request.header_count; i++) length += snprintf(head_prefix + length, sizeof head_prefix - (size_t)length, "%s\r\n", request.headers[i]);
    head_prefix_length = (size_t)length;

    int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    struct connection *connections = calloc((size_t)concurrency, sizeof(struct connection));

    struct rusage usage_before, usage_after;
    struct timespec start, end;
    getrusage(RUSAGE_SELF, &usage_before);
    clock_gettime(CLOCK_MONOTONIC, &start);

    int next_item = 1, finished = 0, failed = 0;
    long reads = 0;
    for (int i = 0; i < concurrency; i++) {
        connections[i].fd = connect_to(port);
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = &connections[i]};
        epoll_ctl(epoll_fd, EPOLL_CTL_ADD, connections[i].fd, &event);
        send_item(&connections[i], &request, next_item++);
    }
    struct epoll_event events[256];
    while (finished < items) {
        int count = epoll_wait(epoll_fd, events, 256, 10000);
        if (count < 0 && errno != EINTR) { perror("epoll_wait"); return 1; }
        if (count == 0) { fprintf(stderr, "no answer for 10 s\n"); return 1; }
        for (int i = 0; i < count; i++) {
            struct connection *connection = events[i].data.ptr;
            ssize_t received = recv(connection->fd, connection->buffer + connection->length, sizeof connection->buffer - connection->length, 0);
            if (received < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (received <= 0) { fprintf(stderr, "item %d: connection closed (%s)\n", connection->item, received ? strerror(errno) : "EOF"); return 1; }
            connection->length += (size_t)received;
            reads++;
            int state = parse(connection);
            if (state == 0) continue;
            if (state < 0 && failed++ < 5) fprintf(stderr, "item %d: bad response\n", connection->item);
            finished++;
            if (next_item <= items) send_item(connection, &request, next_item++);
        }
    }

    clock_gettime(CLOCK_MONOTONIC, &end);
    getrusage(RUSAGE_SELF, &usage_after);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    long user = floor_micros(usage_after.ru_utime) - floor_micros(usage_before.ru_utime);
    long system = floor_micros(usage_after.ru_stime) - floor_micros(usage_before.ru_stime);
    printf("{\"layer\": \"socket\", \"items\": %d, \"failed\": %d, \"seconds\": %.6f, \"cpu_us\": %ld, \"user_us\": %ld, \"system_us\": %ld, \"reads\": %ld}\n", items, failed, seconds, user + system, user, system, reads);
    return failed ? 1 : 0;
}
