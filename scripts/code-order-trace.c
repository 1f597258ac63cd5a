/*
 * scripts/code-order-trace.c — an LD_PRELOAD library for scripts/code-order: records which 4 KB pages
 * of a program's code run. At start it makes the executable mapping of CODE_ORDER_BINARY (when that
 * is the running program: children are left alone) inaccessible; the first execution (or read) of a
 * page faults, the handler records the page and makes it readable and executable again. At exit the
 * addresses of the pages that ran, as in the ELF file's symbol table (`nm`), go to CODE_ORDER_OUT.PID,
 * one hexadecimal address (16 digits) per line.
 * SWIFT_BACKTRACE=enable=no must be set, so that Swift's crash handler leaves SIGSEGV to this one.
 */
#define _GNU_SOURCE
#include <link.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static unsigned long code_start, code_end, load_bias;
static unsigned char ran[1 << 18]; /* one byte per page: up to 1 GB of code */

static void record(int signal_number, siginfo_t *info, void *context) {
    (void)context;
    unsigned long address = (unsigned long)info->si_addr;
    if (address >= code_start && address < code_end) {
        unsigned long page = address & ~4095UL;
        ran[(page - code_start) >> 12] = 1;
        mprotect((void *)page, 4096, PROT_READ | PROT_EXEC);
        return;
    }
    signal(signal_number, SIG_DFL); /* a real crash: crash */
    raise(signal_number);
}

/* The first object dl_iterate_phdr reports is the program: its load bias (0 unless it is a PIE). */
static int main_program_bias(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    load_bias = info->dlpi_addr;
    return 1;
}

__attribute__((constructor)) static void start(void) {
    const char *binary = getenv("CODE_ORDER_BINARY");
    char wanted[PATH_MAX], running[PATH_MAX];
    if (!binary || !getenv("CODE_ORDER_OUT") || !realpath(binary, wanted) || !realpath("/proc/self/exe", running)) return;
    if (strcmp(wanted, running) != 0) return;
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps) return;
    char line[PATH_MAX + 256];
    while (fgets(line, sizeof line, maps)) {
        unsigned long start_address, end_address, offset;
        char permissions[8], path[PATH_MAX] = "";
        if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095s", &start_address, &end_address, permissions, &offset, path) >= 4
            && permissions[2] == 'x' && strcmp(path, running) == 0 && ((end_address - start_address) >> 12) <= sizeof ran) {
            code_start = start_address;
            code_end = end_address;
        }
    }
    fclose(maps);
    if (!code_start) return;
    dl_iterate_phdr(main_program_bias, NULL);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = record;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &action, NULL);
    mprotect((void *)code_start, code_end - code_start, PROT_NONE);
}

__attribute__((destructor)) static void finish(void) {
    const char *out = getenv("CODE_ORDER_OUT");
    if (!out || !code_start) return;
    char name[PATH_MAX + 32];
    snprintf(name, sizeof name, "%s.%d", out, (int)getpid());
    FILE *file = fopen(name, "w");
    if (!file) return;
    for (unsigned long page = 0; page < (code_end - code_start) >> 12; page++) {
        if (ran[page]) fprintf(file, "%016lx\n", code_start + (page << 12) - load_bias);
    }
    fclose(file);
}
