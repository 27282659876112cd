/* domxml.c — edits a libvirt domain's XML so that it holds exactly the vGPUs and
 * guest-driver ISOs vgpufs owns (see domxml.h).
 *
 * Ownership is one element of our own namespace under <metadata> (the "record"):
 *   <vgpufs:devices xmlns:vgpufs="…">
 *     <vgpufs:device name="gpu0" cdrom="/path/to.iso or empty">
 *       <vgpufs:vgpu kind="mdev|vf" uuid="…" vf="(VFs only)" gpu="…" profile="…"/>
 * plus cdrom-target="sdX" on a device with a cdrom: the same ISO may also be attached by
 * someone else, and the target tells which disk is ours. Devices sharing an ISO share
 * one disk.
 *
 * An edit reads the record, removes the devices it names, adds the requested set and
 * rewrites the record. Removal matches devices the way libvirt writes them back after a
 * define (extra attributes such as managed='no', an <alias>, a guest <address> are
 * ignored), so it works on the XML libvirt returns and not only on what we wrote.
 *
 * Everything else is left as parsed. Only indentation changes: blank text nodes are
 * dropped on parse and the output is re-indented, which libvirt does on every define
 * anyway; text content, comments and the order of elements are kept. */
#include "domxml.h"
#include "counters.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

/* NOERROR/NOWARNING: libxml2 must not print; its message is taken from the context. */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
		       XML_PARSE_NOBLANKS)

static inline void xml_free_docp(xmlDoc **p) { if (*p) xmlFreeDoc(*p); }
static inline void xml_free_nodep(xmlNode **p) { if (*p) xmlFreeNode(*p); }
static inline void xml_freep(xmlChar **p) { if (*p) xmlFree(*p); }
static inline void xml_buffer_freep(xmlBuffer **p) { if (*p) xmlBufferFree(*p); }
static inline void xml_parser_ctxt_freep(xmlParserCtxt **p) { if (*p) xmlFreeParserCtxt(*p); }
#define _cleanup_xml_doc_ __attribute__((cleanup(xml_free_docp)))
#define _cleanup_xml_node_ __attribute__((cleanup(xml_free_nodep)))
#define _cleanup_xml_free_ __attribute__((cleanup(xml_freep)))
#define _cleanup_xml_buffer_ __attribute__((cleanup(xml_buffer_freep)))
#define _cleanup_xml_parser_ctxt_ __attribute__((cleanup(xml_parser_ctxt_freep)))

/* The parts of a domain document this module works on; any may be NULL but root. */
struct domain {
	xmlNode *root, *devices, *metadata, *record;
};

/* Size of a disk target name such as "sdb" (libvirt's own targets may be longer). */
#define TARGET_MAX 16

/* A record as read back from a domain; devices[i].vgpus point into vgpus, and
 * cdrom_targets[i] is device i's cdrom-target ("" when not recorded). */
struct owned {
	struct domxml_device *devices;
	char (*cdrom_targets)[TARGET_MAX];
	size_t n_devices;
	struct domxml_vgpu *vgpus;
	size_t n_vgpus;
};

static void owned_free(struct owned *o)
{
	free(o->devices);
	free(o->cdrom_targets);
	free(o->vgpus);
}
#define _cleanup_owned_ __attribute__((cleanup(owned_free)))

struct pci_address {
	unsigned domain, bus, slot, function;
};

