// Loads libcurl on first use; see shim.h for why.
//
// The curl functions below have libcurl's own names and prototypes (from <curl/curl.h>), so the
// Swift code calls curl as usual; each forwards to the function of the same name in the loaded
// library (dlsym on its handle finds libcurl's definition, never these). If libcurl cannot be
// loaded, each fails the way curl fails when out of memory (NULL, or an error code).
#include "shim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

#define BRIGADE_CURL_FUNCTIONS(X) \
    X(CURLcode, global_init, curl_global_init, (long)) \
    X(CURL *, easy_init, curl_easy_init, (void)) \
    X(void, easy_cleanup, curl_easy_cleanup, (CURL *)) \
    X(void, easy_reset, curl_easy_reset, (CURL *)) \
    X(CURLcode, easy_pause, curl_easy_pause, (CURL *, int)) \
    X(const char *, easy_strerror, curl_easy_strerror, (CURLcode)) \
    X(CURLcode, easy_setopt, curl_easy_setopt, (CURL *, CURLoption, ...)) \
    X(CURLcode, easy_getinfo, curl_easy_getinfo, (CURL *, CURLINFO, ...)) \
    X(void, free, curl_free, (void *)) \
    X(CURLM *, multi_init, curl_multi_init, (void)) \
    X(CURLMcode, multi_setopt, curl_multi_setopt, (CURLM *, CURLMoption, ...)) \
    X(CURLMcode, multi_add_handle, curl_multi_add_handle, (CURLM *, CURL *)) \
    X(CURLMcode, multi_remove_handle, curl_multi_remove_handle, (CURLM *, CURL *)) \
    X(CURLMcode, multi_cleanup, curl_multi_cleanup, (CURLM *)) \
    X(CURLMsg *, multi_info_read, curl_multi_info_read, (CURLM *, int *)) \
    X(CURLMcode, multi_perform, curl_multi_perform, (CURLM *, int *)) \
    X(CURLMcode, multi_poll, curl_multi_poll, (CURLM *, struct curl_waitfd[], unsigned int, int, int *)) \
    X(CURLMcode, multi_wakeup, curl_multi_wakeup, (CURLM *)) \
    X(CURLMcode, multi_socket_action, curl_multi_socket_action, (CURLM *, curl_socket_t, int, int *)) \
    X(CURLMcode, multi_timeout, curl_multi_timeout, (CURLM *, long *)) \
    X(CURLMcode, multi_assign, curl_multi_assign, (CURLM *, curl_socket_t, void *)) \
    X(const char *, multi_strerror, curl_multi_strerror, (CURLMcode)) \
    X(struct curl_slist *, slist_append, curl_slist_append, (struct curl_slist *, const char *)) \
    X(void, slist_free_all, curl_slist_free_all, (struct curl_slist *)) \
    X(CURLU *, url, curl_url, (void)) \
    X(void, url_cleanup, curl_url_cleanup, (CURLU *)) \
    X(CURLUcode, url_get, curl_url_get, (CURLU *, CURLUPart, char **, unsigned int)) \
    X(CURLUcode, url_set, curl_url_set, (CURLU *, CURLUPart, const char *, unsigned int)) \
    X(const char *, url_strerror, curl_url_strerror, (CURLUcode))

static struct {
#define BRIGADE_CURL_FIELD(result, field, symbol, parameters) result (*field) parameters;
    BRIGADE_CURL_FUNCTIONS(BRIGADE_CURL_FIELD)
#undef BRIGADE_CURL_FIELD
} curl;

static CURLcode global_init_result = CURLE_FAILED_INIT;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
/// Why loading failed (set once, under load_once); empty when it did not.
static char load_error[512];

static void load_curl(void) {
    static const char *const names[] = {"libcurl.so.4", "libcurl.so", "libcurl.4.dylib", "libcurl.dylib"};
    void *library = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && library == NULL; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        // The first name's reason is the one that matters (the others are for development setups).
        const char *reason = library == NULL && i == 0 ? dlerror() : NULL;
        if (reason != NULL) snprintf(load_error, sizeof load_error, "%s", reason);
    }
    if (library == NULL) return;
