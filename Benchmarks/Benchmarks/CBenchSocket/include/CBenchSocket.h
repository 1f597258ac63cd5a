// The two Linux calls the benchmarks' lean model server needs that Swift's Glibc module does not
// export (they need _GNU_SOURCE).
#ifndef CBENCHSOCKET_H
#define CBENCHSOCKET_H

#include <poll.h>
#include <time.h>

/// ppoll(2) without a signal mask: waits like poll(2), at most `timeout` (NULL: without limit), with
/// nanosecond resolution — poll(2) counts whole milliseconds, too coarse to hold an answer for
/// exactly its latency.
int cbenchsocket_ppoll(struct pollfd *descriptors, nfds_t count, const struct timespec *timeout);

/// accept4(2) of a non-blocking, close-on-exec connection from `listener`; −1 with errno when none.
int cbenchsocket_accept(int listener);

#endif
