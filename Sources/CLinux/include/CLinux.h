// Linux calls Swift's Glibc module leaves out (epoll, accept4, pipe2, memfd_create), wrapped as
// plain functions so no packed struct or GNU-only declaration crosses into Swift.
#ifndef WIRETALE_CLINUX_H
#define WIRETALE_CLINUX_H

#include <stdint.h>

enum {
    WT_EPOLLIN = 0x001,
    WT_EPOLLOUT = 0x004,
    WT_EPOLLRDHUP = 0x2000,
    WT_EPOLLONESHOT = 1 << 30,
    WT_EPOLL_CTL_ADD = 1,
    WT_EPOLL_CTL_DEL = 2,
    WT_EPOLL_CTL_MOD = 3,
};

/// epoll_create1(EPOLL_CLOEXEC).
int wt_epoll_create(void);
/// epoll_ctl with the event's mask and its 64-bit data.
int wt_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
/// epoll_wait; each ready event's data and mask are written to `data[i]` and `events[i]`.
int wt_epoll_wait(int epfd, uint64_t *data, uint32_t *events, int max, int timeout_ms);
/// accept4(fd, NULL, NULL, SOCK_CLOEXEC [| SOCK_NONBLOCK]).
int wt_accept(int fd, int nonblocking);
/// pipe2(fds, O_CLOEXEC).
int wt_pipe_cloexec(int fds[2]);
/// memfd_create(name, 0): memory shared through a descriptor.
int wt_memfd(const char *name);

#endif
