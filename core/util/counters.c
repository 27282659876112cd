/* counters.c — see counters.h. */
#include "counters.h"

#include <assert.h>
#include <stdatomic.h>

const char *const counter_names[COUNTERS] = {
	[COUNT_SYSFS_READS] = "sysfs_reads",
	[COUNT_SYSFS_WRITES] = "sysfs_writes",
	[COUNT_LIBVIRT_LOOKUPS] = "libvirt_lookups",
	[COUNT_LIBVIRT_GET_XML] = "libvirt_get_xml",
	[COUNT_LIBVIRT_DEFINES] = "libvirt_defines",
	[COUNT_LIBVIRT_LISTS] = "libvirt_lists",
	[COUNT_LIBVIRT_OTHER] = "libvirt_other",
	[COUNT_XML_PARSES] = "xml_parses",
	[COUNT_XML_SERIALISATIONS] = "xml_serialisations",
	[COUNT_SQL_TRANSACTIONS] = "sql_transactions",
	[COUNT_SQL_ROLLBACKS] = "sql_rollbacks",
};

static _Atomic unsigned long long counters[COUNTERS];

void count(enum counter c)
{
	assert(c < COUNTERS);
	atomic_fetch_add_explicit(&counters[c], 1, memory_order_relaxed);
}

unsigned long long counter_get(enum counter c)
{
	assert(c < COUNTERS);
	return atomic_load_explicit(&counters[c], memory_order_relaxed);
}
