#define _GNU_SOURCE
#include "CLinux.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

int wt_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int wt_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev = {.events = events, .data = {.u64 = data}};
    return epoll_ctl(epfd, op, fd, &ev);
}

int wt_epoll_wait(int epfd, uint64_t *data, uint32_t *events, int max, int timeout_ms) {
    struct epoll_event ev[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, ev, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        data[i] = ev[i].data.u64;
        events[i] = ev[i].events;
    }
    return n;
}

int wt_accept(int fd, int nonblocking) {
    return accept4(fd, NULL, NULL, SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
}

int wt_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int wt_memfd(const char *name) { return memfd_create(name, 0); }
