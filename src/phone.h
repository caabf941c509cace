/* phone.h — Russian phone numbers as people write them (+7 (916) 123-45-67, 8 916 123 45 67,
 * 8(916)1234567, 916 123-45-67) turned into the stored form 7XXXXXXXXXX. The one rule for the
 * admin's forms, the API's client endpoints and the CSV import. */
#ifndef HERALD_PHONE_H
#define HERALD_PHONE_H
#include <stddef.h>

#define PHONE_LEN 11
#define PHONE_INPUT_MAX 64   /* bytes of a written phone worth reading */
/* What a refused phone is told, beside its field (a path in the language catalogue). */
#define PHONE_REFUSED "valid.phone_refused"

/* Writes the stored form of s into out (PHONE_LEN + 1 bytes). Spaces (also no-break ones),
 * brackets, dashes and dots are dropped, and a leading + is read; then 11 digits starting with 7
 * stay, 11 digits starting with 8 (without a +) get 7 instead, and 10 digits starting with 9 (a
 * mobile number without the country code) get a 7 in front.
 * Returns 0, or -1 with out empty for anything else (letters, too few or too many digits, a +
 * not at the start, +8...). */
int phone_normalise(const char *s, char out[PHONE_LEN + 1]);

/* The same for the start of a phone (a search prefix, 1 to 11 digits): separators dropped, a
 * leading +7 or 8 read as 7. Returns 0, or -1 when s is not a phone's start. */
int phone_prefix_normalise(const char *s, char out[PHONE_LEN + 1]);

#endif
