/* log.c — JSON-lines logging. */
#include "log.h"
#include "buf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

void log_emit(enum log_level level, const char *event, const struct log_field *f)
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
	write_all(STDERR_FILENO, b.data, b.len);
	if (log_fd >= 0)
		write_all(log_fd, b.data, b.len);
	buf_free(&b);
}
