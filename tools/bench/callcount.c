/* callcount.c — an LD_PRELOAD library that counts, in a running vgpufs, the calls its own
 * code makes that an operation's cost is made of: libvirt domain lookups, GetXMLDesc and
 * DefineXML, libxml2 parses and serialisations, sqlite transactions, and files opened
 * under the sysfs root. Calls libvirt makes internally (its test driver parses XML too)
 * are not counted: only calls whose caller is in the vgpufs executable.
 *
 * It works on any build, old or new, so one figure (calls per `echo > group`) can be
 * compared across versions. The counters live in a file that CALLCOUNT_FILE names
 * (an array of `unsigned long`, in the order of enum counter), mapped shared, so a
 * benchmark reads them before and after an operation while the daemon runs.
 * CALLCOUNT_SYSFS names the sysfs root whose opens are counted. */
#undef _FILE_OFFSET_BITS /* open and open64 are wrapped one by one */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum counter {
	LOOKUP_BY_NAME, LOOKUP_BY_UUID, GET_XML_DESC, DEFINE_XML, XML_PARSE, XML_SERIALISE,
	SQL_TRANSACTION, SYSFS_OPEN, N_COUNTERS
};

static unsigned long *counters;
static char sysfs_root[4096];
static size_t sysfs_root_len;

__attribute__((constructor)) static void callcount_init(void)
{
	const char *file = getenv("CALLCOUNT_FILE"), *root = getenv("CALLCOUNT_SYSFS");
	size_t size = N_COUNTERS * sizeof(*counters);
	int fd;

	if (root && strlen(root) < sizeof(sysfs_root)) {
		strcpy(sysfs_root, root);
		sysfs_root_len = strlen(root);
	}
	if (!file || (fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return;
	if (ftruncate(fd, (off_t)size) == 0) {
		void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (map != MAP_FAILED)
			counters = map;
	}
	close(fd);
}

/* True when the call came from the program itself, not from a library. */
static bool from_program(const void *caller)
{
	Dl_info info;
	struct link_map *map;

	if (!dladdr1(caller, &info, (void **)&map, RTLD_DL_LINKMAP))
		return false;
	return map && map->l_name && !map->l_name[0]; /* the main program's name is "" */
}

static void count(enum counter c, const void *caller)
{
	if (counters && from_program(caller))
		__atomic_add_fetch(&counters[c], 1, __ATOMIC_RELAXED);
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

/* libvirt: declared here so that no libvirt header is needed */
typedef struct _virConnect *virConnectPtr;
typedef struct _virDomain *virDomainPtr;
virDomainPtr virDomainLookupByName(virConnectPtr conn, const char *name);
virDomainPtr virDomainLookupByUUIDString(virConnectPtr conn, const char *uuid);
char *virDomainGetXMLDesc(virDomainPtr domain, unsigned int flags);
virDomainPtr virDomainDefineXML(virConnectPtr conn, const char *xml);

virDomainPtr virDomainLookupByName(virConnectPtr conn, const char *name)
{
	count(LOOKUP_BY_NAME, __builtin_return_address(0));
	return NEXT(virDomainLookupByName)(conn, name);
}

virDomainPtr virDomainLookupByUUIDString(virConnectPtr conn, const char *uuid)
{
	count(LOOKUP_BY_UUID, __builtin_return_address(0));
	return NEXT(virDomainLookupByUUIDString)(conn, uuid);
}

char *virDomainGetXMLDesc(virDomainPtr domain, unsigned int flags)
{
	count(GET_XML_DESC, __builtin_return_address(0));
	return NEXT(virDomainGetXMLDesc)(domain, flags);
}

virDomainPtr virDomainDefineXML(virConnectPtr conn, const char *xml)
{
	count(DEFINE_XML, __builtin_return_address(0));
	return NEXT(virDomainDefineXML)(conn, xml);
}

/* libxml2 */
typedef struct _xmlParserCtxt *xmlParserCtxtPtr;
typedef struct _xmlDoc *xmlDocPtr;
typedef struct _xmlSaveCtxt *xmlSaveCtxtPtr;
xmlDocPtr xmlCtxtReadMemory(xmlParserCtxtPtr ctxt, const char *buffer, int size,
			    const char *url, const char *encoding, int options);
xmlDocPtr xmlReadMemory(const char *buffer, int size, const char *url, const char *encoding,
			int options);
long xmlSaveDoc(xmlSaveCtxtPtr ctxt, xmlDocPtr doc);

xmlDocPtr xmlCtxtReadMemory(xmlParserCtxtPtr ctxt, const char *buffer, int size,
			    const char *url, const char *encoding, int options)
{
	count(XML_PARSE, __builtin_return_address(0));
	return NEXT(xmlCtxtReadMemory)(ctxt, buffer, size, url, encoding, options);
}

xmlDocPtr xmlReadMemory(const char *buffer, int size, const char *url, const char *encoding,
			int options)
{
	count(XML_PARSE, __builtin_return_address(0));
	return NEXT(xmlReadMemory)(buffer, size, url, encoding, options);
}

long xmlSaveDoc(xmlSaveCtxtPtr ctxt, xmlDocPtr doc)
{
	count(XML_SERIALISE, __builtin_return_address(0));
	return NEXT(xmlSaveDoc)(ctxt, doc);
}

/* sqlite: a transaction is a BEGIN the program runs */
typedef struct sqlite3 sqlite3;
int sqlite3_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **),
		 void *arg, char **errmsg);

int sqlite3_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **),
		 void *arg, char **errmsg)
{
	if (sql && !strncasecmp(sql, "BEGIN", 5))
		count(SQL_TRANSACTION, __builtin_return_address(0));
	return NEXT(sqlite3_exec)(db, sql, cb, arg, errmsg);
}

/* files under the sysfs root, opened by the program (libpci's opens are its own) */
static void count_open(const char *path, const void *caller)
{
	if (sysfs_root_len && path && !strncmp(path, sysfs_root, sysfs_root_len) &&
	    (path[sysfs_root_len] == '/' || !path[sysfs_root_len]))
		count(SYSFS_OPEN, caller);
}

/* open and open64 take a mode only with these flags: pass it on only then. */
#define WRAP_OPEN(name)                                                     \
	int name(const char *path, int flags, ...)                          \
	{                                                                   \
		mode_t mode = 0;                                            \
		va_list ap;                                                 \
									    \
		if (flags & (O_CREAT | O_TMPFILE)) {                        \
			va_start(ap, flags);                                \
			mode = va_arg(ap, mode_t);                          \
			va_end(ap);                                         \
		}                                                           \
		count_open(path, __builtin_return_address(0));              \
		return NEXT(name)(path, flags, mode);                       \
	}
WRAP_OPEN(open)
WRAP_OPEN(open64)

FILE *fopen(const char *path, const char *mode)
{
	count_open(path, __builtin_return_address(0));
	return NEXT(fopen)(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	count_open(path, __builtin_return_address(0));
	return NEXT(fopen64)(path, mode);
}

DIR *opendir(const char *path)
{
	count_open(path, __builtin_return_address(0));
	return NEXT(opendir)(path);
}
