/* log.c — JSON-lines logging. A line is written as it is logged, except the request log's
 * (log_info_batched): those wait together, at most LOG_BATCH_MS and PIPE_BUF bytes, and go
 * out in one write() (atomic on a pipe), before any other line so that the log keeps its
 * order. Two writes a request (stderr and the file) cost 7 of herald's 129 us of CPU a GET
 * (docs/performance.md). */
#include "log.h"
#include "buf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_BATCH_MS 100

static int log_fd = -1;
static enum log_level log_min = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

int log_open(const char *dir)
{
	if (dir == NULL || *dir == '\0')
		return 0;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -1;
	char *path = xasprintf("%s/herald.log", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	free(path);
	if (fd < 0)
		return -1;
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	return 0;
}

void log_set_level(enum log_level min)
{
	log_min = min;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* The request lines waiting (batch, guarded by batch_mu), and the thread that writes them
 * LOG_BATCH_MS after the first came when no other line or a full batch did it before. */
static pthread_mutex_t batch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t batch_cv;
static char batch[PIPE_BUF];
static size_t nbatch;
static pthread_once_t batch_once = PTHREAD_ONCE_INIT;

static void write_out(const char *p, size_t n)
{
	write_all(STDERR_FILENO, p, n);
	if (log_fd >= 0)
		write_all(log_fd, p, n);
}

/* Writes the waiting lines; batch_mu held. */
static void batch_write(void)
{
	if (nbatch > 0)
		write_out(batch, nbatch);
	nbatch = 0;
}

static void *batch_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&batch_mu);
	for (;;) {
		while (nbatch == 0)
			pthread_cond_wait(&batch_cv, &batch_mu);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += LOG_BATCH_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		while (nbatch > 0 && pthread_cond_timedwait(&batch_cv, &batch_mu, &until) == 0)
			;   /* woken early: the first line's time still counts */
		batch_write();
	}
	return NULL;
}

void log_flush(void)
{
	pthread_mutex_lock(&batch_mu);
	batch_write();
	pthread_mutex_unlock(&batch_mu);
}

static void batch_start(void)
{
	pthread_condattr_t a;
	pthread_t t;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&batch_cv, &a);
	pthread_condattr_destroy(&a);
	if (pthread_create(&t, NULL, batch_main, NULL) != 0)
		fatal("cannot start the log's writer thread");
	pthread_detach(t);
	atexit(log_flush);
}

/* Writes line (len bytes) after the waiting ones, or, batched, adds it to them. */
static void put_line(const char *line, size_t len, int batched)
{
	if (batched)
		pthread_once(&batch_once, batch_start);
	pthread_mutex_lock(&batch_mu);
	if (!batched || nbatch + len > sizeof(batch))
		batch_write();
	if (batched && len <= sizeof(batch)) {
		memcpy(batch + nbatch, line, len);
		if ((nbatch += len) == len)
			pthread_cond_signal(&batch_cv);
	} else {
		write_out(line, len);
	}
	pthread_mutex_unlock(&batch_mu);
}

static void emit(enum log_level level, const char *event, const struct log_field *f, int batched)
{
	if (level < log_min)
		return;
	struct buf b = BUF_INIT;
	struct timespec ts;
	struct tm tm;
	char tbuf[40];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(&b, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"event\":", tbuf, ts.tv_nsec / 1000000,
		   level_names[level]);
	buf_json_str(&b, event);
	for (; f->kind != LOGF_END; f++) {
		if (f->kind == LOGF_STR && f->s == NULL)
			continue;
		buf_putc(&b, ',');
		buf_json_str(&b, f->key);
		buf_putc(&b, ':');
		if (f->kind == LOGF_INT)
			buf_printf(&b, "%lld", (long long)f->i);
		else if (f->kind == LOGF_DBL)
			buf_printf(&b, isfinite(f->d) ? "%.6g" : "null", f->d);
		else if (strstr(f->s, "://") == NULL)
			buf_json_str(&b, f->s);
		else {
			char *r = url_redact(f->s);   /* never a URL's credentials in the log */
			buf_json_str(&b, r);
			free(r);
		}
	}
	buf_puts(&b, "}\n");
	put_line(b.data, b.len, batched);
	buf_free(&b);
}

void log_emit(enum log_level level, const char *event, const struct log_field *f)
{
	emit(level, event, f, 0);
}

void log_emit_batched(enum log_level level, const char *event, const struct log_field *f)
{
	emit(level, event, f, 1);
}
