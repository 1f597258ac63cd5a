/* The floor for a command tool's fan-out on this machine: posix_spawn N children of
 * `/bin/sleep 0.2` at once, wait for all; prints the wall time in microseconds. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 4;
    pid_t *children = calloc((size_t)count, sizeof(pid_t));
    char *child_argv[] = {"/bin/sleep", "0.2", NULL};
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < count; i++) {
        if (posix_spawn(&children[i], "/bin/sleep", NULL, NULL, child_argv, environ) != 0) { perror("posix_spawn"); return 1; }
    }
    for (int i = 0; i < count; i++) waitpid(children[i], NULL, 0);
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%ld\n", (long)((end.tv_sec - start.tv_sec) * 1000000L + (end.tv_nsec - start.tv_nsec) / 1000L));
    free(children);
    return 0;
}
