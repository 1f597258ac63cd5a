#ifndef BRIGADE_CCURL_SHIM_H
#define BRIGADE_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic and cannot be imported
// into Swift; these typed wrappers are the only way Swift reaches them.

static inline CURLcode brigade_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode brigade_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode brigade_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode brigade_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode brigade_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*brigade_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*brigade_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode brigade_easy_setopt_data_callback(CURL *h, CURLoption o, brigade_data_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode brigade_easy_setopt_xferinfo_callback(CURL *h, brigade_xferinfo_callback v) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v); }

static inline CURLcode brigade_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode brigade_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode brigade_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode brigade_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode brigade_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }

typedef int (*brigade_prereq_callback)(void *userdata, char *primary_ip, char *local_ip, int primary_port, int local_port);
static inline CURLcode brigade_easy_setopt_prereq_callback(CURL *h, brigade_prereq_callback v) { return curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, v); }

static inline CURLMcode brigade_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

// CURL_WRITEFUNC_PAUSE and friends are macros over casts Swift does not import.
static inline size_t brigade_writefunc_pause(void) { return CURL_WRITEFUNC_PAUSE; }
static inline int brigade_pause_recv(void) { return CURLPAUSE_RECV; }
static inline int brigade_pause_cont(void) { return CURLPAUSE_CONT; }
static inline long brigade_global_all(void) { return CURL_GLOBAL_ALL; }
static inline int brigade_prereq_ok(void) { return CURL_PREREQFUNC_OK; }
static inline int brigade_error_size(void) { return CURL_ERROR_SIZE; }

#endif