static int set_error(char *err, size_t err_size, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Writes a message to err (if any) and returns r, for `return set_error(…)`. */
static int set_error(char *err, size_t err_size, int r, const char *fmt, ...)
{
	va_list ap;

	if (err && err_size) {
		va_start(ap, fmt);
		vsnprintf(err, err_size, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* ---- small libxml2 helpers ---- */

/* A libvirt element: the name, in no namespace. */
static bool is_element(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !n->ns && xmlStrEqual(n->name, BAD_CAST name);
}

/* One of our elements: the name, in DOMXML_NS whatever its prefix. */
static bool is_ours(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns &&
	       xmlStrEqual(n->ns->href, BAD_CAST DOMXML_NS) && xmlStrEqual(n->name, BAD_CAST name);
}

static xmlNode *first_child(xmlNode *parent, const char *name)
{
	for (xmlNode *n = parent->children; n; n = n->next)
		if (is_element(n, name))
			return n;
	return NULL;
}

static bool attr_equal(xmlNode *n, const char *name, const char *value, bool ignore_case)
{
	_cleanup_xml_free_ xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);

	if (!v)
		return false;
	return ignore_case ? strcasecmp((const char *)v, value) == 0
			   : strcmp((const char *)v, value) == 0;
}

/* Reads a number the way libvirt does (base 0: "0xc1", "193"). -ENOENT when absent. */
static int attr_number(xmlNode *n, const char *name, unsigned *out)
{
	_cleanup_xml_free_ xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
	unsigned long x;
	char *end;

	if (!v)
		return -ENOENT;
	errno = 0;
	x = strtoul((const char *)v, &end, 0);
	if (errno || end == (char *)v || *end || x > UINT_MAX)
		return -EINVAL;
	*out = (unsigned)x;
	return 0;
}

/* Sets name/value pairs given as a NULL-terminated list. */
static int set_attrs(xmlNode *n, ...)
{
	const char *name, *value;
	va_list ap;
	int r = 0;

	va_start(ap, n);
	while ((name = va_arg(ap, const char *))) {
		value = va_arg(ap, const char *);
		if (!xmlSetProp(n, BAD_CAST name, BAD_CAST value)) {
			r = -ENOMEM;
			break;
		}
	}
	va_end(ap);
	return r;
}

static void node_delete(xmlNode *n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

/* Drops parent's blank text children. XML_PARSE_NOBLANKS keeps some of them beside
 * non-blank text (a heuristic that depends on the neighbours), so an edit that removes
 * and re-adds our elements would move whitespace around and never read back the same. */
static void blanks_drop(xmlNode *parent)
{
	xmlNode *next;

	for (xmlNode *n = parent ? parent->children : NULL; n; n = next) {
		next = n->next;
		if (xmlIsBlankNode(n))
			node_delete(n);
	}
}

/* Whether parent holds nothing but blank text. */
static bool only_blanks(xmlNode *parent)
{
	for (xmlNode *n = parent->children; n; n = n->next)
		if (!xmlIsBlankNode(n))
			return false;
	return true;
}

/* ---- values ---- */

/* "0000:c1:00.4", as sysfs names PCI functions. */
static int pci_address_parse(const char *s, struct pci_address *a)
{
	static const char shape[] = "xxxx:xx:xx.x";

	if (strlen(s) != sizeof(shape) - 1)
		return -EINVAL;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != shape[i])
			return -EINVAL;
	if (sscanf(s, "%x:%x:%x.%x", &a->domain, &a->bus, &a->slot, &a->function) != 4)
		return -EINVAL;
	return a->slot <= 0x1f && a->function <= 7 ? 0 : -EINVAL;
}

static bool uuid_valid(const char *s)
{
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return s[36] == '\0';
}

static bool field_terminated(const char *field, size_t size)
{
	return strnlen(field, size) < size;
}

/* ---- matching what is in <devices> ---- */

/* The <source><address> of a subsystem hostdev of this type, or NULL. */
static xmlNode *hostdev_source_address(xmlNode *n, const char *type)
{
	xmlNode *source;
	_cleanup_xml_free_ xmlChar *mode = NULL;

	if (!is_element(n, "hostdev") || !attr_equal(n, "type", type, false))
		return NULL;
	mode = xmlGetNoNsProp(n, BAD_CAST "mode");  /* libvirt's default is subsystem */
	if (mode && !xmlStrEqual(mode, BAD_CAST "subsystem"))
		return NULL;
	source = first_child(n, "source");
	return source ? first_child(source, "address") : NULL;
}

static bool hostdev_is_pci(xmlNode *n, const struct pci_address *want)
{
	xmlNode *address = hostdev_source_address(n, "pci");
	struct pci_address a = {};

	if (!address)
		return false;
	if (attr_number(address, "domain", &a.domain) == -EINVAL ||  /* absent means 0 */
	    attr_number(address, "bus", &a.bus) < 0 ||
	    attr_number(address, "slot", &a.slot) < 0 ||
	    attr_number(address, "function", &a.function) < 0)
		return false;
	return a.domain == want->domain && a.bus == want->bus && a.slot == want->slot &&
	       a.function == want->function;
}

/* Whether n is the hostdev of v: mdev by UUID (any case), VF by PCI address. */
static bool hostdev_matches(xmlNode *n, const struct domxml_vgpu *v)
{
	struct pci_address a;
	xmlNode *address;

	if (v->kind == DOMXML_MDEV) {
		address = hostdev_source_address(n, "mdev");
		return address && attr_equal(address, "uuid", v->uuid, true);
	}
	return pci_address_parse(v->vf_bdf, &a) == 0 && hostdev_is_pci(n, &a);
}

static xmlNode *hostdev_find(xmlNode *devices, const struct domxml_vgpu *v)
{
	for (xmlNode *n = devices->children; n; n = n->next)
		if (hostdev_matches(n, v))
			return n;
	return NULL;
}

static bool disk_is_cdrom_of(xmlNode *n, const char *path)
{
	xmlNode *source;

	if (!is_element(n, "disk") || !attr_equal(n, "device", "cdrom", false))
		return false;
	source = first_child(n, "source");
	return source && attr_equal(source, "file", path, false);
}

static bool disk_has_target(xmlNode *disk, const char *dev)
{
	xmlNode *target = first_child(disk, "target");

	return target && attr_equal(target, "dev", dev, false);
}

static bool disk_target_used(xmlNode *devices, const char *dev)
{
	for (xmlNode *n = devices->children; n; n = n->next)
		if (is_element(n, "disk") && disk_has_target(n, dev))
			return true;
	return false;
}

/* Our cdrom of this ISO: the one on the recorded target; failing that (none recorded, or
 * moved by hand) the last one, as ours are appended. */
static xmlNode *cdrom_find(xmlNode *devices, const char *path, const char *target)
{
	xmlNode *last = NULL;

	for (xmlNode *n = devices->children; n; n = n->next) {
		if (!disk_is_cdrom_of(n, path))
			continue;
		if (target[0] && disk_has_target(n, target))
			return n;
		last = n;
	}
	return last;
}

/* The first sd[a-z] no disk of the domain uses. */
static int cdrom_target_pick(xmlNode *devices, char target[TARGET_MAX])
{
	for (char c = 'a'; c <= 'z'; c++) {
		snprintf(target, TARGET_MAX, "sd%c", c);
		if (!disk_target_used(devices, target))
			return 0;
	}
	return -ENOSPC;
}

/* Devices sharing an ISO share one cdrom: only the first of them adds or removes it. */
static bool cdrom_seen_before(const struct domxml_device *devices, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(devices[j].cdrom, devices[i].cdrom) == 0)
			return true;
	return false;
}

/* ---- parsing ---- */

/* Parses a domain document and finds its parts. libxml2's message goes to err. */
static int domain_parse(const char *xml, xmlDoc **doc, struct domain *dom,
			char *err, size_t err_size)
{
	_cleanup_xml_parser_ctxt_ xmlParserCtxt *ctxt = NULL;
	const xmlError *e;
	size_t len = strlen(xml), msg_len;

	if (len > INT_MAX)
		return set_error(err, err_size, -EINVAL, "domain XML too large");
	xmlInitParser();
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return -ENOMEM;
	count(COUNT_XML_PARSES);
	*doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL, PARSE_OPTIONS);
	if (!*doc) {
		e = xmlCtxtGetLastError(ctxt);
		if (e && e->code == XML_ERR_NO_MEMORY)
			return -ENOMEM;
		if (!e || !e->message)
			return set_error(err, err_size, -EINVAL, "malformed domain XML");
		msg_len = strcspn(e->message, "\n");
		return set_error(err, err_size, -EINVAL, "malformed domain XML: line %d: %.*s",
				 e->line, (int)msg_len, e->message);
	}

	*dom = (struct domain){ .root = xmlDocGetRootElement(*doc) };
	if (!dom->root || !is_element(dom->root, "domain"))
		return set_error(err, err_size, -EINVAL, "not a domain XML: root is <%s>",
				 dom->root ? (const char *)dom->root->name : "");
	dom->devices = first_child(dom->root, "devices");
	dom->metadata = first_child(dom->root, "metadata");
	blanks_drop(dom->devices);
	blanks_drop(dom->metadata);
	if (dom->metadata)
		for (xmlNode *n = dom->metadata->children; n && !dom->record; n = n->next)
			if (is_ours(n, "devices"))
				dom->record = n;
	return 0;
}

/* Copies attribute name of element n into buf; "" when absent and not required. */
static int record_attr(xmlNode *n, const char *name, bool required, char *buf, size_t size,
		       char *err, size_t err_size)
{
	_cleanup_xml_free_ xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);

	if (!v) {
		buf[0] = '\0';
		return required ? set_error(err, err_size, -EINVAL,
					    "vgpufs metadata: <%s> without %s", n->name, name)
				: 0;
	}
	if (str_copy(buf, size, (const char *)v) < 0)
		return set_error(err, err_size, -EINVAL, "vgpufs metadata: %s too long: %s",
				 name, (const char *)v);
	return 0;
}

