/* unit.h — what several unit tests share: the project's files found from HERALD_ROOT (the
 * harness sets it; else the working directory), and the language catalogue loaded from them. */
#ifndef HERALD_UNIT_H
#define HERALD_UNIT_H
#include <stddef.h>

/* dir/<sub> of the project into out. */
void unit_path(char *out, size_t len, const char *sub);
/* Loads locale/ with i18n_load; fails the test when it cannot. For a suite's .init. */
void unit_catalogues(void);

#endif