#define BRIGADE_CURL_LOOKUP(result, field, symbol, parameters) \
    *(void **)&curl.field = dlsym(library, #symbol); \
    if (curl.field == NULL) { \
        snprintf(load_error, sizeof load_error, "the loaded libcurl has no %s (too old)", #symbol); \
        return; \
    }
    BRIGADE_CURL_FUNCTIONS(BRIGADE_CURL_LOOKUP)
#undef BRIGADE_CURL_LOOKUP
    // Not thread-safe in curl, so here: once per process, before any other call reaches curl.
    global_init_result = curl.global_init(CURL_GLOBAL_ALL);
    if (global_init_result != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed (curl error %d)", (int)global_init_result);
    }
}

/// 1 once libcurl is loaded and initialised; loads it on the first call.
static int curl_ready(void) {
    pthread_once(&load_once, load_curl);
    return global_init_result == CURLE_OK;
}

CURLcode brigade_curl_global_init_result(void) {
    pthread_once(&load_once, load_curl);
    return global_init_result;
}

const char *brigade_curl_load_error(void) {
    pthread_once(&load_once, load_curl);
    return global_init_result == CURLE_OK ? NULL : load_error;
}

CURL *curl_easy_init(void) { return curl_ready() ? curl.easy_init() : NULL; }
void curl_easy_cleanup(CURL *h) { if (curl_ready()) curl.easy_cleanup(h); }
void curl_easy_reset(CURL *h) { if (curl_ready()) curl.easy_reset(h); }
CURLcode curl_easy_pause(CURL *h, int bitmask) { return curl_ready() ? curl.easy_pause(h, bitmask) : CURLE_FAILED_INIT; }
const char *curl_easy_strerror(CURLcode code) {
    return curl_ready() ? curl.easy_strerror(code) : "libcurl (libcurl.so.4) could not be loaded";
}
void curl_free(void *p) { if (curl_ready()) curl.free(p); }

CURLM *curl_multi_init(void) { return curl_ready() ? curl.multi_init() : NULL; }
CURLMcode curl_multi_add_handle(CURLM *m, CURL *h) { return curl_ready() ? curl.multi_add_handle(m, h) : CURLM_BAD_HANDLE; }
CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h) { return curl_ready() ? curl.multi_remove_handle(m, h) : CURLM_BAD_HANDLE; }
CURLMcode curl_multi_cleanup(CURLM *m) { return curl_ready() ? curl.multi_cleanup(m) : CURLM_BAD_HANDLE; }
CURLMsg *curl_multi_info_read(CURLM *m, int *queued) { return curl_ready() ? curl.multi_info_read(m, queued) : NULL; }
CURLMcode curl_multi_perform(CURLM *m, int *running) { return curl_ready() ? curl.multi_perform(m, running) : CURLM_BAD_HANDLE; }
CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned int count, int timeout_ms, int *ready) {
    return curl_ready() ? curl.multi_poll(m, extra, count, timeout_ms, ready) : CURLM_BAD_HANDLE;
}
CURLMcode curl_multi_wakeup(CURLM *m) { return curl_ready() ? curl.multi_wakeup(m) : CURLM_BAD_HANDLE; }
CURLMcode curl_multi_socket_action(CURLM *m, curl_socket_t s, int mask, int *running) {
    return curl_ready() ? curl.multi_socket_action(m, s, mask, running) : CURLM_BAD_HANDLE;
}
CURLMcode curl_multi_timeout(CURLM *m, long *milliseconds) { return curl_ready() ? curl.multi_timeout(m, milliseconds) : CURLM_BAD_HANDLE; }
CURLMcode curl_multi_assign(CURLM *m, curl_socket_t s, void *p) { return curl_ready() ? curl.multi_assign(m, s, p) : CURLM_BAD_HANDLE; }
const char *curl_multi_strerror(CURLMcode code) {
    return curl_ready() ? curl.multi_strerror(code) : "libcurl (libcurl.so.4) could not be loaded";
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data) {
    return curl_ready() ? curl.slist_append(list, data) : NULL;
}
void curl_slist_free_all(struct curl_slist *list) { if (curl_ready()) curl.slist_free_all(list); }

CURLU *curl_url(void) { return curl_ready() ? curl.url() : NULL; }
void curl_url_cleanup(CURLU *u) { if (curl_ready()) curl.url_cleanup(u); }
CURLUcode curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags) {
    return curl_ready() ? curl.url_get(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}
CURLUcode curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags) {
    return curl_ready() ? curl.url_set(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}
const char *curl_url_strerror(CURLUcode code) {
    return curl_ready() ? curl.url_strerror(code) : "libcurl (libcurl.so.4) could not be loaded";
}

// The typed wrappers of the variadic calls (shim.h).
CURLcode brigade_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_ready() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode brigade_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_ready() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode brigade_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_ready() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode brigade_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_ready() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode brigade_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_ready() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode brigade_easy_setopt_data_callback(CURL *h, CURLoption o, brigade_data_callback v) {
    return curl_ready() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT;
}
CURLcode brigade_easy_setopt_xferinfo_callback(CURL *h, brigade_xferinfo_callback v) {
    return curl_ready() ? curl.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v) : CURLE_FAILED_INIT;
}
CURLcode brigade_easy_setopt_prereq_callback(CURL *h, brigade_prereq_callback v) {
    return curl_ready() ? curl.easy_setopt(h, CURLOPT_PREREQFUNCTION, v) : CURLE_FAILED_INIT;
}
CURLcode brigade_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_ready() ? curl.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
CURLcode brigade_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_ready() ? curl.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
CURLcode brigade_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_ready() ? curl.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
CURLcode brigade_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_ready() ? curl.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
CURLcode brigade_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_ready() ? curl.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
CURLcode brigade_easy_setopt_opensocket_callback(CURL *h, curl_opensocket_callback v) {
    return curl_ready() ? curl.easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, v) : CURLE_FAILED_INIT;
}
CURLcode brigade_easy_setopt_closesocket_callback(CURL *h, curl_closesocket_callback v) {
    return curl_ready() ? curl.easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, v) : CURLE_FAILED_INIT;
}
CURLMcode brigade_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_ready() ? curl.multi_setopt(m, o, v) : CURLM_BAD_HANDLE; }
CURLMcode brigade_multi_setopt_pointer(CURLM *m, CURLMoption o, void *v) { return curl_ready() ? curl.multi_setopt(m, o, v) : CURLM_BAD_HANDLE; }
CURLMcode brigade_multi_setopt_socket_callback(CURLM *m, curl_socket_callback v) {
    return curl_ready() ? curl.multi_setopt(m, CURLMOPT_SOCKETFUNCTION, v) : CURLM_BAD_HANDLE;
}
