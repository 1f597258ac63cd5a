#ifndef BRIGADE_CEDIT_SHIM_H
#define BRIGADE_CEDIT_SHIM_H
/*
 * libedit's native API (histedit.h) for `brigade chat`, loaded on first use, plus the one variadic
 * libc call the CLI needs, prctl, and glibc's mallopt (not in Swift's Glibc).
 *
 * libedit is not linked: the first brigade_el_init or brigade_history_init loads it (dlopen), so that
 * every command but `chat` on a terminal never maps libedit and the libraries it links (libtinfo,
 * libbsd, libmd: about 0.4 MB of memory; docs/benchmarks.md, "Memory (peak RSS)", fourth pass).
 * EditLoader.c defines the functions below; each forwards to the loaded library. When libedit cannot
 * be loaded, brigade_el_init and brigade_history_init return NULL (the chat then reads plain lines)
 * and the others are never reached. el_set, el_get and history are variadic, which Swift cannot
 * import: each use has a typed wrapper. Building still needs histedit.h (libedit-dev).
 */
#include <histedit.h>
#include <stddef.h>
#include <stdio.h>
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

/* el_init and history_init; NULL when libedit (libedit.so.2) cannot be loaded, or as libedit fails. */
EditLine *brigade_el_init(const char *program, FILE *input, FILE *output, FILE *error);
History *brigade_history_init(void);

void brigade_el_end(EditLine *el);
void brigade_history_end(History *h);
const char *brigade_el_gets(EditLine *el, int *count);
int brigade_el_source(EditLine *el, const char *file);
void brigade_el_resize(EditLine *el);

typedef char *(*brigade_el_prompt_fn)(EditLine *);

int brigade_el_set_prompt(EditLine *el, brigade_el_prompt_fn fn, char delimiter);
int brigade_el_set_editor(EditLine *el, const char *mode);
/* 0: libedit installs no signal handlers (the caller handles SIGINT, SIGWINCH …). */
int brigade_el_set_signal(EditLine *el, int handle);
int brigade_el_set_getc(EditLine *el, el_rfunc_t fn);
int brigade_el_set_client_data(EditLine *el, void *data);
void *brigade_el_client_data(EditLine *el);
int brigade_el_set_history(EditLine *el, History *history_);
int brigade_el_bind(EditLine *el, const char *key, const char *command);
/* 1: put the terminal in libedit's editing mode now (el_gets restores it when it returns). */
int brigade_el_prepare_terminal(EditLine *el, int prepare);
int brigade_el_refresh(EditLine *el);
/* The line being edited is not empty (for use inside callbacks, on the editing thread). */
int brigade_el_line_is_empty(EditLine *el);

int brigade_history_set_size(History *h, int size);
int brigade_history_set_unique(History *h, int unique);
int brigade_history_enter(History *h, const char *line);
/* Returns the number of entries read, or -1. */
int brigade_history_load(History *h, const char *path);
/* Returns the number of entries written, or -1. */
int brigade_history_save(History *h, const char *path);

#endif
