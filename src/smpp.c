/* smpp.c — the SMPP server's thread: listener, epoll loop, per-connection buffers, framing,
 * and the hand-over with the database worker through an eventfd. Every per-connection buffer
 * is bounded: input by the largest PDU (4 KiB before a bind), output by stopping to read while
 * SMPP_OUT_HIGH octets wait; a link that does not bind in time, or whose output stops moving,
 * is closed; connections are capped per address and in total. */
#include "smpp.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "smpp_conn.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

enum { EV_LISTEN = 1, EV_STORE = 2, EV_STOP = 3 };
#define STOP_GRACE 5.0

static struct {
	int ep, lfd, store_fd, stop_fd;
	pthread_t thread;
	int running;
	double refused_logged;          /* refused connections are logged at most once a second */
} S = {.ep = -1, .lfd = -1, .store_fd = -1, .stop_fd = -1};

static void conn_free(struct smpp_conn *c)
{
	smpp_session_closed(c);
	epoll_ctl(S.ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	smpp_conn_remove(c);
	metrics_smpp_links(-1, c->bound ? -1 : 0);
	log_info("smpp.closed", LI("conn", (uint32_t)c->id), LS("ip", c->ip), LS("system_id", c->system_id));
	buf_free(&c->wbuf);
	free(c->rbuf);
	free(c);
}

/* Writes what is queued; resumes reading when the output has room again. Returns -1 when c
 * was freed. */
static int conn_flush(struct smpp_conn *c)
{
	while (c->woff < c->wbuf.len) {
		ssize_t n = write(c->fd, c->wbuf.data + c->woff, c->wbuf.len - c->woff);
		if (n > 0) {
			c->woff += (size_t)n;
			c->last_tx = smpp_now();
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* keep only what is unwritten, so wbuf never grows past what is queued */
			memmove(c->wbuf.data, c->wbuf.data + c->woff, c->wbuf.len - c->woff);
			c->wbuf.len -= c->woff;
			c->woff = 0;
			if (!c->want_out) {
				c->want_out = 1;
				smpp_conn_events(c);
			}
			smpp_conn_window(c);
			return 0;
		}
		conn_free(c);
		return -1;
	}
	buf_reset(&c->wbuf);
	c->woff = 0;
	if (c->want_out) {
		c->want_out = 0;
		smpp_conn_events(c);
	}
	if (c->closing) {
		conn_free(c);
		return -1;
	}
	smpp_conn_window(c);
	return 0;
}

/* Frames and handles the PDUs in c->rbuf while the window and the output have room. */
static void conn_process(struct smpp_conn *c)
{
	size_t off = 0;
	while (!c->closing && !smpp_conn_should_pause(c)) {
		uint32_t len, seq;
		int whole = smpp_frame(c->rbuf + off, c->rlen - off, c->bound ? SMPP_PDU_MAX : c->rcap, &len, &seq);
		if (whole < 0) {
			log_warn("smpp.bad_length", LS("ip", c->ip), LI("command_length", len), LI("bound", c->bound != 0));
			smpp_conn_reply(c, SMPP_GENERIC_NACK, seq, ESME_RINVCMDLEN);
			smpp_conn_close_after(c);
			break;
		}
		if (!whole)
			break;
		smpp_session_pdu(c, c->rbuf + off, len);
		off += len;
	}
	if (off) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
	if (c->rcap < SMPP_PDU_MAX && c->bound) {   /* bound: PDUs up to SMPP_PDU_MAX */
		c->rbuf = xrealloc(c->rbuf, SMPP_PDU_MAX);
		c->rcap = SMPP_PDU_MAX;
	}
	int full = smpp_conn_should_pause(c);
	if (full != c->paused) {
		c->paused = full;
		smpp_conn_events(c);
	}
}

static void conn_read(struct smpp_conn *c)
{
	for (;;) {
		if (c->closing || c->paused)
			return;
		ssize_t n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
		if (n > 0) {
			c->rlen += (size_t)n;
			c->last_rx = smpp_now();
			conn_process(c);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* EOF or error: nothing more will come; write what is queued (it may fail), close */
		smpp_conn_close_after(c);
		return;
	}
}

static void conn_accept(void)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char ip[64];
		int fd = accept4(S.lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("smpp.accept_failed", LS("error", strerror(errno)));
			return;
		}
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof(ip));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof(ip));
		const char *refused = smpp_conn_refusal(ip);
		if (refused) {
			double now = smpp_now();
			if (now - S.refused_logged >= 1) {
				S.refused_logged = now;
				log_warn("smpp.connection_refused", LS("ip", ip), LS("reason", refused),
					 LI("connections", smpp_conns_count()));
			}
			close(fd);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		struct smpp_conn *c = xcalloc(1, sizeof(*c));
		c->fd = fd;
		c->rbuf = xmalloc(SMPP_RBUF_UNBOUND);
		c->rcap = SMPP_RBUF_UNBOUND;
		c->opened = c->last_rx = c->last_enquire = c->last_tx = smpp_now();
		c->next_seq = 1;
		memcpy(c->ip, ip, sizeof(c->ip));
		int slot = smpp_conn_add(c);
		metrics_smpp_links(1, 0);
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u64 = c->id};
		epoll_ctl(S.ep, EPOLL_CTL_ADD, fd, &ev);
		log_info("smpp.connected", LI("conn", slot), LS("ip", c->ip));
	}
}

