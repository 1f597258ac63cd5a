// The curl loop's event wait: curl's sockets on an epoll set, plus an eventfd that other threads
// write to wake the loop. curl reports which sockets it wants watched through its socket callback
// (CURLMOPT_SOCKETFUNCTION); a wake-up hands curl only the sockets that are ready
// (curl_multi_socket_action), so its cost follows the ready sockets, not every open transfer.
#include "shim.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

// The epoll set keeps the socket of an idle keep-alive connection. When a transfer ends, curl
// reports its socket as removed (CURL_POLL_REMOVE) while the connection goes back to curl's cache,
// and the next transfer on that connection asks for the socket again: taking it out of the set and
// putting it back cost two epoll_ctl calls per request. Instead the socket stays in the set, watched
// for input, and is marked idle; the next transfer that wants it for input costs nothing. An idle
// socket that becomes readable or hangs up (the server closed the connection, or sent what nobody
// asked for) is taken out of the set at once, so it cannot wake the loop again; curl finds the
// connection dead when it next looks at it.
//
// `watched` says what the set holds for each descriptor number, so that a socket curl asks for
// again with the same events costs no epoll_ctl. It must never describe a socket that is gone: curl
// opens every socket through socket_opening (CURLOPT_OPENSOCKETFUNCTION, set on every transfer),
// which forgets whatever the table held for the new socket's number (curl closes some sockets, such
// as a failed connection attempt's, without telling), and closes the sockets of its connections
// through socket_closing (CURLOPT_CLOSESOCKETFUNCTION), which takes the socket out of the set first.

enum {
    WATCH_IN = 1,       // EPOLLIN is in the set's entry
    WATCH_OUT = 2,      // EPOLLOUT is in the set's entry
    WATCH_IN_SET = 4,   // the socket is in the epoll set
    WATCH_IDLE = 8,     // no transfer uses it: curl said CURL_POLL_REMOVE
};

/// The `watched` entry of `fd`, growing the table as needed; NULL when it cannot grow (out of
/// memory), and the socket is then handled without the table (added and removed every time).
static unsigned char *watch_entry(brigade_curl_events *events, curl_socket_t fd) {
    if (fd < 0) return NULL;
    if (fd >= events->watched_count) {
        int count = events->watched_count > 0 ? events->watched_count : 64;
        while (count <= fd) count *= 2;
        unsigned char *grown = realloc(events->watched, (size_t)count);
        if (grown == NULL) return NULL;
        memset(grown + events->watched_count, 0, (size_t)(count - events->watched_count));
        events->watched = grown;
        events->watched_count = count;
    }
    return &events->watched[fd];
}

static void unwatch(brigade_curl_events *events, curl_socket_t fd) {
    epoll_ctl(events->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
    if (fd >= 0 && fd < events->watched_count) events->watched[fd] = 0;
}

/// curl's socket callback: keeps the epoll set in step with what curl wants to know about `socket`.
static int socket_changed(CURL *easy, curl_socket_t socket, int what, void *userp, void *socketp) {
    (void)easy;
    (void)socketp;
    brigade_curl_events *events = userp;
    unsigned char *entry = watch_entry(events, socket);
    if (what == CURL_POLL_REMOVE) {
        if (entry != NULL && *entry == (WATCH_IN_SET | WATCH_IN)) {
            *entry |= WATCH_IDLE;
        } else {
            // Watched for output too (an idle socket would be ready at once), or not tracked.
            // Fails harmlessly when curl already closed the socket.
            unwatch(events, socket);
        }
        return 0;
    }
    unsigned char wanted = ((what & CURL_POLL_IN) ? WATCH_IN : 0) | ((what & CURL_POLL_OUT) ? WATCH_OUT : 0);
    if (entry != NULL && (*entry & WATCH_IN_SET) && (*entry & (WATCH_IN | WATCH_OUT)) == wanted) {
        *entry = WATCH_IN_SET | wanted;
        return 0;
    }
    struct epoll_event event = {0};
    event.events = ((wanted & WATCH_IN) ? EPOLLIN : 0) | ((wanted & WATCH_OUT) ? EPOLLOUT : 0);
    event.data.fd = socket;
    int operation = entry != NULL && (*entry & WATCH_IN_SET) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(events->epoll_fd, operation, socket, &event) != 0) {
        if (errno == ENOENT) epoll_ctl(events->epoll_fd, EPOLL_CTL_ADD, socket, &event);
        else if (errno == EEXIST) epoll_ctl(events->epoll_fd, EPOLL_CTL_MOD, socket, &event);
    }
    if (entry != NULL) *entry = WATCH_IN_SET | wanted;
    return 0;
}

/// curl's open callback: a new socket (close-on-exec, so no child process keeps the connection
/// open), whose number starts with nothing in the table.
static curl_socket_t socket_opening(void *clientp, curlsocktype purpose, struct curl_sockaddr *address) {
    (void)purpose;
    brigade_curl_events *events = clientp;
    curl_socket_t socket_fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (socket_fd < 0) return CURL_SOCKET_BAD;
    if (socket_fd < events->watched_count) events->watched[socket_fd] = 0;
    return socket_fd;
}

/// curl's close callback: takes the socket out of the epoll set (and the table), then closes it.
static int socket_closing(void *clientp, curl_socket_t socket) {
    brigade_curl_events *events = clientp;
    if (socket >= 0 && socket < events->watched_count && events->watched[socket] != 0) {
        unwatch(events, socket);
    }
    return close(socket);
}

CURLcode brigade_events_watch_sockets(brigade_curl_events *events, CURL *easy) {
    CURLcode code = brigade_easy_setopt_opensocket_callback(easy, socket_opening);
    if (code == CURLE_OK) code = brigade_easy_setopt_pointer(easy, CURLOPT_OPENSOCKETDATA, events);
    if (code == CURLE_OK) code = brigade_easy_setopt_closesocket_callback(easy, socket_closing);
    if (code == CURLE_OK) code = brigade_easy_setopt_pointer(easy, CURLOPT_CLOSESOCKETDATA, events);
    return code;
}

int brigade_events_open(brigade_curl_events *events, CURLM *multi) {
    events->multi = multi;
    events->watched = NULL;
    events->watched_count = 0;
    events->idle_wakeups = 0;
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
    free(events->watched);
    events->watched = NULL;
    events->watched_count = 0;
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
        if (fd >= 0 && fd < events->watched_count && (events->watched[fd] & WATCH_IDLE)) {
            // An idle connection's socket is readable or hung up: nobody waits for it.
            unwatch(events, fd);
            events->idle_wakeups += 1;
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
