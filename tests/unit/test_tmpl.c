/* Unit tests of the Mustache renderer: the official spec files (../shared/testdata/mustache-spec
 * beside the repository), escaping of hostile values, and syntax errors with line numbers. */
#include <criterion/criterion.h>
#include "unit.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buf.h"
#include "tmpl.h"

/* Path of a spec file, or NULL when the folder is not there. Caller frees. */
static char *spec_path(const char *file)
{
	char dir[4096], *path = NULL;
	unit_path(dir, sizeof(dir), "../shared/testdata/mustache-spec");
	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return NULL;
	if (access(path, R_OK) != 0) {
		free(path);
		return NULL;
	}
	return path;
}

static void run_spec(const char *file)
{
	char *path = spec_path(file);
	if (path == NULL)
		cr_skip_test("mustache spec folder not found (../shared/testdata/mustache-spec): skipped");
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	free(path);
	cr_assert_not_null(doc, "%s: %s", file, e.text);
	json_t *tests = json_object_get(doc, "tests"), *t;
	size_t i;
	cr_assert(json_array_size(tests) > 0, "%s has no tests", file);
	json_array_foreach(tests, i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		const char *tpl = json_string_value(json_object_get(t, "template"));
		const char *expected = json_string_value(json_object_get(t, "expected"));
		json_t *partials = json_object_get(t, "partials"), *pv;
		const char *pname;
		char err[300];
		struct tmpl_set *s = tmpl_set_new();
		json_object_foreach(partials, pname, pv)
			cr_assert_eq(tmpl_set_add(s, pname, json_string_value(pv), json_string_length(pv), err,
						  sizeof(err)), 0, "%s / %s: partial %s: %s", file, name, pname, err);
		int rc = tmpl_set_add(s, "__main", tpl, strlen(tpl), err, sizeof(err));
		cr_expect_eq(rc, 0, "%s / %s: %s", file, name, err);
		struct buf out = BUF_INIT;
		if (rc == 0) {
			cr_expect_eq(tmpl_render(s, "__main", json_object_get(t, "data"), &out), 0, "%s / %s", file, name);
			cr_expect_str_eq(out.data ? out.data : "", expected, "%s / %s: got [%s] want [%s]", file,
					 name, out.data ? out.data : "", expected);
		}
		buf_free(&out);
		tmpl_set_free(s);
	}
	json_decref(doc);
}

Test(tmpl_spec, interpolation) { run_spec("interpolation.json"); }
Test(tmpl_spec, sections) { run_spec("sections.json"); }
Test(tmpl_spec, inverted) { run_spec("inverted.json"); }
Test(tmpl_spec, comments) { run_spec("comments.json"); }
Test(tmpl_spec, partials) { run_spec("partials.json"); }
Test(tmpl_spec, delimiters) { run_spec("delimiters.json"); }
Test(tmpl_spec, inheritance) { run_spec("~inheritance.json"); }

/* Renders src with data (a JSON text); returns a malloc'ed string. */
static char *render(const char *src, const char *data)
{
	char err[300];
	struct tmpl_set *s = tmpl_set_new();
	cr_assert_eq(tmpl_set_add(s, "t", src, strlen(src), err, sizeof(err)), 0, "%s", err);
	json_t *d = json_loads(data, 0, NULL);
	cr_assert_not_null(d);
	struct buf out = BUF_INIT;
	cr_assert_eq(tmpl_render(s, "t", d, &out), 0);
	json_decref(d);
	tmpl_set_free(s);
	return buf_steal(&out);
}

Test(tmpl, escapes_hostile_values)
{
	char *r = render("<p title=\"{{v}}\">{{v}}</p><a href=\"{{u}}\">x</a>",
			 "{\"v\": \"<script>alert(1)</script>\\\" onmouseover='x' `y`\", \"u\": \"javascript:alert(1)\"}");
	cr_expect_str_eq(r, "<p title=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover&#61;&#39;x&#39; &#96;y&#96;\">"
			 "&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover&#61;&#39;x&#39; &#96;y&#96;</p>"
			 "<a href=\"javascript:alert(1)\">x</a>");
	cr_expect_null(strstr(r, "<script>"));
	free(r);
	r = render("{{{v}}}|{{&v}}", "{\"v\": \"<b>\"}");
	cr_expect_str_eq(r, "<b>|<b>");
	free(r);
}