static void store_results(void)
{
	uint64_t v;
	if (read(S.store_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("smpp.eventfd_read_failed", LS("error", strerror(errno)));
	for (struct smpp_job *j = smpp_store_done(), *next; j; j = next) {
		next = j->next;
		smpp_conn_stored();
		smpp_session_result(j);
		smpp_job_free(j);
	}
}

/* Once a second: closes (dropping what is queued) the links that did not bind in time and
 * those whose output has not moved for cfg.smpp_send_timeout_s. */
static void conn_deadlines(double now)
{
	int slot = 0;
	for (struct smpp_conn *c; (c = smpp_conn_next(&slot)) != NULL;) {
		const char *why = NULL;
		if (!c->bound && now - c->opened > cfg.smpp_bind_timeout_s)
			why = "bind_timeout";
		else if (c->woff < c->wbuf.len && now - c->last_tx > cfg.smpp_send_timeout_s)
			why = "send_timeout";
		if (why) {
			log_warn("smpp.deadline", LI("conn", (uint32_t)c->id), LS("ip", c->ip), LS("reason", why),
				 LI("queued", (int64_t)(c->wbuf.len - c->woff)));
			conn_free(c);
		}
	}
}

/* Writes the output of the links that have some, and handles the input that a link that may
 * read again still holds (smpp_conn_window). */
static void flush_dirty(void)
{
	for (struct smpp_conn *c; (c = smpp_conn_dirty()) != NULL;)
		if (conn_flush(c) == 0 && !c->paused && !c->closing && c->rlen >= SMPP_HEADER_LEN)
			conn_process(c);
}

static void *loop(void *arg)
{
	(void)arg;
	struct epoll_event evs[128];
	double next_tick = smpp_now() + 1, deadline = 0;
	for (;;) {
		int n = epoll_wait(S.ep, evs, (int)ARRAY_LEN(evs), 250);
		for (int i = 0; i < n; i++) {
			uint64_t id = evs[i].data.u64;
			if (id == EV_LISTEN) {
				conn_accept();
			} else if (id == EV_STORE) {
				store_results();
			} else if (id == EV_STOP) {
				smpp_conns_stop();
				deadline = smpp_now() + STOP_GRACE;
				epoll_ctl(S.ep, EPOLL_CTL_DEL, S.lfd, NULL);
				epoll_ctl(S.ep, EPOLL_CTL_DEL, S.stop_fd, NULL);
				close(S.lfd);
				S.lfd = -1;
			} else {
				struct smpp_conn *c = smpp_conn_find(id);
				if (c == NULL)
					continue;
				if ((evs[i].events & EPOLLOUT) && conn_flush(c) < 0)
					continue;
				if ((evs[i].events & (EPOLLHUP | EPOLLERR)) && (c->paused || c->closing))
					smpp_conn_close_after(c);   /* gone while we were not reading */
				else if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
					conn_read(c);
			}
		}
		double now = smpp_now();
		if (now >= next_tick && !smpp_conns_stopping()) {
			next_tick = now + 1;
			conn_deadlines(now);
			smpp_session_tick(now);
		} else if (!smpp_conns_stopping()) {
			smpp_receipt_more();
		}
		if (!smpp_conns_stopping())
			smpp_check_accounts(now);
		flush_dirty();
		if (smpp_conns_stopping() && (smpp_conns_in_store() == 0 || now > deadline))
			break;
	}
	int slot = 0;
	for (struct smpp_conn *c; (c = smpp_conn_next(&slot)) != NULL;)
		conn_free(c);
	return NULL;
}

static int listen_on(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	if (http_parse_listen(spec, &ss, &sl) < 0)
		return -1;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 1024) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int smpp_start(void)
{
	if (cfg.smpp_listen == NULL || *cfg.smpp_listen == '\0')
		return 0;
	S.lfd = listen_on(cfg.smpp_listen);
	if (S.lfd < 0) {
		log_error("smpp.listen_failed", LS("listen", cfg.smpp_listen), LS("error", strerror(errno)));
		return -1;
	}
	S.ep = epoll_create1(EPOLL_CLOEXEC);
	smpp_conns_init(S.ep);
	S.store_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	S.stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (S.ep < 0 || S.store_fd < 0 || S.stop_fd < 0)
		fatal("smpp: epoll/eventfd: %s", strerror(errno));
	struct epoll_event e1 = {.events = EPOLLIN, .data.u64 = EV_LISTEN};
	struct epoll_event e2 = {.events = EPOLLIN, .data.u64 = EV_STORE};
	struct epoll_event e3 = {.events = EPOLLIN, .data.u64 = EV_STOP};
	epoll_ctl(S.ep, EPOLL_CTL_ADD, S.lfd, &e1);
	epoll_ctl(S.ep, EPOLL_CTL_ADD, S.store_fd, &e2);
	epoll_ctl(S.ep, EPOLL_CTL_ADD, S.stop_fd, &e3);
	if (smpp_store_start(S.store_fd) < 0 || pthread_create(&S.thread, NULL, loop, NULL) != 0) {
		log_error("smpp.thread_failed", LS("error", strerror(errno)));
		return -1;
	}
	S.running = 1;
	log_info("smpp.listening", LS("listen", cfg.smpp_listen));
	return 0;
}

void smpp_stop(void)
{
	if (!S.running)
		return;
	uint64_t one = 1;
	if (write(S.stop_fd, &one, sizeof(one)) < 0)
		log_warn("smpp.stop_signal_failed", LS("error", strerror(errno)));
	pthread_join(S.thread, NULL);
	smpp_store_stop();
	smpp_accounts_reset();
	smpp_bind_reset();
	close(S.ep);
	close(S.store_fd);
	close(S.stop_fd);
	S.running = 0;
	log_info("smpp.stopped", LI("in_store", smpp_conns_in_store()));
}
