/* Host tests of the intrusive lists in include/lib/list.h: insertion order,
 * deletion, emptiness, and iteration including deletion while iterating. */
#include "unit.h"

#include <lib/list.h>

struct item {
	int v;
	struct list_head link;
};

/* Renders the list as "1,2,3" and checks every prev link on the way, so a
 * broken back pointer fails even when forward order looks right. */
static const char *render(struct list_head *head, char *buf, size_t size)
{
	struct list_head *pos, *prev = head;
	size_t o = 0;

	buf[0] = '\0';
	list_for_each(pos, head)
	{
		if (pos->prev != prev)
			return "<bad prev link>";
		o += snprintf(buf + o, size - o, "%s%d", o ? "," : "",
			      list_entry(pos, struct item, link)->v);
		if (o >= size)
			return "<too long>";
		prev = pos;
	}
	if (head->prev != prev)
		return "<bad head prev link>";
	return buf;
}

#define CHECK_LIST(name, head, want)                                           \
	do {                                                                   \
		char _buf[128];                                                \
		CHECK_EQ_STR(name, render(head, _buf, sizeof(_buf)), want);    \
	} while (0)

static void test_add(void)
{
	LIST_HEAD(h);
	struct item it[4];

	for (int i = 0; i < 4; i++)
		it[i].v = i;
	CHECK("list_static_init_empty", list_empty(&h));
	CHECK_LIST("list_empty_renders", &h, "");
	list_add(&it[0].link, &h);
	CHECK("list_not_empty", !list_empty(&h));
	list_add(&it[1].link, &h);
	list_add(&it[2].link, &h);
	CHECK_LIST("list_add_is_stack_order", &h, "2,1,0");
	list_add_tail(&it[3].link, &h);
	CHECK_LIST("list_add_tail_appends", &h, "2,1,0,3");
	CHECK_EQ_INT("list_first_entry",
		     list_first_entry(&h, struct item, link)->v, 2);
}

static void test_del(void)
{
	struct list_head h;
	struct item it[5];

	list_init(&h);
	CHECK("list_init_empty", list_empty(&h));
	for (int i = 0; i < 5; i++) {
		it[i].v = i;
		list_add_tail(&it[i].link, &h);
	}
	CHECK_LIST("list_add_tail_queue_order", &h, "0,1,2,3,4");
	list_del(&it[2].link);
	CHECK_LIST("list_del_middle", &h, "0,1,3,4");
	CHECK("list_del_self_linked", list_empty(&it[2].link));
	list_del(&it[2].link); /* documented as harmless */
	CHECK_LIST("list_del_twice_harmless", &h, "0,1,3,4");
	list_del(&it[0].link);
	CHECK_LIST("list_del_first", &h, "1,3,4");
	list_del(&it[4].link);
	CHECK_LIST("list_del_last", &h, "1,3");
	list_del(&it[1].link);
	list_del(&it[3].link);
	CHECK("list_del_all_empty", list_empty(&h));
	CHECK_LIST("list_del_all_renders", &h, "");
	/* A deleted element can go straight onto another list. */
	list_add(&it[3].link, &h);
	CHECK_LIST("list_reuse_after_del", &h, "3");
}

static void test_iterate(void)
{
	LIST_HEAD(h);
	struct item it[6], *pos, *tmp;
	struct list_head *p, *t;
	int sum = 0, n = 0;

	for (int i = 0; i < 6; i++) {
		it[i].v = i + 1;
		list_add_tail(&it[i].link, &h);
	}
	list_for_each_entry(pos, &h, link)
	{
		sum = sum * 10 + pos->v;
		n++;
	}
	CHECK_EQ_INT("list_for_each_entry_order", sum, 123456);
	CHECK_EQ_INT("list_for_each_entry_count", n, 6);

	/* Deleting the current element must not derail the walk. */
	list_for_each_entry_safe(pos, tmp, &h, link)
	{
		if (pos->v % 2 == 0)
			list_del(&pos->link);
	}
	CHECK_LIST("list_for_each_entry_safe_del_even", &h, "1,3,5");

	list_for_each_safe(p, t, &h)
	{
		if (list_entry(p, struct item, link)->v != 3)
			list_del(p);
	}
	CHECK_LIST("list_for_each_safe_del", &h, "3");

	list_for_each_entry_safe(pos, tmp, &h, link) list_del(&pos->link);
	CHECK("list_for_each_entry_safe_del_all", list_empty(&h));

	n = 0;
	list_for_each_entry(pos, &h, link) n++;
	CHECK_EQ_INT("list_for_each_entry_empty", n, 0);
}

int main(void)
{
	test_add();
	test_del();
	test_iterate();
	return unit_done();
}