static int record_vgpu_parse(xmlNode *n, struct domxml_vgpu *v, char *err, size_t err_size)
{
	struct pci_address a;
	char kind[8];
	int r;

	r = record_attr(n, "kind", true, kind, sizeof(kind), err, err_size);
	if (r < 0)
		return r;
	if (strcmp(kind, "mdev") == 0)
		v->kind = DOMXML_MDEV;
	else if (strcmp(kind, "vf") == 0)
		v->kind = DOMXML_VF;
	else
		return set_error(err, err_size, -EINVAL, "vgpufs metadata: unknown kind '%s'", kind);
	if ((r = record_attr(n, "uuid", true, v->uuid, sizeof(v->uuid), err, err_size)) < 0 ||
	    (r = record_attr(n, "vf", v->kind == DOMXML_VF, v->vf_bdf, sizeof(v->vf_bdf),
			     err, err_size)) < 0 ||
	    (r = record_attr(n, "gpu", false, v->gpu, sizeof(v->gpu), err, err_size)) < 0 ||
	    (r = record_attr(n, "profile", false, v->profile, sizeof(v->profile),
			     err, err_size)) < 0)
		return r;
	if (v->kind == DOMXML_VF && pci_address_parse(v->vf_bdf, &a) < 0)
		return set_error(err, err_size, -EINVAL, "vgpufs metadata: bad VF address '%s'",
				 v->vf_bdf);
	return 0;
}

