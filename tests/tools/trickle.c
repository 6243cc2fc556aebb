/* trickle.c - a slowloris client for the hostile-input tests of idxd.
 *
 * usage: trickle [-c CONNECTIONS] [-i SECONDS] [-t SECONDS] HOST PORT
 *
 * Opens CONNECTIONS (default 20) TCP connections and sends each the start of
 * an HTTP request one byte every -i seconds (default 0.25), never finishing
 * it, until the server closes the connection or -t seconds (default 10) have
 * passed.  Prints one JSON line: {"connections", "closed" (by the server),
 * "open" (still open at the end), "replied" (got any bytes back), "min_s",
 * "max_s" (when the server closed them, seconds after connecting)}.  Exit
 * status 0, or 1 when a connection could not be made.
 *
 * Test tooling (tests/e2e/test_hostile.sh); plain POSIX sockets, no libevent.
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int n = 20, opt;
    double every = 0.25, limit = 10;
    while ((opt = getopt(argc, argv, "c:i:t:")) != -1) {
        switch (opt) {
        case 'c': n = atoi(optarg); break;
        case 'i': every = atof(optarg); break;
        case 't': limit = atof(optarg); break;
        default: goto usage;
        }
    }
    if (optind + 2 != argc || n < 1 || n > 10000 || every <= 0 || limit <= 0) goto usage;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)atoi(argv[optind + 1]));
    if (inet_pton(AF_INET, argv[optind], &sa.sin_addr) != 1) goto usage;

    static const char req[] = "GET /search?q=%E7%BB%8F%E6%B5%8E HTTP/1.1\r\nHost: idx\r\nX-Pad: ";
    struct pollfd *pf = calloc((size_t)n, sizeof *pf);
    double *closed_at = calloc((size_t)n, sizeof *closed_at);
    size_t *sent = calloc((size_t)n, sizeof *sent);
    int *replied = calloc((size_t)n, sizeof *replied);
    if (!pf || !closed_at || !sent || !replied) return 1;
    double t0 = now();
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            fprintf(stderr, "trickle: connection %d: %s\n", i, strerror(errno));
            for (int k = 0; k < i; k++) close(pf[k].fd);
            if (fd >= 0) close(fd);
            free(pf);
            free(closed_at);
            free(sent);
            free(replied);
            return 1;
        }
        pf[i].fd = fd;
        pf[i].events = POLLIN;
    }
    int open = n;
    double next = now();
    while (open > 0 && now() - t0 < limit) {
        double t = now();
        if (t >= next) {
            for (int i = 0; i < n; i++) {
                if (pf[i].fd < 0) continue;
                char b = sent[i] < sizeof req - 1 ? req[sent[i]] : 'a';
                if (send(pf[i].fd, &b, 1, MSG_NOSIGNAL) == 1) sent[i]++;
            }
            next = t + every;
        }
        int wait_ms = (int)((next - now()) * 1000);
        if (poll(pf, (nfds_t)n, wait_ms > 0 ? wait_ms : 0) <= 0) continue;
        for (int i = 0; i < n; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[4096];
            ssize_t k = recv(pf[i].fd, buf, sizeof buf, 0);
            if (k > 0) {
                replied[i] = 1;
                continue;
            }
            if (k < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            close(pf[i].fd);
            pf[i].fd = -1;
            closed_at[i] = now() - t0;
            open--;
        }
    }
    int closed = 0, nreplied = 0;
    double lo = 0, hi = 0;
    for (int i = 0; i < n; i++) {
        nreplied += replied[i];
        if (pf[i].fd >= 0) {
            close(pf[i].fd);
            continue;
        }
        if (!closed++ || closed_at[i] < lo) lo = closed_at[i];
        if (closed_at[i] > hi) hi = closed_at[i];
    }
    printf("{\"connections\":%d,\"closed\":%d,\"open\":%d,\"replied\":%d,\"min_s\":%.2f,"
           "\"max_s\":%.2f}\n", n, closed, n - closed, nreplied, lo, hi);
    free(pf);
    free(closed_at);
    free(sent);
    free(replied);
    return 0;
usage:
    fprintf(stderr, "usage: trickle [-c CONNECTIONS] [-i SECONDS] [-t SECONDS] HOST PORT\n");
    return 2;
}
