// The curl loop's event wait: curl's sockets on an epoll set, plus an eventfd that other threads
// write to wake the loop. curl reports which sockets it wants watched through its socket callback
// (CURLMOPT_SOCKETFUNCTION); a wake-up hands curl only the sockets that are ready
// (curl_multi_socket_action), so its cost follows the ready sockets, not every open transfer.
#include "shim.h"

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

/// curl's socket callback: keeps the epoll set in step with what curl wants to know about `socket`.
static int socket_changed(CURL *easy, curl_socket_t socket, int what, void *userp, void *socketp) {
    (void)easy;
    brigade_curl_events *events = userp;
    if (what == CURL_POLL_REMOVE) {
        // Fails harmlessly when curl already closed the socket (closing leaves the set by itself).
        epoll_ctl(events->epoll_fd, EPOLL_CTL_DEL, socket, NULL);
        return 0;
    }
    struct epoll_event event = {0};
    event.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
    event.data.fd = socket;
    int operation = socketp == NULL ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (epoll_ctl(events->epoll_fd, operation, socket, &event) != 0) {
        if (errno == ENOENT) epoll_ctl(events->epoll_fd, EPOLL_CTL_ADD, socket, &event);
        else if (errno == EEXIST) epoll_ctl(events->epoll_fd, EPOLL_CTL_MOD, socket, &event);
    }
    // Any non-NULL value: tells the next call for this socket that it is in the set.
    if (socketp == NULL) curl_multi_assign(events->multi, socket, events);
    return 0;
}

int brigade_events_open(brigade_curl_events *events, CURLM *multi) {
    events->multi = multi;
    events->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    events->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event wake = {0};
    wake.events = EPOLLIN;
    wake.data.fd = events->wake_fd;
    if (events->epoll_fd < 0 || events->wake_fd < 0
        || epoll_ctl(events->epoll_fd, EPOLL_CTL_ADD, events->wake_fd, &wake) != 0
        || brigade_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, events) != CURLM_OK
        || brigade_multi_setopt_socket_callback(multi, socket_changed) != CURLM_OK) {
        brigade_events_close(events);
        brigade_events_close_wake(events->wake_fd);
        events->wake_fd = -1;
        return -1;
    }
    return 0;
}

void brigade_events_close(brigade_curl_events *events) {
    if (events->epoll_fd >= 0) close(events->epoll_fd);
    events->epoll_fd = -1;
}

void brigade_events_close_wake(int wake_fd) {
    if (wake_fd >= 0) close(wake_fd);
}

void brigade_events_wake(int wake_fd) {
    uint64_t one = 1;
    // EAGAIN only when the counter is full, and then the loop is awake anyway.
    while (write(wake_fd, &one, sizeof one) < 0 && errno == EINTR) {}
}

int brigade_events_wait(brigade_curl_events *events, int timeout_ms) {
    struct epoll_event ready[128];
    int count = epoll_wait(events->epoll_fd, ready, 128, timeout_ms);
    if (count < 0) return errno == EINTR ? 0 : -1;
    int running = 0;
    for (int i = 0; i < count; i++) {
        int fd = ready[i].data.fd;
        if (fd == events->wake_fd) {
            uint64_t value;
            while (read(fd, &value, sizeof value) < 0 && errno == EINTR) {}
            continue;
        }
        uint32_t bits = ready[i].events;
        // An error or hang-up is handed on as readable (and writable): curl's own read or write
        // then meets the error and fails the transfer with its real cause.
        int mask = ((bits & (EPOLLIN | EPOLLHUP | EPOLLERR)) ? CURL_CSELECT_IN : 0)
            | ((bits & (EPOLLOUT | EPOLLERR)) ? CURL_CSELECT_OUT : 0);
        curl_multi_socket_action(events->multi, fd, mask, &running);
    }
    return count;
}

long brigade_events_timeout(CURLM *multi) {
    long milliseconds = -1;
    if (curl_multi_timeout(multi, &milliseconds) != CURLM_OK) return -1;
    return milliseconds;
}

void brigade_events_run_timers(CURLM *multi) {
    int running = 0;
    curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
}
