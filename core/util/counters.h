/* counters.h — operation counters: how many times, since the process started, the engine
 * did one of the things an operation's cost is made of (a sysfs file opened, a call to
 * the libvirt daemon, a domain XML parsed or written, a sqlite transaction).
 *
 * They count work, not time, so a figure holds on any machine: tests and benchmarks
 * read them before and after an operation and assert on the difference
 * (/vgpu/host/counters, docs/tree.md). Each kind is counted in one place, at the lowest
 * level that does it (util.c's file helpers, virt.c's wrappers, domxml.c's parse and
 * serialise, store.c's commit), so nothing is counted twice.
 *
 * Process-wide and lock-free: count() is a relaxed atomic increment, callable from any
 * thread, with or without the engine lock. */
#ifndef VGPUFS_COUNTERS_H
#define VGPUFS_COUNTERS_H

/* The order is the order of host/counters; a name, once published, keeps its meaning. */
enum counter {
	COUNT_SYSFS_READS,          /* a sysfs file, link or directory opened for reading */
	COUNT_SYSFS_WRITES,         /* a sysfs file opened for writing */
	COUNT_LIBVIRT_LOOKUPS,      /* virDomainLookupBy* */
	COUNT_LIBVIRT_GET_XML,      /* virDomainGetXMLDesc */
	COUNT_LIBVIRT_DEFINES,      /* virDomainDefineXML */
	COUNT_LIBVIRT_LISTS,        /* virConnectGetAllDomainStats, virConnectListAllDomains */
	COUNT_LIBVIRT_OTHER,        /* any other call to the daemon (state, start, stop, …) */
	COUNT_XML_PARSES,           /* a domain XML parsed */
	COUNT_XML_SERIALISATIONS,   /* a domain XML written out */
	COUNT_SQL_TRANSACTIONS,     /* a sqlite transaction committed */
	COUNT_SQL_ROLLBACKS,        /* a sqlite transaction rolled back */
	COUNTERS
};

/* The stable snake_case name of each counter ("sysfs_reads"), indexed by enum counter. */
extern const char *const counter_names[COUNTERS];

void count(enum counter c);
unsigned long long counter_get(enum counter c);

#endif
