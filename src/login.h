/* login.h — checking a user name and password for the admin sign-in, throttled per (client
 * address, user name) and per client address, counted in the database (login_throttle) so it
 * holds across instances. Someone who does not know a password can only slow down their own
 * address: the owner signing in from another address is never kept out. */
#ifndef HERALD_LOGIN_H
#define HERALD_LOGIN_H
#include "db.h"
#include "http.h"

#define LOGIN_MAX_PER_USER 5        /* attempts per (address, user name) ... */
#define LOGIN_MAX_PER_ADDR 30       /* ... and per address, within LOGIN_WINDOW */
#define LOGIN_WINDOW "15 minutes"

enum login_result { LOGIN_OK, LOGIN_BAD, LOGIN_THROTTLED, LOGIN_DB };

/* Checks username/password for a client at addr. The attempt is counted first, atomically
 * with the check of the limits: over a limit it is LOGIN_THROTTLED without checking the
 * password, with the seconds until the block ends in *retry_after. LOGIN_OK fills *user and
 * gives the attempt back; LOGIN_BAD keeps it counted. */
enum login_result login_check(struct db *db, const char *addr, const char *username, const char *password,
			      struct user *user, int *retry_after);

#endif
