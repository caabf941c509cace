/* Unit tests of the form body parsers. */
#include <criterion/criterion.h>
#include <string.h>
#include "form.h"

static json_t *ue(const char *s)
{
	char err[200];
	return form_urlencoded(s, strlen(s), err, sizeof(err));
}

Test(form, urlencoded_values_and_repeats)
{
	json_t *f = ue("code=916&name=M%C3%A9ga+Fon%21&id=1&id=2&id=3&empty=&flag&csrf_token=a%2Bb");
	cr_assert_not_null(f);
	cr_expect_str_eq(form_str(f, "code"), "916");
	cr_expect_str_eq(form_str(f, "name"), "Méga Fon!");
	cr_expect_str_eq(form_str(f, "empty"), "");
	cr_expect_str_eq(form_str(f, "flag"), "");
	cr_expect_str_eq(form_str(f, "csrf_token"), "a+b");
	cr_expect_null(form_str(f, "id"));
	json_t *ids = form_list(f, "id");
	cr_expect_eq(json_array_size(ids), 3);
	cr_expect_str_eq(json_string_value(json_array_get(ids, 2)), "3");
	json_decref(ids);
	ids = form_list(f, "missing");
	cr_expect_eq(json_array_size(ids), 0);
	json_decref(ids);
	json_decref(f);
	f = ue("");
	cr_expect_eq(json_object_size(f), 0);
	json_decref(f);
}

Test(form, urlencoded_rejects_bad_input)
{
	cr_expect_null(ue("a=%zz"));
	cr_expect_null(ue("a=%4"));
	cr_expect_null(ue("a=%00"));
	cr_expect_null(ue("a=%ff%fe"));
	cr_expect_null(ue("=x"));
	char name[400];
	memset(name, 'n', sizeof(name) - 3);
	strcpy(name + sizeof(name) - 3, "=1");
	cr_expect_null(ue(name));
	size_t n = 2001 * 4;
	char *many = malloc(n + 1);
	for (size_t i = 0; i < 2001; i++)
		memcpy(many + i * 4, "a=1&", 4);
	many[n] = '\0';
	char err[200];
	cr_expect_null(form_urlencoded(many, n, err, sizeof(err)));
	cr_expect(strstr(err, "more than") != NULL);
	free(many);
}

Test(form, multipart)
{
	static const char body[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n916\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
	    "Content-Type: text/csv\r\n\r\nphone\r\n79161234567\r\n"
	    "--XyZ\r\ncontent-disposition: form-data; name=tag\r\n\r\n\r\n--XyZ--\r\n";
	char err[200];
	json_t *f = form_parse("multipart/form-data; boundary=XyZ", body, sizeof(body) - 1, err, sizeof(err));
	cr_assert_not_null(f, "%s", err);
	cr_expect_str_eq(form_str(f, "code"), "916");
	cr_expect_str_eq(form_str(f, "file"), "phone\r\n79161234567");
	cr_expect_str_eq(form_str(f, "tag"), "");
	json_decref(f);
	static const char cut[] = "--XyZ\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n916";
	cr_expect_null(form_parse("multipart/form-data; boundary=XyZ", cut, sizeof(cut) - 1, err, sizeof(err)));
	static const char noname[] = "--XyZ\r\nContent-Type: text/plain\r\n\r\n916\r\n--XyZ--";
	cr_expect_null(form_parse("multipart/form-data; boundary=\"XyZ\"", noname, sizeof(noname) - 1, err, sizeof(err)));
	cr_expect_null(form_parse("multipart/form-data", body, sizeof(body) - 1, err, sizeof(err)));
	cr_expect_null(form_parse("application/json", "{}", 2, err, sizeof(err)));
	cr_expect_null(form_parse(NULL, "", 0, err, sizeof(err)));
	f = form_parse("application/x-www-form-urlencoded; charset=UTF-8", "a=1", 3, err, sizeof(err));
	cr_expect_str_eq(form_str(f, "a"), "1");
	json_decref(f);
}

/* A file part may be Windows-1251 (read later by csv_sniff); any other field must be UTF-8. */
Test(form, file_parts_keep_their_bytes)
{
	static const char body[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nphone;tag\r\n1;\xE2\xE8\xEF\r\n"
	    "--XyZ--\r\n";
	char err[200];
	json_t *f = form_parse("multipart/form-data; boundary=XyZ", body, sizeof(body) - 1, err, sizeof(err));
	cr_assert_not_null(f, "%s", err);
	cr_expect_str_eq(form_str(f, "file"), "phone;tag\r\n1;\xE2\xE8\xEF");
	json_decref(f);
	static const char field[] = "--XyZ\r\nContent-Disposition: form-data; name=\"tag\"\r\n\r\n\xE2\xE8\xEF\r\n--XyZ--\r\n";
	cr_expect_null(form_parse("multipart/form-data; boundary=XyZ", field, sizeof(field) - 1, err, sizeof(err)));
	static const char nul[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\na\0b\r\n--XyZ--\r\n";
	cr_expect_null(form_parse("multipart/form-data; boundary=XyZ", nul, sizeof(nul) - 1, err, sizeof(err)));
}
