// attack-load: the load generator of bench/attacks/run, legitimate clients and attackers.
//
//   attack-load MODE --port P [--host 127.0.0.1] [--sources FIRST:COUNT] [--conns N]
//               [--duration S] [--rate CONN_PER_S] [--path P] [--path2 P]
//               [--accept-encoding VALUE (legit, spike)] [options]
//
// One thread, epoll, non-blocking sockets. Every socket is bound before connect()
// to a source address FIRST, FIRST+1, ... FIRST+COUNT-1 (round robin), so that the
// server sees the clients the way it would see them in the wild (IP_BIND_ADDRESS_NO_PORT:
// the port is chosen at connect time, so thousands of sockets per address are fine).
// Every mode stops by itself after --duration seconds (spike: after its last client,
// bounded by --duration too). At the end one line of key=value pairs goes to stdout.
//
// Modes
//   legit      --conns clients, each one keep-alive connection, one GET --path every
//              --interval-ms. Latency is measured from the request's scheduled time (so a
//              stall of the server is not hidden by the client waiting), to the last body
//              byte, and includes a reconnect. A request that fails on a reused
//              keep-alive connection before any response byte is retried once on a new
//              connection, as browsers do. Success: status 200 and the whole body within
//              --timeout-ms.
//   slowloris  --conns connections opened at --rate per second; each sends a partial head
//              and then one header line every --trickle-ms. A connection the server closes
//              is reopened (same rate bound), as a botnet keeps its pressure.
//   slowread   --conns connections at --rate per second, SO_RCVBUF --rcvbuf before connect
//              (a small TCP window); GET --path (a large file), then read --read-bytes every
//              --read-interval-ms. Closed connections are reopened.
//   flood      --conns keep-alive connections at full speed; each request is, alternately,
//              --path with a random query string and a random path (/x/<hex>/<hex>.html).
//              Closed connections are reopened.
//   spike      --conns clients, started evenly over --ramp-ms; each connects, GETs --path,
//              then --path2 on the same connection, and closes. Latency per request (the
//              first one includes connect).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

enum mode { LEGIT, SLOWLORIS, SLOWREAD, FLOOD, SPIKE };
enum state { FREE, CONNECTING, IDLE, WAITING, HOLDING, DONE };

struct conn {
  int fd;
  enum state state;
  int requests;        // responses completed on this connection
  int got_bytes;       // response bytes seen for the request in flight
  int retried;         // legit: this request was already retried once
  int step;            // spike: 0 page, 1 second path
  double t_start;      // scheduled / sent time of the request in flight (s)
  double t_next;       // legit: next scheduled request; slowloris/slowread: next trickle/read
  uint32_t src;        // source address, host order
  int head_len;
  long body_left;      // -1: still in the head
  int status;
  int close_after;     // "Connection: close" seen
  char head[2048];
};

static struct {
  enum mode mode;
  const char* host;
  int port;
  uint32_t first_src;
  int nsrc;
  int conns;
  double duration, rate, ramp;
  const char *path, *path2, *accept_encoding;
  double interval, trickle, read_interval, timeout;
  int rcvbuf, read_bytes;
} o = {.host = "127.0.0.1", .first_src = 0x7f000001, .nsrc = 1, .conns = 10, .duration = 10,
       .rate = 1000, .ramp = 1, .path = "/", .path2 = "/", .accept_encoding = "", .interval = 0.05, .trickle = 5,
       .read_interval = 1, .timeout = 10, .rcvbuf = 256, .read_bytes = 32};

static struct {
  long ok, fail, retries, connect_fail, opened, closed_by_server, timeouts, bytes;
  long st[6];  // status classes 0 (none) 1xx..5xx
  long max_open, open;
} s;