Test(tmpl, values_and_truthiness)
{
	char *r = render("{{#e}}E{{/e}}{{^e}}no-e{{/e}} {{n}} {{#list}}{{name}},{{/list}} {{a.b.c}} {{a.x.c}}",
			 "{\"e\": \"\", \"n\": 42, \"list\": [{\"name\": \"x\"}, {\"name\": \"y\"}],"
			 " \"a\": {\"b\": {\"c\": \"deep\"}}}");
	cr_expect_str_eq(r, "no-e 42 x,y, deep ");
	free(r);
}

static void expect_error(const char *src, const char *want)
{
	char err[300] = "";
	struct tmpl_set *s = tmpl_set_new();
	cr_expect_eq(tmpl_set_add(s, "page", src, strlen(src), err, sizeof(err)), -1, "accepted: %s", src);
	cr_expect(strstr(err, want) != NULL, "error [%s] lacks [%s]", err, want);
	tmpl_set_free(s);
}

Test(tmpl, syntax_errors_name_the_line)
{
	expect_error("a\nb\n{{#items}}\n{{name}}\n", "page:3: section 'items' is not closed");
	expect_error("{{#a}}\n{{/b}}", "page:2: 'b' is closed while 'a' (line 1) is open");
	expect_error("x\n\n{{/a}}", "page:3: 'a' is closed but was never opened");
	expect_error("line\n{{name", "page:2: tag '{{name' is not closed");
	expect_error("{{=<% %>=}}\n<% %>", "page:2: empty tag name");
	expect_error("{{= x =}}", "page:1: a set-delimiter tag");
}

Test(tmpl, partial_recursion_is_bounded)
{
	char err[300];
	struct tmpl_set *s = tmpl_set_new();
	cr_assert_eq(tmpl_set_add(s, "loop", "x{{>loop}}", 10, err, sizeof(err)), 0);
	struct buf out = BUF_INIT;
	json_t *d = json_object();
	cr_expect_eq(tmpl_render(s, "loop", d, &out), -1);
	json_decref(d);
	cr_expect_eq(out.len, TMPL_MAX_DEPTH + 1);
	cr_expect_eq(tmpl_render(s, "missing", NULL, &out), -1);
	buf_free(&out);
	tmpl_set_free(s);
}

Test(tmpl, load_dir_names_by_relative_path)
{
	char dir[] = "/tmp/herald-tmpl-XXXXXX", err[400];
	cr_assert_not_null(mkdtemp(dir));
	char *sub, *f1, *f2, *cmd;
	cr_assert(asprintf(&sub, "%s/admin", dir) > 0 && asprintf(&f1, "%s/admin/layout.html", dir) > 0 &&
		  asprintf(&f2, "%s/admin/page.txt", dir) > 0);
	cr_assert_eq(mkdir(sub, 0700), 0);
	FILE *f = fopen(f1, "w");
	fputs("<h1>{{$title}}T{{/title}}</h1>\n", f);
	fclose(f);
	f = fopen(f2, "w");
	fputs("{{<admin/layout}}{{$title}}{{name}}{{/title}}{{/admin/layout}}", f);
	fclose(f);
	struct tmpl_set *s = tmpl_set_new();
	cr_assert_eq(tmpl_load_dir(s, dir, err, sizeof(err)), 0, "%s", err);
	cr_expect(tmpl_exists(s, "admin/layout"));
	struct buf out = BUF_INIT;
	json_t *d = json_pack("{s:s}", "name", "<Ops>");
	cr_expect_eq(tmpl_render(s, "admin/page", d, &out), 0);
	cr_expect_str_eq(out.data, "<h1>&lt;Ops&gt;</h1>\n");
	f = fopen(f2, "w");
	fputs("ok\n{{#x}}\n", f);
	fclose(f);
	cr_expect_eq(tmpl_load_dir(s, dir, err, sizeof(err)), -1);
	cr_expect(strstr(err, "admin/page.txt:2: section 'x' is not closed") != NULL, "%s", err);
	json_decref(d);
	buf_free(&out);
	tmpl_set_free(s);
	cr_assert(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
	cr_expect_eq(system(cmd), 0);
	free(cmd);
	free(sub);
	free(f1);
	free(f2);
}
