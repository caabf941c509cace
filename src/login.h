/* login.h — checking a user name and password for the admin sign-in, with throttling per
 * account counted in the database (login_failures), so it holds across instances. */
#ifndef HERALD_LOGIN_H
#define HERALD_LOGIN_H
#include "db.h"
#include "http.h"

#define LOGIN_MAX_FAILURES 5
#define LOGIN_WINDOW "15 minutes"

enum login_result { LOGIN_OK, LOGIN_BAD, LOGIN_THROTTLED, LOGIN_DB };

/* Checks username/password. LOGIN_OK fills *user and clears the account's failures;
 * LOGIN_BAD records a failure; LOGIN_THROTTLED (LOGIN_MAX_FAILURES failures within
 * LOGIN_WINDOW) refuses without checking the password. */
enum login_result login_check(struct db *db, const char *username, const char *password,
			      struct user *user);

#endif
