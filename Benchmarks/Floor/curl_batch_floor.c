/* The libcurl floor of a Brigade batch: ITEMS streaming POSTs, CONCURRENCY at once, through the
 * libcurl multi interface driven the way CurlHTTP drives it (curl_multi_socket_action over epoll,
 * one thread), on keep-alive connections. Every item sends the captured request of Brigade's batch
 * (floor_request.h) with its own item number, and reads the server-sent-event stream to its end,
 * scanning it for `data: [DONE]` only (Brigade parses every event and its JSON: not done here).
 *
 *   curl_batch_floor PORT TEMPLATE ITEMS CONCURRENCY
 *
 * Prints one JSON line: items, seconds (wall), cpu_us (user + system of this process, getrusage,
 * over the transfers only). Exits 1 when any item fails. */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include "floor_request.h"

struct slot {
    CURL *easy;
    int item;
    int saw_done;
    char tail[16];
    size_t tail_length;
    char body[1 << 16];
};

static int epoll_fd;
static long reads;  /* write callbacks: pieces of body handed over */
static CURLM *the_multi;
/* When curl's timer fires (CLOCK_MONOTONIC milliseconds), or -1: none. The timer is one-shot. */
static long long deadline_ms = -1;

static long long now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}
static const char done_marker[] = "data: [DONE]";

static int socket_callback(CURL *easy, curl_socket_t fd, int what, void *user, void *socket_data) {
    (void)easy; (void)user;
    struct epoll_event event = {0};
    event.data.fd = fd;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    event.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    if (socket_data) {
        epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &event);
    } else {
        epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
        curl_multi_assign(the_multi, fd, (void *)1);  /* registered: later changes are MODs */
    }
    return 0;
}

static int timer_callback(CURLM *multi, long milliseconds, void *user) {
    (void)multi; (void)user;
    deadline_ms = milliseconds < 0 ? -1 : now_ms() + milliseconds;
    return 0;
}

/* Scans each piece of the stream for the end marker, across piece boundaries. */
static size_t write_callback(char *data, size_t size, size_t count, void *user) {
    struct slot *slot = user;
    size_t length = size * count;
    reads++;
    if (!slot->saw_done) {
        char joined[32];
        size_t head = length < 15 ? length : 15;
        memcpy(joined, slot->tail, slot->tail_length);
        memcpy(joined + slot->tail_length, data, head);
        if (memmem(joined, slot->tail_length + head, done_marker, sizeof done_marker - 1) || memmem(data, length, done_marker, sizeof done_marker - 1))
            slot->saw_done = 1;
        size_t keep = sizeof done_marker - 2;
        if (length >= keep) {
            memcpy(slot->tail, data + length - keep, keep);
            slot->tail_length = keep;
        } else {
            size_t total = slot->tail_length + length;
            size_t drop = total > keep ? total - keep : 0;
            memmove(slot->tail, slot->tail + drop, slot->tail_length - drop);
            memcpy(slot->tail + slot->tail_length - drop, data, length);
            slot->tail_length = total - drop;
        }
    }
    return length;
}

static void start_item(CURLM *multi, struct slot *slot, const struct floor_request *request, int item) {
    slot->item = item;
    slot->saw_done = 0;
    slot->tail_length = 0;
    size_t length = floor_request_body(request, item, slot->body, sizeof slot->body);
    curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
    curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDS, slot->body);
    CURLMcode code = curl_multi_add_handle(multi, slot->easy);
    if (code != CURLM_OK) { fprintf(stderr, "curl_multi_add_handle: %s\n", curl_multi_strerror(code)); exit(1); }
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: curl_batch_floor PORT TEMPLATE ITEMS CONCURRENCY\n"); return 2; }
    int port = atoi(argv[1]);
    struct floor_request request = floor_request_load(argv[2]);
    int items = atoi(argv[3]);
    int concurrency = atoi(argv[4]);
    if (concurrency > items) concurrency = items;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    CURLM *multi = curl_multi_init();
    the_multi = multi;
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, socket_callback);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_callback);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)concurrency);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)concurrency);

    char url[512];
    char *path = floor_request_path(&request);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    struct curl_slist *headers = NULL;
    for (int i = 0; i < request.header_count; i++) headers = curl_slist_append(headers, request.headers[i]);
    headers = curl_slist_append(headers, "Expect:");  /* as CurlHTTP: no 100-continue round trip */

    struct slot *slots = calloc((size_t)concurrency, sizeof(struct slot));
    for (int i = 0; i < concurrency; i++) {
        CURL *easy = curl_easy_init();
        slots[i].easy = easy;
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_callback);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &slots[i]);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, &slots[i]);
    }

    struct rusage usage_before, usage_after;
    struct timespec start, end;
    getrusage(RUSAGE_SELF, &usage_before);
    clock_gettime(CLOCK_MONOTONIC, &start);

    int next_item = 1, finished = 0, failed = 0, running = 0;
    for (int i = 0; i < concurrency; i++) start_item(multi, &slots[i], &request, next_item++);
    struct epoll_event events[256];
    while (finished < items) {
        long long wait = deadline_ms < 0 ? 1000 : deadline_ms - now_ms();
        int count = epoll_wait(epoll_fd, events, 256, wait < 0 ? 0 : (int)wait);
        if (count < 0 && errno != EINTR) { perror("epoll_wait"); return 1; }
        for (int i = 0; i < count; i++) {
            int flags = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) | (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0)
                | (events[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(multi, events[i].data.fd, flags, &running);
        }
        if (deadline_ms >= 0 && now_ms() >= deadline_ms) {
            deadline_ms = -1;
            curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        CURLMsg *message;
        int left;
        while ((message = curl_multi_info_read(multi, &left))) {
            if (message->msg != CURLMSG_DONE) continue;
            struct slot *slot;
            long status = 0;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&slot);
            curl_easy_getinfo(message->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            CURLcode result = message->data.result;
            curl_multi_remove_handle(multi, slot->easy);
            if (result != CURLE_OK || status != 200 || !slot->saw_done) {
                if (failed++ < 5) fprintf(stderr, "item %d: %s, status %ld, %s\n", slot->item, curl_easy_strerror(result), status, slot->saw_done ? "done" : "no [DONE]");
            }
            finished++;
            if (next_item <= items) start_item(multi, slot, &request, next_item++);
        }
    }

    clock_gettime(CLOCK_MONOTONIC, &end);
    getrusage(RUSAGE_SELF, &usage_after);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    long cpu = floor_micros(usage_after.ru_utime) - floor_micros(usage_before.ru_utime) + floor_micros(usage_after.ru_stime) - floor_micros(usage_before.ru_stime);
    printf("{\"layer\": \"libcurl\", \"items\": %d, \"failed\": %d, \"seconds\": %.6f, \"cpu_us\": %ld, \"user_us\": %ld, \"system_us\": %ld, \"reads\": %ld}\n", items, failed, seconds, cpu,
        floor_micros(usage_after.ru_utime) - floor_micros(usage_before.ru_utime), floor_micros(usage_after.ru_stime) - floor_micros(usage_before.ru_stime), reads);
    return failed ? 1 : 0;
}