static FILE* trace;  // --trace FILE: "start_s latency_ms" of requests slower than 20 ms
static double trace_t0;
static float* lat;  // milliseconds
static long nlat, caplat;
static int ep;
static struct conn* cs;
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static struct sockaddr_in dst;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
static uint64_t rnd(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return rng;
}
static void record(double ms) {
  if (nlat == caplat) {
    caplat = caplat ? caplat * 2 : 65536;
    lat = realloc(lat, caplat * sizeof *lat);
    if (!lat) abort();
  }
  lat[nlat++] = (float)ms;
}
static void drop(struct conn* c) {
  if (c->fd >= 0) {
    close(c->fd);
    s.open--;
  }
  c->fd = -1;
  c->state = FREE;
  c->requests = 0;
}
static void watch(struct conn* c, uint32_t ev) {
  struct epoll_event e = {.events = ev, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
}

// Starts a connection from the next source address; false if the socket could not be made.
static int open_conn(struct conn* c, long n) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    s.connect_fail++;
    return 0;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (o.mode == SLOWREAD) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o.rcvbuf, sizeof o.rcvbuf);
  c->src = o.first_src + (uint32_t)(n % o.nsrc);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(c->src)};
  if (bind(fd, (struct sockaddr*)&a, sizeof a) != 0 ||
      (connect(fd, (struct sockaddr*)&dst, sizeof dst) != 0 && errno != EINPROGRESS)) {
    close(fd);
    s.connect_fail++;
    return 0;
  }
  c->fd = fd;
  c->state = CONNECTING;
  c->t_start = now_s();  // legit and spike set their scheduled time after this
  c->requests = 0;
  s.opened++;
  if (++s.open > s.max_open) s.max_open = s.open;
  struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
  return 1;
}

static int send_all(struct conn* c, const char* buf, int len) {
  ssize_t w = send(c->fd, buf, len, MSG_NOSIGNAL);
  return w == len;  // requests are small: they fit in an empty socket buffer
}

