/* metrics_process.c — the process metrics every Prometheus client library exports, under the
 * same names (process_cpu_seconds_total, process_resident_memory_bytes, ...), read from /proc
 * at each scrape. A figure that cannot be read is left out. */
#include "metrics.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Reads up to len - 1 bytes of path into buf (NUL-terminated); the length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	int err = ferror(f);
	fclose(f);
	if (err)
		return -1;
	buf[n] = '\0';
	return (ssize_t)n;
}

/* From /proc/self/stat (proc(5)): utime and stime (fields 14, 15, clock ticks), starttime (22,
 * clock ticks after boot), vsize (23, bytes), rss (24, pages). The command name (field 2) may
 * hold spaces and parentheses, so the fields are counted after its last ')'. */
struct proc_stat {
	unsigned long long utime, stime, starttime, vsize;
	long long rss;
};

static int read_proc_stat(struct proc_stat *st)
{
	char buf[4096];
	if (read_small("/proc/self/stat", buf, sizeof(buf)) < 0)
		return -1;
	char *p = strrchr(buf, ')');
	if (p == NULL)
		return -1;
	p++;
	int got = 0;
	for (int field = 3; field <= 24; field++) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return -1;
		char *end;
		if (field == 14 || field == 15 || field == 22 || field == 23 || field == 24) {
			unsigned long long v = strtoull(p, &end, 10);
			if (end == p)
				return -1;
			switch (field) {
			case 14: st->utime = v; break;
			case 15: st->stime = v; break;
			case 22: st->starttime = v; break;
			case 23: st->vsize = v; break;
			default: st->rss = (long long)v; break;
			}
			got++;
			p = end;
		} else {
			p += strcspn(p, " ");
		}
	}
	return got == 5 ? 0 : -1;
}

/* The boot time (btime of /proc/stat, Unix seconds), read line by line: the "intr" line can be
 * longer than any buffer, so only text at the start of a line is looked at. 0 when not found. */
static long long boot_time(void)
{
	FILE *f = fopen("/proc/stat", "re");
	if (f == NULL)
		return 0;
	char line[256];
	long long btime = 0;
	int at_start = 1;
	while (fgets(line, sizeof(line), f)) {
		if (at_start && strncmp(line, "btime ", 6) == 0) {
			btime = strtoll(line + 6, NULL, 10);
			break;
		}
		at_start = strchr(line, '\n') != NULL;
	}
	fclose(f);
	return btime;
}

/* Entries of /proc/self/fd, less the one opendir holds; -1 when it cannot be read. */
static long open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return -1;
	long n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

static void sample(struct buf *out, const char *name, const char *help, const char *type, double v)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %.15g\n", name, help, name, type, name, v);
}

void metrics_process_render(struct buf *out)
{
	long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct proc_stat st;
	if (ticks > 0 && page > 0 && read_proc_stat(&st) == 0) {
		sample(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter",
		      (double)(st.utime + st.stime) / (double)ticks);
		sample(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", (double)st.vsize);
		sample(out, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge",
		      (double)st.rss * (double)page);
		long long btime = boot_time();
		if (btime > 0)
			sample(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
			      "gauge", (double)btime + (double)st.starttime / (double)ticks);
	}
	long fds = open_fds();
	if (fds >= 0)
		sample(out, "process_open_fds", "Number of open file descriptors.", "gauge", (double)fds);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		sample(out, "process_max_fds", "Maximum number of open file descriptors.", "gauge", (double)rl.rlim_cur);
}
