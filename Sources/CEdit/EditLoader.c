// Loads libedit on first use; see shim.h for why.
//
// Each function forwards to libedit's function of the same name without the `brigade_` prefix,
// looked up (dlsym) in the library opened by the first brigade_el_init or brigade_history_init.
// The others are only reached with an EditLine or History those returned, so libedit is loaded then.
#include "shim.h"

#include <dlfcn.h>
#include <pthread.h>

#define BRIGADE_EDIT_FUNCTIONS(X) \
    X(EditLine *, el_init, (const char *, FILE *, FILE *, FILE *)) \
    X(void, el_end, (EditLine *)) \
    X(const char *, el_gets, (EditLine *, int *)) \
    X(int, el_source, (EditLine *, const char *)) \
    X(void, el_resize, (EditLine *)) \
    X(int, el_set, (EditLine *, int, ...)) \
    X(int, el_get, (EditLine *, int, ...)) \
    X(const LineInfo *, el_line, (EditLine *)) \
    X(History *, history_init, (void)) \
    X(void, history_end, (History *)) \
    X(int, history, (History *, HistEvent *, int, ...))

static struct {
#define BRIGADE_EDIT_FIELD(result, name, parameters) result (*name) parameters;
    BRIGADE_EDIT_FUNCTIONS(BRIGADE_EDIT_FIELD)
#undef BRIGADE_EDIT_FIELD
} edit;

static int loaded = 0;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load_edit(void) {
    static const char *const names[] = {"libedit.so.2", "libedit.so", "libedit.3.dylib", "libedit.dylib"};
    void *library = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && library == NULL; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (library == NULL) return;
#define BRIGADE_EDIT_LOOKUP(result, name, parameters) \
    *(void **)&edit.name = dlsym(library, #name); \
    if (edit.name == NULL) return;
    BRIGADE_EDIT_FUNCTIONS(BRIGADE_EDIT_LOOKUP)
#undef BRIGADE_EDIT_LOOKUP
    loaded = 1;
}

static int edit_ready(void) {
    pthread_once(&load_once, load_edit);
    return loaded;
}

EditLine *brigade_el_init(const char *program, FILE *input, FILE *output, FILE *error) {
    return edit_ready() ? edit.el_init(program, input, output, error) : NULL;
}
History *brigade_history_init(void) { return edit_ready() ? edit.history_init() : NULL; }

void brigade_el_end(EditLine *el) { edit.el_end(el); }
void brigade_history_end(History *h) { edit.history_end(h); }
const char *brigade_el_gets(EditLine *el, int *count) { return edit.el_gets(el, count); }
int brigade_el_source(EditLine *el, const char *file) { return edit.el_source(el, file); }
void brigade_el_resize(EditLine *el) { edit.el_resize(el); }

int brigade_el_set_prompt(EditLine *el, brigade_el_prompt_fn fn, char delimiter) {
    return edit.el_set(el, EL_PROMPT_ESC, fn, delimiter);
}
int brigade_el_set_editor(EditLine *el, const char *mode) { return edit.el_set(el, EL_EDITOR, mode); }
int brigade_el_set_signal(EditLine *el, int handle) { return edit.el_set(el, EL_SIGNAL, handle); }
int brigade_el_set_getc(EditLine *el, el_rfunc_t fn) { return edit.el_set(el, EL_GETCFN, fn); }
int brigade_el_set_client_data(EditLine *el, void *data) { return edit.el_set(el, EL_CLIENTDATA, data); }
void *brigade_el_client_data(EditLine *el) {
    void *data = NULL;
    if (edit.el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}
int brigade_el_set_history(EditLine *el, History *history_) { return edit.el_set(el, EL_HIST, edit.history, history_); }
int brigade_el_bind(EditLine *el, const char *key, const char *command) {
    return edit.el_set(el, EL_BIND, key, command, (const char *)NULL);
}
int brigade_el_prepare_terminal(EditLine *el, int prepare) { return edit.el_set(el, EL_PREP_TERM, prepare); }
int brigade_el_refresh(EditLine *el) { return edit.el_set(el, EL_REFRESH); }
int brigade_el_line_is_empty(EditLine *el) {
    const LineInfo *info = edit.el_line(el);
    return info == NULL || info->lastchar == info->buffer;
}

int brigade_history_set_size(History *h, int size) {
    HistEvent event;
    return edit.history(h, &event, H_SETSIZE, size);
}
int brigade_history_set_unique(History *h, int unique) {
    HistEvent event;
    return edit.history(h, &event, H_SETUNIQUE, unique);
}
int brigade_history_enter(History *h, const char *line) {
    HistEvent event;
    return edit.history(h, &event, H_ENTER, line);
}
int brigade_history_load(History *h, const char *path) {
    HistEvent event;
    return edit.history(h, &event, H_LOAD, path);
}
int brigade_history_save(History *h, const char *path) {
    HistEvent event;
    return edit.history(h, &event, H_SAVE, path);
}
