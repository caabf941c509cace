/* Unit tests of pool.c: memory and objects registered in a request pool are disposed of at
 * release, newest first, and the pool is usable again after. */
#include <criterion/criterion.h>
#include <string.h>
#include "pool.h"

static int order[4], norder;

static void note(void *obj)
{
	order[norder++] = *(int *)obj;
}

Test(pool, disposes_newest_first)
{
	static int one = 1, two = 2, three = 3;
	struct pool p = {NULL};
	norder = 0;
	pool_defer(&p, note, &one);
	pool_defer(&p, note, &two);
	pool_defer(&p, note, &three);
	pool_release(&p);
	cr_assert_eq(norder, 3);
	cr_assert(order[0] == 3 && order[1] == 2 && order[2] == 1);
	cr_assert_null(p.items);
	pool_defer(&p, note, &one);
	pool_release(&p);
	cr_assert_eq(norder, 4);
}

Test(pool, memory_and_strings)
{
	struct pool p = {NULL};
	unsigned char *z = pool_alloc(&p, 64);
	for (int i = 0; i < 64; i++)
		cr_assert_eq(z[i], 0);
	cr_assert_str_eq(pool_strdup(&p, "operator"), "operator");
	cr_assert_str_eq(pool_printf(&p, "%s %d", "tag", 7), "tag 7");
	pool_release(&p);
}

Test(pool, json_reference_dropped_at_release)
{
	struct pool p = {NULL};
	json_t *v = json_object();
	json_incref(v);
	cr_assert_eq(pool_json(&p, v), v);
	cr_assert_null(pool_json(&p, NULL));
	cr_assert_null(pool_pg(&p, NULL));
	pool_release(&p);
	cr_assert_eq(v->refcount, 1);
	json_decref(v);
}