/* Fills d and its cdrom target from a <vgpufs:device>; its vgpus go to the array at
 * vgpus. */
static int record_device_parse(xmlNode *n, struct domxml_device *d, char target[TARGET_MAX],
			       struct domxml_vgpu *vgpus, char *err, size_t err_size)
{
	size_t count = 0;
	int r;

	if ((r = record_attr(n, "name", true, d->name, sizeof(d->name), err, err_size)) < 0 ||
	    (r = record_attr(n, "cdrom", false, d->cdrom, sizeof(d->cdrom), err, err_size)) < 0 ||
	    (r = record_attr(n, "cdrom-target", false, target, TARGET_MAX, err, err_size)) < 0)
		return r;
	for (xmlNode *g = n->children; g; g = g->next) {
		if (!is_ours(g, "vgpu"))
			continue;
		r = record_vgpu_parse(g, &vgpus[count], err, err_size);
		if (r < 0)
			return r;
		count++;
	}
	d->vgpus = vgpus;
	d->n_vgpus = count;
	return 0;
}

/* Reads our record. Elements of our namespace this version does not know are skipped. */
static int record_parse(xmlNode *record, struct owned *o, char *err, size_t err_size)
{
	size_t n_devices = 0, n_vgpus = 0;
	int r;

	for (xmlNode *d = record->children; d; d = d->next) {
		if (!is_ours(d, "device"))
			continue;
		n_devices++;
		for (xmlNode *g = d->children; g; g = g->next)
			n_vgpus += is_ours(g, "vgpu");
	}
	o->devices = calloc(n_devices ? n_devices : 1, sizeof(*o->devices));
	o->cdrom_targets = calloc(n_devices ? n_devices : 1, sizeof(*o->cdrom_targets));
	o->vgpus = calloc(n_vgpus ? n_vgpus : 1, sizeof(*o->vgpus));
	if (!o->devices || !o->cdrom_targets || !o->vgpus)
		return -ENOMEM;

	for (xmlNode *d = record->children; d; d = d->next) {
		struct domxml_device *dev = &o->devices[o->n_devices];

		if (!is_ours(d, "device"))
			continue;
		r = record_device_parse(d, dev, o->cdrom_targets[o->n_devices],
					o->vgpus + o->n_vgpus, err, err_size);
		if (r < 0)
			return r;
		o->n_devices++;
		o->n_vgpus += dev->n_vgpus;
	}
	return 0;
}

/* ---- building ---- */

