/* log.h — JSON-lines log: one object per line to stderr and to HERALD_LOG_DIR/herald.log.
 *   log_info("mailing.started", LI("mailing_id", id), LS("status", "running"));
 * Every line carries "ts", "level" and "event"; fields follow in the order given. */
#ifndef HERALD_LOG_H
#define HERALD_LOG_H
#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_kind { LOGF_END, LOGF_INT, LOGF_STR, LOGF_DBL };

struct log_field {
	const char *key;
	enum log_kind kind;
	int64_t i;
	const char *s;
	double d;
};

#define LI(k, v) ((struct log_field){.key = (k), .kind = LOGF_INT, .i = (int64_t)(v)})
#define LS(k, v) ((struct log_field){.key = (k), .kind = LOGF_STR, .s = (v)})
#define LD(k, v) ((struct log_field){.key = (k), .kind = LOGF_DBL, .d = (double)(v)})
#define LEND ((struct log_field){.kind = LOGF_END})

#define log_debug(ev, ...) log_emit(LOG_DEBUG, ev, (const struct log_field[]){__VA_ARGS__, LEND})
#define log_info(ev, ...) log_emit(LOG_INFO, ev, (const struct log_field[]){__VA_ARGS__, LEND})
#define log_warn(ev, ...) log_emit(LOG_WARN, ev, (const struct log_field[]){__VA_ARGS__, LEND})
#define log_error(ev, ...) log_emit(LOG_ERROR, ev, (const struct log_field[]){__VA_ARGS__, LEND})
/* An info line of a kind logged thousands of times a second (the request log, a client's
 * create, update and delete): it may wait up to 100 ms, or until another line is logged, to be
 * written with others in one write(). */
#define log_info_batched(ev, ...) log_emit_batched(LOG_INFO, ev, (const struct log_field[]){__VA_ARGS__, LEND})

/* Opens dir/herald.log for appending (creating dir); NULL or failure means stderr only.
 * Returns 0, or -1 when the file could not be opened (logging to stderr continues). */
int log_open(const char *dir);
void log_set_level(enum log_level min);
/* Writes one line, after the batched lines waiting; fields ends with LEND. Thread-safe; a
 * line is written with one write(). */
void log_emit(enum log_level level, const char *event, const struct log_field *fields);
/* Adds one line to those written together (log_info_batched). */
void log_emit_batched(enum log_level level, const char *event, const struct log_field *fields);
/* Writes the batched lines waiting now (also run at exit). */
void log_flush(void);

#endif
