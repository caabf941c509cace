/* Unit test of the dashboard template's provider-health and running-mailings sections with data
 * (the server under test sends nothing to a provider, so the integration tests see them empty). */
#include <criterion/criterion.h>
#include "unit.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "i18n.h"
#include "tmpl.h"

Test(dashboard_tmpl, provider_health_and_running_mailings)
{
	char dir[4096], err[256];
	unit_path(dir, sizeof(dir), "templates");
	struct tmpl_set *s = tmpl_set_new();
	cr_assert_eq(tmpl_load_dir(s, dir, err, sizeof(err)), 0, "%s", err);
	unit_catalogues();
	json_t *data = json_loads(
	    "{\"stats\": {\"messages\": {\"total\": 1}, \"mailings\": {\"total\": 1}},"
	    " \"running\": [{\"id\": 7, \"excerpt\": \"<i>hi</i>\", \"end_at\": \"2099-01-01 10:00 UTC\","
	    "  \"sent\": 3, \"failed\": 1, \"total\": 10, \"max\": 10}], \"none_running\": false,"
	    " \"provider\": {\"requests\": 40, \"any\": true, \"error_rate\": \"12.5\","
	    "  \"results\": [{\"name\": \"ok\", \"n\": 35, \"bad\": false}, {\"name\": \"timeout\", \"n\": 5, \"bad\": true}],"
	    "  \"latency\": [{\"label\": \"≤ 50 ms\", \"n\": 30, \"pct\": 75}]}}", 0, NULL);
	json_object_set(data, "t", i18n_catalogue("en"));   /* admin_page's catalogue */
	struct buf out = BUF_INIT;
	cr_assert_eq(tmpl_render(s, "admin/dashboard", data, &out), 0);
	cr_expect(strstr(out.data, "<span class=\"n\">12.5%</span> not ok"), "%s", out.data);
	cr_expect(strstr(out.data, "<li class=\"stat bad\"><span class=\"n\">5</span> timeout</li>"));
	cr_expect(strstr(out.data, "<td>≤ 50 ms</td><td>30</td><td><progress value=\"75\" max=\"100\"></progress> 75%</td>"));
	cr_expect(strstr(out.data, "<a href=\"/admin/mailings/7\">Mailing 7</a>"));
	cr_expect(strstr(out.data, "&lt;i&gt;hi&lt;"));
	cr_expect(strstr(out.data, "3 / 10 sent, 1 failed"));
	cr_expect_null(strstr(out.data, "No mailing is running"));
	buf_free(&out);
	json_decref(data);
	tmpl_set_free(s);
}