static int hostdev_new(const struct domxml_vgpu *v, xmlNode **ret)
{
	_cleanup_xml_node_ xmlNode *hostdev = xmlNewNode(NULL, BAD_CAST "hostdev");
	xmlNode *source, *address;
	char domain[8], bus[8], slot[8], function[8];
	struct pci_address a;
	int r;

	if (!hostdev ||
	    !(source = xmlNewChild(hostdev, NULL, BAD_CAST "source", NULL)) ||
	    !(address = xmlNewChild(source, NULL, BAD_CAST "address", NULL)))
		return -ENOMEM;
	if (v->kind == DOMXML_MDEV) {
		r = set_attrs(hostdev, "mode", "subsystem", "type", "mdev", "model", "vfio-pci",
			      "display", "off", NULL);
		if (r >= 0)
			r = set_attrs(address, "uuid", v->uuid, NULL);
	} else {
		r = pci_address_parse(v->vf_bdf, &a);
		if (r < 0)
			return r;
		snprintf(domain, sizeof(domain), "0x%04x", a.domain);
		snprintf(bus, sizeof(bus), "0x%02x", a.bus);
		snprintf(slot, sizeof(slot), "0x%02x", a.slot);
		snprintf(function, sizeof(function), "0x%x", a.function);
		r = set_attrs(hostdev, "mode", "subsystem", "type", "pci", "managed", "no", NULL);
		if (r >= 0)
			r = set_attrs(address, "domain", domain, "bus", bus, "slot", slot,
				      "function", function, NULL);
	}
	if (r < 0)
		return r;
	*ret = hostdev;
	hostdev = NULL;
	return 0;
}

static int cdrom_new(const char *path, const char *target, xmlNode **ret)
{
	_cleanup_xml_node_ xmlNode *disk = xmlNewNode(NULL, BAD_CAST "disk");
	xmlNode *driver, *source, *target_node;

	if (!disk ||
	    !(driver = xmlNewChild(disk, NULL, BAD_CAST "driver", NULL)) ||
	    !(source = xmlNewChild(disk, NULL, BAD_CAST "source", NULL)) ||
	    !(target_node = xmlNewChild(disk, NULL, BAD_CAST "target", NULL)) ||
	    !xmlNewChild(disk, NULL, BAD_CAST "readonly", NULL))
		return -ENOMEM;
	if (set_attrs(disk, "type", "file", "device", "cdrom", NULL) < 0 ||
	    set_attrs(driver, "name", "qemu", "type", "raw", NULL) < 0 ||
	    set_attrs(source, "file", path, NULL) < 0 ||
	    set_attrs(target_node, "dev", target, "bus", "sata", NULL) < 0)
		return -ENOMEM;
	*ret = disk;
	disk = NULL;
	return 0;
}

static int record_vgpu_add(xmlNode *parent, xmlNs *ns, const struct domxml_vgpu *v)
{
	xmlNode *n = xmlNewChild(parent, ns, BAD_CAST "vgpu", NULL);

	if (!n)
		return -ENOMEM;
	if (set_attrs(n, "kind", v->kind == DOMXML_VF ? "vf" : "mdev", "uuid", v->uuid, NULL) < 0 ||
	    (v->kind == DOMXML_VF && set_attrs(n, "vf", v->vf_bdf, NULL) < 0) ||
	    set_attrs(n, "gpu", v->gpu, "profile", v->profile, NULL) < 0)
		return -ENOMEM;
	return 0;
}

static int record_new(const struct domxml_device *devices,
		      const char (*cdrom_targets)[TARGET_MAX], size_t n_devices, xmlNode **ret)
{
	_cleanup_xml_node_ xmlNode *record = xmlNewNode(NULL, BAD_CAST "devices");
	xmlNs *ns;
	int r;

	if (!record || !(ns = xmlNewNs(record, BAD_CAST DOMXML_NS, BAD_CAST "vgpufs")))
		return -ENOMEM;
	xmlSetNs(record, ns);
	for (size_t i = 0; i < n_devices; i++) {
		xmlNode *d = xmlNewChild(record, ns, BAD_CAST "device", NULL);

		if (!d || set_attrs(d, "name", devices[i].name, "cdrom", devices[i].cdrom, NULL) < 0 ||
		    (devices[i].cdrom[0] &&
		     set_attrs(d, "cdrom-target", cdrom_targets[i], NULL) < 0))
			return -ENOMEM;
		for (size_t j = 0; j < devices[i].n_vgpus; j++) {
			r = record_vgpu_add(d, ns, &devices[i].vgpus[j]);
			if (r < 0)
				return r;
		}
	}
	*ret = record;
	record = NULL;
	return 0;
}

