/* rfc3339.h — RFC 3339 date-times to seconds since the epoch, for comparing inputs before
 * they go to PostgreSQL (which receives the text unchanged). */
#ifndef HERALD_RFC3339_H
#define HERALD_RFC3339_H

/* Seconds since the epoch (with the fraction) of a date-time that rfc3339_valid() accepts.
 * Returns 0, or -1 when s is not valid (out untouched). */
int rfc3339_epoch(const char *s, double *out);

#endif
