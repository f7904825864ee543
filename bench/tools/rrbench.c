/* rrbench: a small bounded TCP request/response benchmark for the lab (bench/bench.sh).
 *
 *   rrbench server PORT[,PORT...] LIFETIME_S
 *       epoll echo server on 0.0.0.0: reads 64-byte requests and answers each with 64 bytes; when a
 *       request starts with 'C' it closes the connection after the reply (so the server holds
 *       TIME_WAIT). Prints "ready" once listening; exits after LIFETIME_S seconds.
 *   rrbench crr HOST PORT SECONDS MAXCONN
 *       new connections, one at a time: connect, 64-byte request, 64-byte reply, the server's close.
 *       Prints "conn_per_s=.. p50_us=.. p99_us=.. count=.. errors=..".
 *   rrbench rr HOST PORT COUNT SECONDS
 *       COUNT 64-byte ping-pongs on one connection. Prints "p50_us=.. p99_us=.. count=..".
 *
 * Every loop is bounded by a count and by time, every socket has 2 s send/receive timeouts, and
 * the clients stop at the first error (which is reported, not retried).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG 64
#define MAXFD 65536
#define MAXPORTS 64
#define MAXSAMPLES 200000

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p) {
    if (n == 0) return 0;
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

static void timeouts(int fd) {
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int readn(int fd, char *buf, int n) {
    int got = 0;
    while (got < n) {
        ssize_t r = recv(fd, buf + got, n - got, 0);
        if (r <= 0) return -1;
        got += r;
    }
    return 0;
}

static unsigned char fill[MAXFD];

static int server(char *ports, double lifetime) {
    int ep = epoll_create1(0);
    int listeners[MAXPORTS], nl = 0;
    for (char *p = strtok(ports, ","); p && nl < MAXPORTS; p = strtok(NULL, ",")) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(p)), .sin_addr.s_addr = INADDR_ANY};
        if (bind(fd, (void *)&a, sizeof a) || listen(fd, 1024)) { perror("bind/listen"); return 1; }
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (1ull << 32) | (unsigned)fd};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        listeners[nl++] = fd;
    }
    printf("ready\n");
    fflush(stdout);
    static char bufs[MAXFD][MSG];
    char reply[MSG];
    memset(reply, 'r', MSG);
    double end = now() + lifetime;
    struct epoll_event evs[256];
    while (now() < end) {
        int n = epoll_wait(ep, evs, 256, 200);
        for (int i = 0; i < n; i++) {
            int fd = (int)(evs[i].data.u64 & 0xffffffff);
            if (evs[i].data.u64 >> 32) {
                for (int k = 0; k < 64; k++) { /* bounded accept burst */
                    int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK);
                    if (c < 0) break;
                    if (c >= MAXFD) { close(c); continue; }
                    int one = 1;
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    fill[c] = 0;
                    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (unsigned)c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
                }
                continue;
            }
            ssize_t r = recv(fd, bufs[fd] + fill[fd], MSG - fill[fd], 0);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN) continue;
                close(fd);
                continue;
            }
            fill[fd] += r;
            if (fill[fd] == MSG) {
                fill[fd] = 0;
                if (send(fd, reply, MSG, MSG_NOSIGNAL) != MSG || bufs[fd][0] == 'C') close(fd);
            }
        }
    }
    for (int i = 0; i < nl; i++) close(listeners[i]);
    return 0;
}

static int crr(const char *host, int port, double seconds, int maxconn) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (maxconn > MAXSAMPLES) maxconn = MAXSAMPLES;
    double *lat = malloc(sizeof(double) * maxconn);
    char req[MSG], buf[MSG];
    memset(req, 'C', MSG);
    int count = 0, errors = 0;
    double start = now(), end = start + seconds;
    while (count < maxconn && now() < end) {
        double t0 = now();
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        timeouts(fd);
        if (connect(fd, (void *)&a, sizeof a) || send(fd, req, MSG, MSG_NOSIGNAL) != MSG || readn(fd, buf, MSG)) {
            errors++;
            close(fd);
            fprintf(stderr, "crr: connection %d failed: %s\n", count, strerror(errno));
            break;
        }
        recv(fd, buf, MSG, 0); /* the server's close */
        close(fd);
        lat[count++] = (now() - t0) * 1e6;
    }
    double elapsed = now() - start;
    qsort(lat, count, sizeof(double), cmp);
    printf("conn_per_s=%.1f p50_us=%.1f p99_us=%.1f count=%d errors=%d\n", count / elapsed, pct(lat, count, 0.5), pct(lat, count, 0.99), count, errors);
    return errors ? 1 : 0;
}

static int rr(const char *host, int port, int n, double seconds) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (n > MAXSAMPLES) n = MAXSAMPLES;
    double *lat = malloc(sizeof(double) * n);
    char req[MSG], buf[MSG];
    memset(req, 'R', MSG);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    timeouts(fd);
    if (connect(fd, (void *)&a, sizeof a)) { perror("rr: connect"); return 1; }
    int count = 0, err = 0;
    double end = now() + seconds;
    while (count < n && now() < end) {
        double t0 = now();
        if (send(fd, req, MSG, MSG_NOSIGNAL) != MSG || readn(fd, buf, MSG)) { err = 1; perror("rr"); break; }
        lat[count++] = (now() - t0) * 1e6;
    }
    close(fd);
    qsort(lat, count, sizeof(double), cmp);
    printf("p50_us=%.1f p99_us=%.1f count=%d errors=%d\n", pct(lat, count, 0.5), pct(lat, count, 0.99), count, err);
    return err;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc == 4 && !strcmp(argv[1], "server")) return server(argv[2], atof(argv[3]));
    if (argc == 6 && !strcmp(argv[1], "crr")) return crr(argv[2], atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
    if (argc == 6 && !strcmp(argv[1], "rr")) return rr(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]));
    fprintf(stderr, "usage: rrbench server PORTS LIFETIME | crr HOST PORT SECONDS MAXCONN | rr HOST PORT COUNT SECONDS\n");
    return 2;
}