/* Finds or creates <metadata>, placed where libvirt puts it: after name … description. */
static int metadata_ensure(struct domain *dom)
{
	static const char *const before[] = { "name", "uuid", "genid", "title", "description" };
	xmlNode *after = NULL, *m;

	if (dom->metadata)
		return 0;
	m = xmlNewNode(NULL, BAD_CAST "metadata");
	if (!m)
		return -ENOMEM;
	for (xmlNode *n = dom->root->children; n; n = n->next)
		for (size_t i = 0; i < ARRAY_SIZE(before); i++)
			if (is_element(n, before[i]))
				after = n;
	if (after)
		xmlAddNextSibling(after, m);
	else if (dom->root->children)
		xmlAddPrevSibling(dom->root->children, m);
	else
		xmlAddChild(dom->root, m);
	dom->metadata = m;
	return 0;
}

/* ---- the edit ---- */

static int vgpu_validate(const struct domxml_device *d, const struct domxml_vgpu *v,
			 char *err, size_t err_size)
{
	struct pci_address a;

	if (v->kind != DOMXML_MDEV && v->kind != DOMXML_VF)
		return set_error(err, err_size, -EINVAL, "device %s: bad vGPU kind", d->name);
	if (!field_terminated(v->uuid, sizeof(v->uuid)) || !v->uuid[0] ||
	    !field_terminated(v->vf_bdf, sizeof(v->vf_bdf)) ||
	    !field_terminated(v->gpu, sizeof(v->gpu)) ||
	    !field_terminated(v->profile, sizeof(v->profile)))
		return set_error(err, err_size, -EINVAL, "device %s: bad vGPU fields", d->name);
	if (v->kind == DOMXML_MDEV && !uuid_valid(v->uuid))
		return set_error(err, err_size, -EINVAL, "device %s: bad mdev UUID '%s'",
				 d->name, v->uuid);
	if (v->kind == DOMXML_VF && pci_address_parse(v->vf_bdf, &a) < 0)
		return set_error(err, err_size, -EINVAL, "device %s: bad VF address '%s'",
				 d->name, v->vf_bdf);
	return 0;
}

/* Whether vgpu j of device i repeats an earlier vGPU (same id, or same VF). */
static bool vgpu_repeated(const struct domxml_device *devices, size_t i, size_t j)
{
	const struct domxml_vgpu *v = &devices[i].vgpus[j];

	for (size_t k = 0; k <= i; k++)
		for (size_t l = 0; l < (k == i ? j : devices[k].n_vgpus); l++) {
			const struct domxml_vgpu *w = &devices[k].vgpus[l];

			if (strcasecmp(w->uuid, v->uuid) == 0 ||
			    (v->kind == DOMXML_VF && w->kind == DOMXML_VF &&
			     strcasecmp(w->vf_bdf, v->vf_bdf) == 0))
				return true;
		}
	return false;
}

static int request_validate(const struct domxml_device *devices, size_t n_devices,
			    char *err, size_t err_size)
{
	int r;

	for (size_t i = 0; i < n_devices; i++) {
		const struct domxml_device *d = &devices[i];

		if (!field_terminated(d->name, sizeof(d->name)) || !d->name[0] ||
		    !field_terminated(d->cdrom, sizeof(d->cdrom)) ||
		    (d->n_vgpus && !d->vgpus))
			return set_error(err, err_size, -EINVAL, "bad device entry %zu", i);
		for (size_t j = 0; j < i; j++)
			if (strcmp(devices[j].name, d->name) == 0)
				return set_error(err, err_size, -EINVAL, "device %s given twice",
						 d->name);
		for (size_t j = 0; j < d->n_vgpus; j++) {
			r = vgpu_validate(d, &d->vgpus[j], err, err_size);
			if (r < 0)
				return r;
			if (vgpu_repeated(devices, i, j))
				return set_error(err, err_size, -EINVAL, "vGPU %s given twice",
						 d->vgpus[j].uuid);
		}
	}
	return 0;
}

/* Removes the hostdevs and cdroms the old record names. */
static void owned_remove(xmlNode *devices, const struct owned *o)
{
	xmlNode *n, *next;

	for (size_t i = 0; i < o->n_vgpus; i++)
		for (n = devices->children; n; n = next) {
			next = n->next;
			if (hostdev_matches(n, &o->vgpus[i]))
				node_delete(n);
		}
	/* one disk per ISO: someone else may have attached the same ISO too */
	for (size_t i = 0; i < o->n_devices; i++) {
		if (!o->devices[i].cdrom[0] || cdrom_seen_before(o->devices, i))
			continue;
		n = cdrom_find(devices, o->devices[i].cdrom, o->cdrom_targets[i]);
		if (n)
			node_delete(n);
	}
}

