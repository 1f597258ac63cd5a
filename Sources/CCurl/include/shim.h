#ifndef BRIGADE_CCURL_SHIM_H
#define BRIGADE_CCURL_SHIM_H
#include <curl/curl.h>

// libcurl is not linked: it is loaded (dlopen) by the first curl call of the process, so that a
// command that sends no HTTP request never maps libcurl and the libraries it links (OpenSSL,
// GnuTLS, Kerberos, LDAP, libssh2 …: about 5.6 MB of memory). CurlLoader.c defines the curl
// functions Brigade uses, under their own names, each forwarding to the loaded library; loading it
// runs curl_global_init(CURL_GLOBAL_ALL) once, under pthread_once, before anything else reaches curl.

/// The result of loading libcurl and running curl_global_init; loads it if no curl call did yet.
/// CURLE_FAILED_INIT when libcurl (libcurl.so.4) cannot be loaded: every curl function then fails.
CURLcode brigade_curl_global_init_result(void);
/// Why libcurl cannot be used (dlopen's reason for libcurl.so.4, a missing function, or
/// curl_global_init's failure); NULL when it is loaded and initialised. Loads it if no curl call did yet.
const char *brigade_curl_load_error(void);

// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic and cannot be imported
// into Swift; these typed wrappers are the only way Swift reaches them.

CURLcode brigade_easy_setopt_long(CURL *h, CURLoption o, long v);
CURLcode brigade_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v);
CURLcode brigade_easy_setopt_string(CURL *h, CURLoption o, const char *v);
CURLcode brigade_easy_setopt_pointer(CURL *h, CURLoption o, void *v);
CURLcode brigade_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v);

typedef size_t (*brigade_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*brigade_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
CURLcode brigade_easy_setopt_data_callback(CURL *h, CURLoption o, brigade_data_callback v);
CURLcode brigade_easy_setopt_xferinfo_callback(CURL *h, brigade_xferinfo_callback v);

CURLcode brigade_easy_getinfo_long(CURL *h, CURLINFO i, long *v);
CURLcode brigade_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v);
CURLcode brigade_easy_getinfo_double(CURL *h, CURLINFO i, double *v);
CURLcode brigade_easy_getinfo_string(CURL *h, CURLINFO i, char **v);
CURLcode brigade_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v);

typedef int (*brigade_prereq_callback)(void *userdata, char *primary_ip, char *local_ip, int primary_port, int local_port);
CURLcode brigade_easy_setopt_prereq_callback(CURL *h, brigade_prereq_callback v);

CURLcode brigade_easy_setopt_opensocket_callback(CURL *h, curl_opensocket_callback v);
CURLcode brigade_easy_setopt_closesocket_callback(CURL *h, curl_closesocket_callback v);

CURLMcode brigade_multi_setopt_long(CURLM *m, CURLMoption o, long v);
CURLMcode brigade_multi_setopt_pointer(CURLM *m, CURLMoption o, void *v);
CURLMcode brigade_multi_setopt_socket_callback(CURLM *m, curl_socket_callback v);

// The curl loop's event wait (CurlEvents.c): curl's sockets on an epoll set and an eventfd that
// wakes the loop. Everything but brigade_events_wake runs on the loop thread.

typedef struct brigade_curl_events {
    CURLM *multi;
    int epoll_fd;
    int wake_fd;
    /// Per descriptor number: what the epoll set holds for it (CurlEvents.c), 0 when nothing.
    unsigned char *watched;
    int watched_count;
    /// Idle sockets that became readable or hung up and were taken out of the set (for tests).
    long idle_wakeups;
} brigade_curl_events;

/// Creates the epoll set and the eventfd and makes curl report its sockets to them. 0 on success;
/// -1 (with nothing left open) on failure.
int brigade_events_open(brigade_curl_events *events, CURLM *multi);
/// Makes curl open and close the sockets of the connections `easy` opens through the event set
/// (CURLOPT_OPENSOCKETFUNCTION, CURLOPT_CLOSESOCKETFUNCTION), which keeps its table of watched
/// descriptors right and takes a socket out of the epoll set before closing it. Set on every transfer.
CURLcode brigade_events_watch_sockets(brigade_curl_events *events, CURL *easy);
/// Closes the epoll set (not the eventfd) and frees the watch table. Call after curl_multi_cleanup.
void brigade_events_close(brigade_curl_events *events);
/// Closes the eventfd, once nothing can wake the loop any more (the Swift CommandInbox's deinit).
void brigade_events_close_wake(int wake_fd);
/// Wakes a loop waiting in brigade_events_wait. Safe from any thread while the eventfd is open.
void brigade_events_wake(int wake_fd);
/// Waits up to `timeout_ms` (-1: no limit) for a ready socket or a wake-up and hands every ready
/// socket to curl_multi_socket_action. Returns the number of events, or -1 when epoll fails.
int brigade_events_wait(brigade_curl_events *events, int timeout_ms);
/// Milliseconds until curl's next timeout (0: due now), -1 when curl has none (curl_multi_timeout).
long brigade_events_timeout(CURLM *multi);
/// Runs curl's due timeouts: curl_multi_socket_action(CURL_SOCKET_TIMEOUT).
void brigade_events_run_timers(CURLM *multi);

// CURL_WRITEFUNC_PAUSE and friends are macros over casts Swift does not import.
static inline size_t brigade_writefunc_pause(void) { return CURL_WRITEFUNC_PAUSE; }
static inline int brigade_pause_recv(void) { return CURLPAUSE_RECV; }
static inline int brigade_pause_cont(void) { return CURLPAUSE_CONT; }
static inline long brigade_global_all(void) { return CURL_GLOBAL_ALL; }
static inline int brigade_prereq_ok(void) { return CURL_PREREQFUNC_OK; }
static inline int brigade_error_size(void) { return CURL_ERROR_SIZE; }
/// The schemes a transfer may use (CURLOPT_PROTOCOLS_STR), as a C string constant.
static inline const char *brigade_http_schemes(void) { return "http,https"; }

#endif
