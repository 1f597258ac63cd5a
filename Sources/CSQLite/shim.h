#ifndef BRIGADE_CSQLITE_SHIM_H
#define BRIGADE_CSQLITE_SHIM_H
#include <sqlite3.h>

/// sqlite3_bind_text with SQLITE_TRANSIENT (a macro casting -1 to a function pointer, which Swift cannot import).
static inline int brigade_sqlite3_bind_text(sqlite3_stmt *statement, int index, const char *text, int length) {
    return sqlite3_bind_text(statement, index, text, length, SQLITE_TRANSIENT);
}
#endif