static int send_request(struct conn* c, double t) {
  char buf[512];
  int n;
  const char* path = (o.mode == SPIKE && c->step == 1) ? o.path2 : o.path;
  if (o.mode == FLOOD) {
    uint64_t r = rnd();
    if (r & 1)
      n = snprintf(buf, sizeof buf, "GET %s?%016llx HTTP/1.1\r\nHost: cours\r\nUser-Agent: flood\r\n\r\n", o.path,
                   (unsigned long long)rnd());
    else
      n = snprintf(buf, sizeof buf, "GET /x/%08llx/%016llx.html HTTP/1.1\r\nHost: cours\r\nUser-Agent: flood\r\n\r\n",
                   (unsigned long long)(r >> 32), (unsigned long long)rnd());
  } else if (o.mode == SLOWLORIS) {
    n = snprintf(buf, sizeof buf, "GET %s?%llu HTTP/1.1\r\nHost: cours\r\nUser-Agent: Mozilla/5.0 slowloris\r\n", o.path,
                 (unsigned long long)(rnd() % 1000000));
  } else {
    n = snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\nHost: cours\r\nUser-Agent: attack-load\r\nAccept: */*\r\n%s%s%s\r\n",
                 path, *o.accept_encoding ? "Accept-Encoding: " : "", o.accept_encoding, *o.accept_encoding ? "\r\n" : "");
  }
  if (!send_all(c, buf, n)) return 0;
  c->t_start = t;
  c->head_len = 0;
  c->body_left = -1;
  c->got_bytes = 0;
  c->status = 0;
  c->close_after = 0;
  c->state = o.mode == SLOWLORIS || o.mode == SLOWREAD ? HOLDING : WAITING;
  if (o.mode == SLOWREAD)
    watch(c, EPOLLRDHUP);  // data is read on the timer, a little at a time
  else
    watch(c, EPOLLIN);
  return 1;
}

static void fail_request(struct conn* c, double t);
static void legit_begin(struct conn* c, double t);

static void on_connected(struct conn* c, double t) {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err) {
    s.connect_fail++;
    if (o.mode == LEGIT || o.mode == SPIKE) {
      fail_request(c, t);
    } else {
      drop(c);
    }
    return;
  }
  double sched = c->t_start;
  if (!send_request(c, t)) {
    if (o.mode == LEGIT || o.mode == SPIKE) fail_request(c, t);
    else drop(c);
    return;
  }
  if (o.mode == LEGIT || o.mode == SPIKE) c->t_start = sched;  // latency counts the connect
  if (o.mode == SLOWLORIS || o.mode == SLOWREAD) c->t_next = t + (o.mode == SLOWLORIS ? o.trickle : o.read_interval);
}

// Legit and spike: a request failed (error, timeout, bad status).
static void fail_request(struct conn* c, double t) {
  s.fail += (o.mode == SPIKE && c->step == 0) ? 2 : 1;  // spike: the second request is lost too
  drop(c);
  if (o.mode == SPIKE) c->state = DONE;
  if (o.mode == LEGIT) {
    c->retried = 0;
    c->t_next += o.interval;
    if (c->t_next < t) c->t_next = t;
  }
}

static void on_response(struct conn* c, double t) {
  s.st[c->status >= 100 && c->status < 600 ? c->status / 100 : 0]++;
  c->requests++;
  int good = c->status == 200;
  if (o.mode == LEGIT || o.mode == SPIKE) {
    if (good) {
      s.ok++;
      record((t - c->t_start) * 1000);
      if (trace && (t - c->t_start) * 1000 >= 20) fprintf(trace, "%.3f %.1f\n", c->t_start - trace_t0, (t - c->t_start) * 1000);
    } else {
      s.fail += (o.mode == SPIKE && c->step == 0) ? 2 : 1;
    }
  }
  if (o.mode == LEGIT) {
    c->retried = 0;
    c->t_next += o.interval;
    if (c->t_next < t) c->t_next = t;
    if (c->close_after) drop(c);
    else c->state = IDLE;
    return;
  }
  if (o.mode == SPIKE) {
    if (c->step == 0 && good) {
      c->step = 1;
      if (!c->close_after && send_request(c, t)) return;
      s.fail++;
    }
    drop(c);
    c->state = DONE;
    return;
  }
  // flood
  if (c->close_after || !send_request(c, t)) drop(c);
}

// Parses what arrived; returns 1 when a whole response is in.
static int parse(struct conn* c, const char* p, int n, double t) {
  while (n > 0) {
    if (c->body_left < 0) {
      int room = (int)sizeof c->head - 1 - c->head_len;
      int take = n < room ? n : room;
      memcpy(c->head + c->head_len, p, take);
      c->head_len += take;
      c->head[c->head_len] = 0;
      char* end = strstr(c->head, "\r\n\r\n");
      if (!end) {
        if (take == room) return -1;
        return 0;
      }
      int head_bytes = (int)(end + 4 - c->head);
      int extra = c->head_len - head_bytes;  // body bytes that came with the head
      c->status = atoi(c->head + 9);
      long cl = 0;
      for (char* l = strstr(c->head, "\r\n"); l && l < end; l = strstr(l + 2, "\r\n")) {
        if (!strncasecmp(l + 2, "content-length:", 15)) cl = atol(l + 17);
        if (!strncasecmp(l + 2, "connection:", 11)) {
          char* eol = strstr(l + 2, "\r\n");
          char* cl_word = strcasestr(l + 13, "close");
          if (cl_word && cl_word < eol) c->close_after = 1;
        }
      }
      c->body_left = cl;
      p += take - extra;  // the head's bytes of this chunk; the rest is body
      n -= take - extra;
      (void)t;
    }
    long take = n < c->body_left ? n : c->body_left;
    c->body_left -= take;
    p += take;
    n -= (int)take;
    if (c->body_left == 0) return n > 0 ? -1 : 1;  // no pipelining: extra bytes are an error
  }
  return c->body_left == 0 ? 1 : 0;
}

static void on_readable(struct conn* c, double t) {
  char buf[65536];
  for (;;) {
    ssize_t r = recv(c->fd, buf, sizeof buf, 0);
    if (r > 0) {
      s.bytes += r;
      if (c->state == HOLDING) {  // slowloris: the server answered (408, 400, 429): it is done with us
        s.closed_by_server++;
        drop(c);
        return;
      }
      c->got_bytes += (int)r;
      int done = parse(c, buf, (int)r, t);
      if (done < 0) {
        if (o.mode == LEGIT || o.mode == SPIKE) fail_request(c, t);
        else drop(c);
        return;
      }
      if (done) {
        on_response(c, t);
        return;
      }
      continue;
    }
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    // EOF or reset
    s.closed_by_server++;
    if (o.mode == LEGIT && c->state == WAITING && c->got_bytes == 0 && c->requests > 0 && !c->retried) {
      // Stale keep-alive connection: retry once on a new one, as a browser does.
      double sched = c->t_start;
      s.retries++;
      drop(c);
      c->retried = 1;
      c->t_start = sched;
      if (!open_conn(c, c - cs)) fail_request(c, t);
      else c->t_start = sched;
      return;
    }
    if ((o.mode == LEGIT || o.mode == SPIKE) && c->state == WAITING) fail_request(c, t);
    else if (o.mode == SPIKE) {
      drop(c);
      c->state = DONE;
    } else drop(c);
    return;
  }
}

static void legit_begin(struct conn* c, double t) {
  double sched = c->t_next;
  if (c->state == IDLE) {
    if (!send_request(c, t)) {
      drop(c);
      c->state = FREE;
    } else {
      c->t_start = sched;
      return;
    }
  }
  if (!open_conn(c, c - cs)) {
    s.fail++;
    c->t_next += o.interval;
    return;
  }
  c->t_start = sched;
}

static uint32_t parse_ip(const char* t) {
  struct in_addr a;
  if (inet_pton(AF_INET, t, &a) != 1) {
    fprintf(stderr, "attack-load: bad address '%s'\n", t);
    exit(2);
  }
  return ntohl(a.s_addr);
}

static int cmp_float(const void* a, const void* b) {
  float x = *(const float*)a, y = *(const float*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: attack-load legit|slowloris|slowread|flood|spike --port P [options]\n");
    return 2;
  }
  const char* m = argv[1];
  o.mode = !strcmp(m, "legit") ? LEGIT : !strcmp(m, "slowloris") ? SLOWLORIS : !strcmp(m, "slowread") ? SLOWREAD
         : !strcmp(m, "flood") ? FLOOD : !strcmp(m, "spike") ? SPIKE : (enum mode)-1;
  if ((int)o.mode < 0) {
    fprintf(stderr, "attack-load: unknown mode '%s'\n", m);
    return 2;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--host")) o.host = v;
    else if (!strcmp(k, "--port")) o.port = atoi(v);
    else if (!strcmp(k, "--sources")) {
      char ip[64];
      snprintf(ip, sizeof ip, "%s", v);
      char* colon = strchr(ip, ':');
      if (colon) *colon = 0, o.nsrc = atoi(colon + 1);
      o.first_src = parse_ip(ip);
    } else if (!strcmp(k, "--conns")) o.conns = atoi(v);
    else if (!strcmp(k, "--duration")) o.duration = atof(v);
    else if (!strcmp(k, "--rate")) o.rate = atof(v);
    else if (!strcmp(k, "--ramp-ms")) o.ramp = atof(v) / 1000;
    else if (!strcmp(k, "--path")) o.path = v;
    else if (!strcmp(k, "--path2")) o.path2 = v;
    else if (!strcmp(k, "--accept-encoding")) o.accept_encoding = v;
    else if (!strcmp(k, "--interval-ms")) o.interval = atof(v) / 1000;
    else if (!strcmp(k, "--trickle-ms")) o.trickle = atof(v) / 1000;
    else if (!strcmp(k, "--read-interval-ms")) o.read_interval = atof(v) / 1000;
    else if (!strcmp(k, "--read-bytes")) o.read_bytes = atoi(v);
    else if (!strcmp(k, "--rcvbuf")) o.rcvbuf = atoi(v);
    else if (!strcmp(k, "--timeout-ms")) o.timeout = atof(v) / 1000;
    else if (!strcmp(k, "--trace")) trace = fopen(v, "w");
    else {
      fprintf(stderr, "attack-load: unknown option '%s'\n", k);
      return 2;
    }
  }
  if (o.port <= 0 || o.conns <= 0 || o.nsrc <= 0 || o.duration <= 0 || o.duration > 600) {
    fprintf(stderr, "attack-load: need --port, --conns > 0, 0 < --duration <= 600\n");
    return 2;
  }
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  if ((rlim_t)o.conns + 64 > rl.rlim_cur) {
    fprintf(stderr, "attack-load: --conns %d needs more descriptors than RLIMIT_NOFILE %llu\n", o.conns,
            (unsigned long long)rl.rlim_cur);
    return 2;
  }
  dst.sin_family = AF_INET;
  dst.sin_port = htons(o.port);
  dst.sin_addr.s_addr = htonl(parse_ip(o.host));
  rng ^= (uint64_t)getpid() * 0x2545f4914f6cdd1dull;

  ep = epoll_create1(EPOLL_CLOEXEC);
  cs = calloc(o.conns, sizeof *cs);
  for (int i = 0; i < o.conns; i++) cs[i].fd = -1, cs[i].state = FREE;
  double t0 = now_s(), end = t0 + o.duration;
  trace_t0 = t0;
  if (o.mode == LEGIT)
    for (int i = 0; i < o.conns; i++) cs[i].t_next = t0 + o.interval * i / o.conns;  // spread the clients
  double tokens = 0, last_tokens = t0, last_scan = 0;
  long started = 0;  // spike: clients started
  struct epoll_event evs[512];

  for (;;) {
    double t = now_s();
    // Legit: no new request after the deadline; those in flight get up to --timeout-ms
    // to finish, so the end of the run does not count as failures.
    int draining = o.mode == LEGIT && t >= end;
    if (draining) {
      int busy = 0;
      for (int i = 0; i < o.conns; i++) busy |= cs[i].fd >= 0 && (cs[i].state == WAITING || cs[i].state == CONNECTING);
      if (!busy || t >= end + o.timeout + 0.5) break;
    } else if (t >= end) break;
    if (o.mode == SPIKE && started == o.conns && s.open == 0) break;

    // Open connections: the rate bound for attackers, the ramp for the spike.
    if (o.mode == SLOWLORIS || o.mode == SLOWREAD || o.mode == FLOOD) {
      tokens += (t - last_tokens) * o.rate;
      last_tokens = t;
      if (tokens > o.rate / 10 + 1) tokens = o.rate / 10 + 1;
      static int cursor;
      for (int k = 0; k < o.conns && tokens >= 1 && s.open < o.conns; k++, cursor = (cursor + 1) % o.conns)
        if (cs[cursor].state == FREE) {
          tokens -= 1;
          open_conn(&cs[cursor], s.opened);
        }
    } else if (o.mode == SPIKE) {
      long due = o.ramp > 0 ? (long)((t - t0) / o.ramp * o.conns) + 1 : o.conns;
      if (due > o.conns) due = o.conns;
      for (; started < due; started++) {
        struct conn* c = &cs[started];
        c->step = 0;
        c->t_start = t;
        if (!open_conn(c, started)) {
          s.fail++;
          c->state = DONE;
        }
      }
    } else {  // legit: requests that are due
      for (int i = 0; i < o.conns; i++) {
        struct conn* c = &cs[i];
        if (!draining && (c->state == FREE || c->state == IDLE) && c->t_next <= t) legit_begin(c, t);
      }
    }

    // Timers: trickle, slow reads, request timeouts (10 times a second is plenty).
    if (t - last_scan >= 0.1) {
      last_scan = t;
      for (int i = 0; i < o.conns; i++) {
        struct conn* c = &cs[i];
        if (c->fd < 0) continue;
        if ((c->state == WAITING || c->state == CONNECTING) && (o.mode == LEGIT || o.mode == SPIKE) &&
            t - c->t_start > o.timeout) {
          s.timeouts++;
          fail_request(c, t);
          continue;
        }
        if (c->state == CONNECTING && t - c->t_start > o.timeout + 1) {
          s.timeouts++;
          drop(c);
          continue;
        }
        if (c->state != HOLDING || t < c->t_next) continue;
        if (o.mode == SLOWLORIS) {
          char line[64];
          int n = snprintf(line, sizeof line, "X-%04x: %08x\r\n", (unsigned)(rnd() & 0xffff), (unsigned)rnd());
          if (!send_all(c, line, n)) {
            s.closed_by_server++;
            drop(c);
            continue;
          }
          c->t_next = t + o.trickle;
        } else {  // slow read
          char buf[4096];
          int want = o.read_bytes < (int)sizeof buf ? o.read_bytes : (int)sizeof buf;
          ssize_t r = recv(c->fd, buf, want, 0);
          if (r > 0) s.bytes += r;
          if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            s.closed_by_server++;
            drop(c);
            continue;
          }
          c->t_next = t + o.read_interval;
        }
      }
    }

    int n = epoll_wait(ep, evs, 512, 1);
    t = now_s();
    for (int i = 0; i < n; i++) {
      struct conn* c = evs[i].data.ptr;
      if (c->fd < 0) continue;
      if (c->state == CONNECTING) {
        on_connected(c, t);
        continue;
      }
      if (o.mode == SLOWREAD) {
        if (evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
          s.closed_by_server++;
          drop(c);
        }
        continue;
      }
      if (c->state == IDLE && o.mode == LEGIT) {  // the server closed an idle keep-alive connection
        char b;
        if (recv(c->fd, &b, 1, MSG_PEEK) <= 0) {
          s.closed_by_server++;
          drop(c);
        }
        continue;
      }
      on_readable(c, t);
    }
  }

  long open_at_end = s.open;
  long unfinished = 0;  // requests still in flight at the deadline: failures
  if (o.mode == LEGIT || o.mode == SPIKE)
    for (int i = 0; i < o.conns; i++)
      if (cs[i].fd >= 0 && (cs[i].state == WAITING || cs[i].state == CONNECTING))
        unfinished += (o.mode == SPIKE && cs[i].step == 0) ? 2 : 1;
  if (o.mode == SPIKE) unfinished += 2 * (o.conns - started);
  s.fail += unfinished;
  qsort(lat, nlat, sizeof *lat, cmp_float);
  double p50 = nlat ? lat[(long)(nlat * 0.50)] : -1, p99 = nlat ? lat[(long)(nlat * 0.99)] : -1,
         max = nlat ? lat[nlat - 1] : -1;
  printf("mode=%s elapsed_s=%.3f ok=%ld fail=%ld unfinished=%ld retries=%ld timeouts=%ld connect_fail=%ld "
         "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f opened=%ld closed_by_server=%ld max_open=%ld open_at_end=%ld "
         "s2xx=%ld s3xx=%ld s4xx=%ld s5xx=%ld bytes=%ld\n",
         m, now_s() - t0, s.ok, s.fail, unfinished, s.retries, s.timeouts, s.connect_fail, p50, p99, max, s.opened,
         s.closed_by_server, s.max_open, open_at_end, s.st[2], s.st[3], s.st[4], s.st[5], s.bytes);
  return 0;
}