/* Appends the hostdevs and cdroms of the requested devices; cdrom_targets[i] gets the
 * target of device i's cdrom. */
static int owned_add(xmlNode *devices, const struct domxml_device *want, size_t n_want,
		     char (*cdrom_targets)[TARGET_MAX], char *err, size_t err_size)
{
	xmlNode *n;
	int r;

	for (size_t i = 0; i < n_want; i++)
		for (size_t j = 0; j < want[i].n_vgpus; j++) {
			const struct domxml_vgpu *v = &want[i].vgpus[j];

			if (hostdev_find(devices, v))
				return set_error(err, err_size, -EEXIST,
						 "device %s: the domain already has a hostdev for "
						 "vGPU %s that vgpufs does not own", want[i].name,
						 v->kind == DOMXML_VF ? v->vf_bdf : v->uuid);
			r = hostdev_new(v, &n);
			if (r < 0)
				return r;
			xmlAddChild(devices, n);
		}
	for (size_t i = 0; i < n_want; i++) {
		if (!want[i].cdrom[0])
			continue;
		for (size_t j = 0; j < i && !cdrom_targets[i][0]; j++)
			if (strcmp(want[j].cdrom, want[i].cdrom) == 0)
				memcpy(cdrom_targets[i], cdrom_targets[j], TARGET_MAX);
		if (cdrom_targets[i][0])
			continue;  /* shares the disk of an earlier device */
		if (cdrom_target_pick(devices, cdrom_targets[i]) < 0)
			return set_error(err, err_size, -ENOSPC,
					 "device %s: no free sd[a-z] target for the cdrom",
					 want[i].name);
		r = cdrom_new(want[i].cdrom, cdrom_targets[i], &n);
		if (r < 0)
			return r;
		xmlAddChild(devices, n);
	}
	return 0;
}

/* Rewrites our record in place; with nothing owned, removes it (and <metadata> if that
 * leaves it empty). */
static int record_write(struct domain *dom, const struct domxml_device *devices,
			const char (*cdrom_targets)[TARGET_MAX], size_t n_devices)
{
	xmlNode *record;
	int r;

	if (n_devices == 0) {
		if (!dom->record)
			return 0;
		node_delete(dom->record);
		dom->record = NULL;
		if (only_blanks(dom->metadata)) {
			node_delete(dom->metadata);
			dom->metadata = NULL;
		}
		return 0;
	}
	r = record_new(devices, cdrom_targets, n_devices, &record);
	if (r < 0)
		return r;
	if (dom->record) {
		xmlReplaceNode(dom->record, record);
		xmlFreeNode(dom->record);
	} else {
		r = metadata_ensure(dom);
		if (r < 0) {
			xmlFreeNode(record);
			return r;
		}
		xmlAddChild(dom->metadata, record);
	}
	dom->record = record;
	return 0;
}

/* Serialises without the XML declaration, indented. */
static int doc_serialize(xmlDoc *doc, char **out)
{
	_cleanup_xml_buffer_ xmlBuffer *buf = xmlBufferCreate();
	xmlSaveCtxt *save;
	char *s;

	if (!buf)
		return -ENOMEM;
	count(COUNT_XML_SERIALISATIONS);
	save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
	if (!save)
		return -ENOMEM;
	xmlSaveDoc(save, doc);
	if (xmlSaveClose(save) < 0)
		return -ENOMEM;
	s = strdup((const char *)xmlBufferContent(buf));
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}

static bool same_vgpu(const struct domxml_vgpu *a, const struct domxml_vgpu *b)
{
	return a->kind == b->kind && !strcasecmp(a->uuid, b->uuid) &&
	       !strcmp(a->vf_bdf, b->vf_bdf) && !strcmp(a->gpu, b->gpu) &&
	       !strcmp(a->profile, b->profile);
}

/* True when applying devices would leave the definition as it is: our record already
 * says exactly this, every vGPU has its hostdev and every cdrom its disk (one may have
 * been removed by hand).
 * Applying the record to itself is what idempotence gives, so this is the same verdict
 * as comparing both results, without making them. */
