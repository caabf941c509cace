/* window.h — the send window in SQL, shared by the scheduler (first due_at of each message) and
 * the dispatcher (due_at of a retry). SQL_WINDOW_NEXT(base, tz, ws, we) is an SQL expression
 * (string literal) for the first instant at or after `base` (timestamptz) when the local time in
 * zone `tz` lies inside [ws, we) (ws > we wraps midnight); `base` itself when ws is NULL. Local
 * times come from `AT TIME ZONE`, so DST shifts are followed; an opening that falls into a DST
 * gap is moved forward by PostgreSQL. The arguments are SQL text (column names), never input.
 * SQL_WINDOW_CLOSE(base, tz, we), for a `base` inside the window, is the instant the window
 * closes: the next time the local time reaches `we` (the dispatcher sends nothing after it). */
#ifndef HERALD_WINDOW_H
#define HERALD_WINDOW_H

#define SQL_WINDOW_LOCAL(base, tz) "((" base ") AT TIME ZONE " tz ")"
#define SQL_WINDOW_NEXT(base, tz, ws, we)                                                        \
	"(CASE WHEN " ws " IS NULL THEN " base                                                   \
	" WHEN CASE WHEN " ws " < " we                                                           \
	"   THEN " SQL_WINDOW_LOCAL(base, tz) "::time >= " ws " AND "                              \
	           SQL_WINDOW_LOCAL(base, tz) "::time < " we                                       \
	"   ELSE " SQL_WINDOW_LOCAL(base, tz) "::time >= " ws " OR "                               \
	           SQL_WINDOW_LOCAL(base, tz) "::time < " we " END THEN " base                     \
	" ELSE ((" SQL_WINDOW_LOCAL(base, tz) "::date + CASE WHEN "                                \
	           SQL_WINDOW_LOCAL(base, tz) "::time < " ws " THEN 0 ELSE 1 END) + " ws ")"       \
	"   AT TIME ZONE " tz " END)"

#define SQL_WINDOW_CLOSE(base, tz, we)                                                           \
	"(((" SQL_WINDOW_LOCAL(base, tz) "::date + CASE WHEN " SQL_WINDOW_LOCAL(base, tz) "::time < " \
	we " THEN 0 ELSE 1 END) + " we ") AT TIME ZONE " tz ")"

#endif
