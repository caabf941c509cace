/* user.h — who a request or a command acts as: a user's id, name and role. */
#ifndef HERALD_USER_H
#define HERALD_USER_H
#include <stdint.h>

enum role { ROLE_NONE = 0, ROLE_VIEWER = 1, ROLE_OPERATOR = 2, ROLE_ADMIN = 3 };

struct user {
	int64_t id;
	char username[65];
	enum role role;
	int has_password;     /* 0: signs in only through OpenID Connect (set by session_load) */
	char language[4];     /* the language chosen for the admin, "" when none (session_load) */
};

#endif