static bool already_applied(xmlNode *dom_devices, const struct owned *old,
			    const struct domxml_device *devices, size_t n_devices)
{
	if (old->n_devices != n_devices)
		return false;
	for (size_t i = 0; i < n_devices; i++) {
		const struct domxml_device *a = &old->devices[i], *b = &devices[i];

		if (strcmp(a->name, b->name) || strcmp(a->cdrom, b->cdrom) ||
		    a->n_vgpus != b->n_vgpus ||
		    (b->cdrom[0] && !cdrom_find(dom_devices, b->cdrom, old->cdrom_targets[i])))
			return false;
		for (size_t j = 0; j < b->n_vgpus; j++)
			if (!same_vgpu(&a->vgpus[j], &b->vgpus[j]) ||
			    !hostdev_find(dom_devices, &b->vgpus[j]))
				return false;
	}
	return true;
}

/* domxml_apply, and domxml_apply_changes when unchanged is not NULL. */
static int apply(const char *xml, const struct domxml_device *devices, size_t n_devices,
		 char **out, bool *unchanged, char *err, size_t err_size)
{
	_cleanup_xml_doc_ xmlDoc *doc = NULL;
	_cleanup_owned_ struct owned old = {};
	_cleanup_free_ char (*cdrom_targets)[TARGET_MAX] = NULL;
	struct domain dom;
	int r;

	r = request_validate(devices, n_devices, err, err_size);
	if (r < 0)
		return r;
	cdrom_targets = calloc(n_devices ? n_devices : 1, sizeof(*cdrom_targets));
	if (!cdrom_targets)
		return -ENOMEM;
	r = domain_parse(xml, &doc, &dom, err, err_size);
	if (r < 0)
		return r;
	if (!dom.devices)
		return set_error(err, err_size, -EINVAL, "domain XML has no <devices>");
	if (dom.record) {
		r = record_parse(dom.record, &old, err, err_size);
		if (r < 0)
			return r;
	}
	if (unchanged && (*unchanged = already_applied(dom.devices, &old, devices, n_devices))) {
		*out = NULL;
		return 0;
	}
	owned_remove(dom.devices, &old);
	r = owned_add(dom.devices, devices, n_devices, cdrom_targets, err, err_size);
	if (r < 0)
		return r;
	r = record_write(&dom, devices, (const char (*)[TARGET_MAX])cdrom_targets, n_devices);
	if (r < 0)
		return r;
	return doc_serialize(doc, out);
}

int domxml_apply(const char *xml, const struct domxml_device *devices, size_t n_devices,
		 char **out, char *err, size_t err_size)
{
	return apply(xml, devices, n_devices, out, NULL, err, err_size);
}

int domxml_apply_changes(const char *xml, const struct domxml_device *devices,
			 size_t n_devices, char **out, char *err, size_t err_size)
{
	bool unchanged;

	return apply(xml, devices, n_devices, out, &unchanged, err, err_size);
}

int domxml_owned(const char *xml, int (*fn)(const struct domxml_device *d, void *ctx), void *ctx,
		 char *err, size_t err_size)
{
	_cleanup_xml_doc_ xmlDoc *doc = NULL;
	_cleanup_owned_ struct owned owned = {};
	struct domain dom;
	int r;

	r = domain_parse(xml, &doc, &dom, err, err_size);
	if (r < 0)
		return r;
	if (!dom.record)
		return 0;
	r = record_parse(dom.record, &owned, err, err_size);
	if (r < 0)
		return r;
	for (size_t i = 0; i < owned.n_devices; i++) {
		r = fn(&owned.devices[i], ctx);
		if (r < 0)
			return r;
	}
	return (int)owned.n_devices;
}

int domxml_has_hostdev(const char *xml, const struct domxml_vgpu *v)
{
	_cleanup_xml_doc_ xmlDoc *doc = NULL;
	struct pci_address a;
	struct domain dom;
	int r;

	if (v->kind == DOMXML_VF && pci_address_parse(v->vf_bdf, &a) < 0)
		return -EINVAL;
	r = domain_parse(xml, &doc, &dom, NULL, 0);
	if (r < 0)
		return r;
	return dom.devices && hostdev_find(dom.devices, v) ? 1 : 0;
}

int domxml_has_cdrom(const char *xml, const char *path)
{
	_cleanup_xml_doc_ xmlDoc *doc = NULL;
	struct domain dom;
	int r = domain_parse(xml, &doc, &dom, NULL, 0);

	if (r < 0)
		return r;
	return dom.devices && cdrom_find(dom.devices, path, "") ? 1 : 0;
}
