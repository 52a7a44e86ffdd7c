// The floor of a transparent splice relay, for bench/relay-profile.sh: the least a relay can do with a TPROXY'd TCP
// flow and still move its bytes through a second connection. A thread per direction, blocking splice(2) through
// a 1 MiB pipe, no epoll, no routing, no accounting, no bounds. Not a product: a reference for the throughput any
// splice relay can reach on the benchmark's topology, so that Galaxy's figure can be read against it.
//
//   splice_floor PORT MARK DEVICE   listens on 127.0.0.1:PORT (IP_TRANSPARENT) and dials each flow's original
//                                   destination with SO_MARK MARK, bound to DEVICE (as `galaxy relay --egress
//                                   direct:DEVICE --mark MARK` does); runs until killed.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned mark;
static const char *device;

struct direction {
  int from, to;
};

// Moves one direction until its source ends, then forwards the FIN.
static void *pump(void *argument) {
  struct direction *d = argument;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return NULL;
  fcntl(pipe_fds[1], F_SETPIPE_SZ, 1 << 20);
  for (;;) {
    ssize_t in = splice(d->from, NULL, pipe_fds[1], NULL, 1 << 20, SPLICE_F_MOVE);
    if (in <= 0) break;
    while (in > 0) {
      ssize_t out = splice(pipe_fds[0], NULL, d->to, NULL, (size_t)in, SPLICE_F_MOVE);
      if (out <= 0) goto done;
      in -= out;
    }
  }
done:
  shutdown(d->to, SHUT_WR);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  return NULL;
}

static void *flow(void *argument) {
  int client = (int)(long)argument;
  struct sockaddr_in destination;
  socklen_t length = sizeof destination;
  int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (upstream < 0 || getsockname(client, (struct sockaddr *)&destination, &length) != 0 ||
      setsockopt(upstream, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0 ||
      setsockopt(upstream, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device)) != 0 ||
      connect(upstream, (struct sockaddr *)&destination, sizeof destination) != 0) {
    struct linger reset = {1, 0};
    setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(client);
    if (upstream >= 0) close(upstream);
    return NULL;
  }
  struct direction up = {client, upstream}, down = {upstream, client};
  pthread_t up_thread;
  if (pthread_create(&up_thread, NULL, pump, &up) == 0) {
    pump(&down);
    pthread_join(up_thread, NULL);
  }
  close(client);
  close(upstream);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: splice_floor PORT MARK DEVICE\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN); // a peer that reset: splice fails with EPIPE, the flow ends
  mark = (unsigned)strtoul(argv[2], NULL, 0);
  device = argv[3];
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (setsockopt(listener, SOL_IP, IP_TRANSPARENT, &one, sizeof one) != 0 ||
      setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 1024) != 0) {
    perror("splice_floor: listen");
    return 1;
  }
  for (;;) {
    int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (client < 0) {
      usleep(10000); // out of descriptors or threads: no busy loop
      continue;
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, flow, (void *)(long)client) == 0) {
      pthread_detach(thread);
    } else {
      close(client);
    }
  }
}
