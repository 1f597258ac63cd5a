#ifndef BRIGADE_CEDIT_SHIM_H
#define BRIGADE_CEDIT_SHIM_H
/*
 * libedit's native API (histedit.h), with typed wrappers for its variadic el_set / el_get / history
 * calls, which Swift cannot import. Stateless: every wrapper forwards to one libedit call.
 * Also the one variadic libc call the CLI needs, prctl, and glibc's mallopt (not in Swift's Glibc).
 */
#include <histedit.h>
#include <stddef.h>
#include <sys/prctl.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* Makes the process non-dumpable: no core dump, and another process of the same user (a tool) can
 * no longer read its memory or environment through /proc/PID/mem, /proc/PID/environ or ptrace
 * (only CAP_SYS_PTRACE can). Exec resets it, so the programs Brigade starts are unaffected.
 * Returns 0, or -1 with errno. */
static inline int brigade_forbid_dumping(void) {
    return prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
}

/* One malloc arena for every thread instead of glibc's default of one per allocating thread (up to
 * 8 per core): memory a thread frees is reused by the next one instead of staying in its own arena
 * (docs/benchmarks.md, "Memory (peak RSS)", third pass). Returns 1 when set, 0 otherwise. */
static inline int brigade_single_malloc_arena(void) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
    return mallopt(M_ARENA_MAX, 1);
#else
    return 0;
#endif
}

typedef char *(*brigade_el_prompt_fn)(EditLine *);

static inline int brigade_el_set_prompt(EditLine *el, brigade_el_prompt_fn fn, char delimiter) {
    return el_set(el, EL_PROMPT_ESC, fn, delimiter);
}

static inline int brigade_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

/* 0: libedit installs no signal handlers (the caller handles SIGINT, SIGWINCH …). */
static inline int brigade_el_set_signal(EditLine *el, int handle) {
    return el_set(el, EL_SIGNAL, handle);
}

static inline int brigade_el_set_getc(EditLine *el, el_rfunc_t fn) {
    return el_set(el, EL_GETCFN, fn);
}

static inline int brigade_el_set_client_data(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

static inline void *brigade_el_client_data(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}

static inline int brigade_el_set_history(EditLine *el, History *history_) {
    return el_set(el, EL_HIST, history, history_);
}

static inline int brigade_el_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, (const char *)NULL);
}

/* 1: put the terminal in libedit's editing mode now (el_gets restores it when it returns). */
static inline int brigade_el_prepare_terminal(EditLine *el, int prepare) {
    return el_set(el, EL_PREP_TERM, prepare);
}

static inline int brigade_el_refresh(EditLine *el) {
    return el_set(el, EL_REFRESH);
}

/* The line being edited is not empty (for use inside callbacks, on the editing thread). */
static inline int brigade_el_line_is_empty(EditLine *el) {
    const LineInfo *info = el_line(el);
    return info == NULL || info->lastchar == info->buffer;
}

static inline int brigade_history_set_size(History *h, int size) {
    HistEvent event;
    return history(h, &event, H_SETSIZE, size);
}

static inline int brigade_history_set_unique(History *h, int unique) {
    HistEvent event;
    return history(h, &event, H_SETUNIQUE, unique);
}

static inline int brigade_history_enter(History *h, const char *line) {
    HistEvent event;
    return history(h, &event, H_ENTER, line);
}

/* Returns the number of entries read, or -1. */
static inline int brigade_history_load(History *h, const char *path) {
    HistEvent event;
    return history(h, &event, H_LOAD, path);
}

/* Returns the number of entries written, or -1. */
static inline int brigade_history_save(History *h, const char *path) {
    HistEvent event;
    return history(h, &event, H_SAVE, path);
}

#endif
