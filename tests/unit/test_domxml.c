/* Unit tests for domxml: what vgpufs adds to and removes from a domain's XML, checked
 * with XPath on the result, and a round trip through libvirt's in-process test driver
 * (test:///default), so the XML we write is what libvirt accepts and what it gives back
 * is what we can edit again. */
#include "tap.h"
#include "domxml.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#define FOREIGN_MDEV "11111111-2222-3333-4444-555555555555"
#define MDEV_A "aaaaaaaa-0000-4000-8000-000000000001"
#define MDEV_B "bbbbbbbb-0000-4000-8000-000000000002"
#define GUEST_ISO "/isos/nvidia-guest.iso"
#define OTHER_ISO "/isos/other-guest.iso"

/* A domain with things vgpufs does not own: a disk, an install cdrom, an mdev and a PCI
 * hostdev, a comment and another application's metadata. sda and sdc are taken. */
static const char base_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<domain type='test'>\n"
	"  <name>vm1</name>\n"
	"  <uuid>3c7b2f4e-5d1a-4e8b-9f60-2a1d0c9e7b11</uuid>\n"
	"  <title>Gr\xc3\xbc\xc3\x9f Gott</title>\n"
	"  <metadata>\n"
	"    <app:info xmlns:app=\"https://example.com/app\"><app:owner>alice</app:owner></app:info>\n"
	"  </metadata>\n"
	"  <memory unit='KiB'>1048576</memory>\n"
	"  <vcpu>2</vcpu>\n"
	"  <os><type arch='x86_64'>hvm</type></os>\n"
	"  <devices>\n"
	"    <!-- keep me -->\n"
	"    <disk type='file' device='disk'>\n"
	"      <source file='/var/lib/images/vm1.img'/>\n"
	"      <target dev='sda' bus='sata'/>\n"
	"    </disk>\n"
	"    <disk type='file' device='cdrom'>\n"
	"      <source file='/isos/install.iso'/>\n"
	"      <target dev='sdc' bus='sata'/>\n"
	"      <readonly/>\n"
	"    </disk>\n"
	"    <hostdev mode='subsystem' type='mdev' model='vfio-pci'>\n"
	"      <source><address uuid='" FOREIGN_MDEV "'/></source>\n"
	"    </hostdev>\n"
	"    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
	"      <source><address domain='0x0000' bus='0x41' slot='0x00' function='0x0'/></source>\n"
	"    </hostdev>\n"
	"  </devices>\n"
	"</domain>\n";

/* What libvirt gives back after defining our devices: managed='no' added, aliases and
 * guest addresses, an uppercase UUID, decimal PCI numbers; and the user's own cdrom of the
 * same ISO after ours (libvirt sorts disks by target). */
static const char decorated_xml[] =
	"<domain type='test'>\n"
	"  <name>vm2</name>\n"
	"  <metadata>\n"
	"    <vg:devices xmlns:vg=\"" DOMXML_NS "\">\n"
	"      <vg:device name=\"gpu0\" cdrom=\"" GUEST_ISO "\" cdrom-target=\"sda\">\n"
	"        <vg:vgpu kind=\"mdev\" uuid=\"" MDEV_A "\" gpu=\"0000:41:00.0\" profile=\"A40-2Q\"/>\n"
	"        <vg:vgpu kind=\"vf\" uuid=\"" MDEV_B "\" vf=\"0000:c1:00.4\" gpu=\"0000:c1:00.0\" profile=\"L40S-4Q\"/>\n"
	"      </vg:device>\n"
	"    </vg:devices>\n"
	"  </metadata>\n"
	"  <memory unit='KiB'>1048576</memory>\n"
	"  <os><type arch='x86_64'>hvm</type></os>\n"
	"  <devices>\n"
	"    <disk type='file' device='cdrom'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <source file='" GUEST_ISO "'/>\n"
	"      <target dev='sda' bus='sata'/>\n"
	"      <readonly/>\n"
	"      <address type='drive' controller='0' bus='0' target='0' unit='0'/>\n"
	"    </disk>\n"
	"    <disk type='file' device='cdrom'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <source file='" GUEST_ISO "'/>\n"
	"      <target dev='sdb' bus='sata'/>\n"
	"      <readonly/>\n"
	"      <alias name='sata0-0-1'/>\n"
	"      <address type='drive' controller='0' bus='0' target='0' unit='1'/>\n"
	"    </disk>\n"
	"    <hostdev mode='subsystem' type='mdev' managed='no' model='vfio-pci' display='off'>\n"
	"      <source><address uuid='" FOREIGN_MDEV "'/></source>\n"
	"    </hostdev>\n"
	"    <hostdev mode='subsystem' type='mdev' managed='no' model='vfio-pci' display='off'>\n"
	"      <source>\n"
	"        <address uuid='AAAAAAAA-0000-4000-8000-000000000001'/>\n"
	"      </source>\n"
	"      <alias name='hostdev0'/>\n"
	"      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>\n"
	"    </hostdev>\n"
	"    <hostdev mode='subsystem' type='pci' managed='no'>\n"
	"      <driver name='vfio'/>\n"
	"      <source>\n"
	"        <address domain='0' bus='193' slot='0' function='4'/>\n"
	"      </source>\n"
	"      <alias name='hostdev1'/>\n"
	"      <address type='pci' domain='0x0000' bus='0x07' slot='0x00' function='0x0'/>\n"
	"    </hostdev>\n"
	"    <hostdev mode='subsystem' type='pci' managed='no'>\n"
	"      <source><address domain='0x0000' bus='0xc1' slot='0x00' function='0x5'/></source>\n"
	"    </hostdev>\n"
	"  </devices>\n"
	"</domain>\n";

static const struct domxml_vgpu gpu0_vgpus[] = {
	{ .kind = DOMXML_MDEV, .uuid = MDEV_A, .gpu = "0000:41:00.0", .profile = "A40-2Q" },
	{ .kind = DOMXML_MDEV, .uuid = MDEV_B, .gpu = "0000:41:00.0", .profile = "A40-2Q" },
};
static const struct domxml_vgpu gpu1_vgpus[] = {
	{ .kind = DOMXML_VF, .uuid = "cccccccc-0000-4000-8000-000000000003",
	  .vf_bdf = "0000:c1:00.4", .gpu = "0000:c1:00.0", .profile = "L40S-4Q" },
};
static const struct domxml_vgpu gpu2_vgpus[] = {
	{ .kind = DOMXML_VF, .uuid = "dddddddd-0000-4000-8000-000000000004",
	  .vf_bdf = "0000:c1:00.5", .gpu = "0000:c1:00.0", .profile = "L40S-4Q" },
};

/* gpu0 and gpu1 share the guest ISO (one disk), gpu2 has its own. */
static const struct domxml_device three_devices[] = {
	{ .name = "gpu0", .vgpus = gpu0_vgpus, .n_vgpus = 2, .cdrom = GUEST_ISO },
	{ .name = "gpu1", .vgpus = gpu1_vgpus, .n_vgpus = 1, .cdrom = GUEST_ISO },
	{ .name = "gpu2", .vgpus = gpu2_vgpus, .n_vgpus = 1, .cdrom = OTHER_ISO },
};

/* ---- XPath on a result ---- */

static xmlXPathObject *xpath_eval(const char *xml, const char *expr, xmlDoc **doc)
{
	xmlXPathContext *ctx;
	xmlXPathObject *obj;

	*doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
	if (!*doc)
		return NULL;
	ctx = xmlXPathNewContext(*doc);
	xmlXPathRegisterNs(ctx, BAD_CAST "v", BAD_CAST DOMXML_NS);
	xmlXPathRegisterNs(ctx, BAD_CAST "app", BAD_CAST "https://example.com/app");
	obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	xmlXPathFreeContext(ctx);
	return obj;
}

static int xcount(const char *xml, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* count(expr), or -1 when the XML or the expression is bad. */
static int xcount(const char *xml, const char *fmt, ...)
{
	char expr[512], wrapped[600];
	xmlXPathObject *obj;
	xmlDoc *doc;
	va_list ap;
	int n = -1;

	va_start(ap, fmt);
	vsnprintf(expr, sizeof(expr), fmt, ap);
	va_end(ap);
	snprintf(wrapped, sizeof(wrapped), "count(%s)", expr);
	obj = xpath_eval(xml, wrapped, &doc);
	if (obj && obj->type == XPATH_NUMBER)
		n = (int)obj->floatval;
	xmlXPathFreeObject(obj);
	xmlFreeDoc(doc);
	return n;
}

/* string(expr) into a static buffer. */
static const char *xstring(const char *xml, const char *expr)
{
	static char buf[4096];
	char wrapped[600];
	xmlXPathObject *obj;
	xmlDoc *doc;

	snprintf(wrapped, sizeof(wrapped), "string(%s)", expr);
	obj = xpath_eval(xml, wrapped, &doc);
	snprintf(buf, sizeof(buf), "%s",
		 obj && obj->type == XPATH_STRING ? (const char *)obj->stringval : "<error>");
	xmlXPathFreeObject(obj);
	xmlFreeDoc(doc);
	return buf;
}

/* The things of base_xml that must survive any edit. libvirt itself drops comments. */
static void check_foreign_kept(const char *xml, bool from_libvirt)
{
	CHECK(xcount(xml, "/domain/devices/hostdev[@type='mdev']/source/address[@uuid='%s']",
		     FOREIGN_MDEV) == 1);
	CHECK(xcount(xml, "/domain/devices/hostdev[@type='pci' and @managed='yes']/source/"
			  "address[@bus='0x41' and @slot='0x00' and @function='0x0']") == 1);
	CHECK_STR(xstring(xml, "/domain/devices/disk[target/@dev='sda']/source/@file"),
		  "/var/lib/images/vm1.img");
	CHECK_STR(xstring(xml, "/domain/devices/disk[target/@dev='sdc']/source/@file"),
		  "/isos/install.iso");
	CHECK_STR(xstring(xml, "/domain/metadata/app:info/app:owner"), "alice");
	CHECK_STR(xstring(xml, "/domain/title"), "Gr\xc3\xbc\xc3\x9f Gott");
	if (!from_libvirt)
		CHECK_STR(xstring(xml, "/domain/devices/comment()"), " keep me ");
}

/* ---- owned() collection ---- */

struct collected {
	struct domxml_device devices[8];
	struct domxml_vgpu vgpus[8][4];
	size_t n;
};

static int collect(const struct domxml_device *d, void *ctx)
{
	struct collected *c = ctx;

	if (c->n == ARRAY_SIZE(c->devices) || d->n_vgpus > ARRAY_SIZE(c->vgpus[0]))
		return -E2BIG;
	c->devices[c->n] = *d;
	memcpy(c->vgpus[c->n], d->vgpus, d->n_vgpus * sizeof(*d->vgpus));
	c->devices[c->n].vgpus = c->vgpus[c->n];
	c->n++;
	return 0;
}

static bool vgpu_equal(const struct domxml_vgpu *a, const struct domxml_vgpu *b)
{
	return a->kind == b->kind && !strcmp(a->uuid, b->uuid) && !strcmp(a->vf_bdf, b->vf_bdf) &&
	       !strcmp(a->gpu, b->gpu) && !strcmp(a->profile, b->profile);
}

static bool devices_equal(const struct collected *c, const struct domxml_device *want,
			  size_t n)
{
	if (c->n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct domxml_device *d = &c->devices[i];

		if (strcmp(d->name, want[i].name) || strcmp(d->cdrom, want[i].cdrom) ||
		    d->n_vgpus != want[i].n_vgpus)
			return false;
		for (size_t j = 0; j < d->n_vgpus; j++)
			if (!vgpu_equal(&d->vgpus[j], &want[i].vgpus[j]))
				return false;
	}
	return true;
}

static bool owned_matches(const char *xml, const struct domxml_device *want, size_t n)
{
	struct collected c = {};
	char err[256] = "";
	int r = domxml_owned(xml, collect, &c, err, sizeof(err));

	if (r < 0)
		printf("# domxml_owned: %s\n", err);
	return r == (int)n && devices_equal(&c, want, n);
}

/* ---- tests ---- */

static void test_apply_keeps_foreign(char **applied)
{
	char err[256] = "";
	char *out = NULL;
	int r;

	r = domxml_apply(base_xml, three_devices, 3, &out, err, sizeof(err));
	CHECK(r == 0);
	if (r < 0) {
		printf("# %s\n", err);
		exit(1);
	}
	CHECK(strncmp(out, "<?xml", 5) != 0);
	check_foreign_kept(out, false);
	CHECK(xcount(out, "/domain/devices/hostdev") == 6);
	CHECK(xcount(out, "/domain/devices/hostdev[@mode='subsystem' and @type='mdev' and "
			  "@model='vfio-pci' and @display='off']/source/address[@uuid='%s' or "
			  "@uuid='%s']", MDEV_A, MDEV_B) == 2);
	CHECK(xcount(out, "/domain/devices/hostdev[@mode='subsystem' and @type='pci' and "
			  "@managed='no']/source/address[@domain='0x0000' and @bus='0xc1' and "
			  "@slot='0x00' and (@function='0x4' or @function='0x5')]") == 2);
	/* one disk for the shared ISO, in the first free sdX, then the next free one */
	CHECK(xcount(out, "/domain/devices/disk[@device='cdrom']") == 3);
	CHECK(xcount(out, "/domain/devices/disk[source/@file='%s']", GUEST_ISO) == 1);
	CHECK_STR(xstring(out, "/domain/devices/disk[source/@file='" GUEST_ISO "']/target/@dev"),
		  "sdb");
	CHECK_STR(xstring(out, "/domain/devices/disk[source/@file='" OTHER_ISO "']/target/@dev"),
		  "sdd");
	CHECK(xcount(out, "/domain/devices/disk[source/@file='%s' and @type='file']/readonly",
		     GUEST_ISO) == 1);
	CHECK(xcount(out, "/domain/devices/disk[source/@file='%s']/driver[@name='qemu' and "
			  "@type='raw']", GUEST_ISO) == 1);
	CHECK(xcount(out, "/domain/metadata") == 1);
	CHECK(xcount(out, "/domain/metadata/*") == 2);
	CHECK(xcount(out, "/domain/metadata/v:devices/v:device") == 3);
	CHECK(xcount(out, "/domain/metadata/v:devices/v:device/v:vgpu") == 4);
	CHECK_STR(xstring(out, "/domain/metadata/v:devices/v:device[@name='gpu1']/v:vgpu/@vf"),
		  "0000:c1:00.4");
	CHECK_STR(xstring(out, "/domain/metadata/v:devices/v:device[@name='gpu2']/@cdrom"),
		  OTHER_ISO);
	CHECK_STR(xstring(out, "/domain/metadata/v:devices/v:device[@name='gpu1']/@cdrom-target"),
		  "sdb");
	CHECK_STR(xstring(out, "/domain/metadata/v:devices/v:device[@name='gpu2']/@cdrom-target"),
		  "sdd");
	*applied = out;
}

static void test_idempotent(const char *applied)
{
	_cleanup_free_ char *again = NULL;
	char err[256] = "";

	CHECK(domxml_apply(applied, three_devices, 3, &again, err, sizeof(err)) == 0);
	CHECK(again && strcmp(again, applied) == 0);
}

/* domxml_apply_changes: nothing when the definition already holds the set; the same
 * result as domxml_apply when the set differs or a hostdev went missing. */
static void test_apply_changes(const char *applied)
{
	_cleanup_free_ char *none = NULL, *fewer = NULL, *expected = NULL, *restored = NULL;
	_cleanup_free_ char *stripped = strdup(applied);
	char err[256] = "", *hostdev, *end;

	CHECK(domxml_apply_changes(applied, three_devices, 3, &none, err, sizeof(err)) == 0);
	CHECK(none == NULL);
	CHECK(domxml_apply_changes(applied, three_devices, 2, &fewer, err, sizeof(err)) == 0);
	CHECK(domxml_apply(applied, three_devices, 2, &expected, err, sizeof(err)) == 0);
	CHECK(fewer && expected && strcmp(fewer, expected) == 0);
	/* someone removed the first mdev hostdev by hand: it is put back */
	for (hostdev = stripped ? strstr(stripped, "<hostdev") : NULL; hostdev;
	     hostdev = strstr(end, "<hostdev")) {
		end = strstr(hostdev, "</hostdev>");
		if (!end || memmem(hostdev, (size_t)(end - hostdev), MDEV_A, strlen(MDEV_A)))
			break;
	}
	end = hostdev ? strstr(hostdev, "</hostdev>") : NULL;
	CHECK(end != NULL);
	if (!end)
		return;
	memmove(hostdev, end + strlen("</hostdev>"), strlen(end + strlen("</hostdev>")) + 1);
	CHECK(domxml_apply_changes(stripped, three_devices, 3, &restored, err, sizeof(err)) == 0);
	CHECK(restored && xcount(restored, "/domain/devices/hostdev[@type='mdev']") ==
		xcount(applied, "/domain/devices/hostdev[@type='mdev']"));
}

/* Someone removed our cdrom disks by hand: apply_changes puts them back, as a hostdev. */
static void test_apply_changes_cdrom(const char *applied)
{
	_cleanup_free_ char *stripped = strdup(applied), *restored = NULL;
	char err[256] = "", *disk, *end;

	while (stripped && (disk = strstr(stripped, "<disk type=\"file\" device=\"cdrom\"")) &&
	       (end = strstr(disk, "</disk>")))
		memmove(disk, end + strlen("</disk>"), strlen(end + strlen("</disk>")) + 1);
	CHECK(stripped && xcount(stripped, "/domain/devices/disk[@device='cdrom']") == 0);
	CHECK(domxml_apply_changes(stripped, three_devices, 3, &restored, err, sizeof(err)) == 0);
	CHECK(restored && xcount(restored, "/domain/devices/disk[@device='cdrom']"
				 "[source/@file='" GUEST_ISO "']") == 1);
	CHECK(restored && xcount(restored, "/domain/devices/disk[@device='cdrom']"
				 "[source/@file='" OTHER_ISO "']") == 1);
}

static void test_fewer_removes_only_ours(const char *applied)
{
	_cleanup_free_ char *out = NULL;
	char err[256] = "";

	CHECK(domxml_apply(applied, &three_devices[1], 1, &out, err, sizeof(err)) == 0);
	if (!out)
		return;
	check_foreign_kept(out, false);
	CHECK(xcount(out, "/domain/devices/hostdev[@type='mdev']") == 1);
	CHECK(xcount(out, "/domain/devices/hostdev[@type='pci']") == 2);
	CHECK(xcount(out, "/domain/devices/hostdev/source/address[@function='0x4']") == 1);
	CHECK(xcount(out, "/domain/devices/disk[@device='cdrom']") == 2);
	CHECK(xcount(out, "/domain/devices/disk[source/@file='%s']", OTHER_ISO) == 0);
	CHECK_STR(xstring(out, "/domain/devices/disk[source/@file='" GUEST_ISO "']/target/@dev"),
		  "sdb");
	CHECK(owned_matches(out, &three_devices[1], 1));
}

static void test_remove_decorated(void)
{
	_cleanup_free_ char *out = NULL;
	char err[256] = "";

	CHECK(domxml_apply(decorated_xml, NULL, 0, &out, err, sizeof(err)) == 0);
	if (!out)
		return;
	CHECK(xcount(out, "/domain/devices/hostdev") == 2);
	CHECK(xcount(out, "/domain/devices/hostdev/source/address[@uuid='%s']", FOREIGN_MDEV) == 1);
	CHECK(xcount(out, "/domain/devices/hostdev/source/address[@function='0x5']") == 1);
	/* of the two cdroms of the guest ISO, only ours (on the recorded target) goes */
	CHECK(xcount(out, "/domain/devices/disk") == 1);
	CHECK_STR(xstring(out, "/domain/devices/disk/target/@dev"), "sdb");
	/* our record was all <metadata> held */
	CHECK(xcount(out, "/domain/metadata") == 0);
}

/* A record without cdrom-target: of two cdroms of the ISO, ours is the one appended last. */
static void test_remove_cdrom_without_target(void)
{
	static const char xml[] =
		"<domain type='test'><name>vm3</name><metadata>"
		"<vgpufs:devices xmlns:vgpufs='" DOMXML_NS "'>"
		"<vgpufs:device name='gpu0' cdrom='" GUEST_ISO "'/></vgpufs:devices>"
		"<app:info xmlns:app='https://example.com/app'/></metadata><devices>"
		"<disk type='file' device='cdrom'><source file='" GUEST_ISO "'/>"
		"<target dev='sdc' bus='sata'/></disk>"
		"<disk type='file' device='cdrom'><source file='" GUEST_ISO "'/>"
		"<target dev='sda' bus='sata'/><alias name='sata0-0-0'/></disk>"
		"</devices></domain>";
	_cleanup_free_ char *out = NULL;
	char err[256] = "";

	CHECK(domxml_apply(xml, NULL, 0, &out, err, sizeof(err)) == 0);
	if (!out)
		return;
	CHECK(xcount(out, "/domain/devices/disk") == 1);
	CHECK_STR(xstring(out, "/domain/devices/disk/target/@dev"), "sdc");
	CHECK(xcount(out, "/domain/metadata/*") == 1);
}

static void test_owned_round_trip(const char *applied)
{
	char err[256] = "";

	CHECK(owned_matches(applied, three_devices, 3));
	CHECK(domxml_owned(base_xml, collect, &(struct collected){}, err, sizeof(err)) == 0);
}

static int fail_on_second(const struct domxml_device *d, void *ctx)
{
	(void)d;
	return ++*(int *)ctx == 2 ? -ECANCELED : 0;
}

static void test_owned_stops_on_error(const char *applied)
{
	int calls = 0;

	CHECK(domxml_owned(applied, fail_on_second, &calls, NULL, 0) == -ECANCELED);
	CHECK(calls == 2);
}

static void test_has_hostdev(const char *applied)
{
	struct domxml_vgpu upper = gpu0_vgpus[0], foreign = { .kind = DOMXML_MDEV,
							       .uuid = FOREIGN_MDEV };
	struct domxml_vgpu absent = { .kind = DOMXML_MDEV,
				      .uuid = "eeeeeeee-0000-4000-8000-000000000005" };
	struct domxml_vgpu vf_absent = gpu1_vgpus[0], bad_vf = gpu1_vgpus[0];

	memcpy(upper.uuid, "AAAAAAAA", 8);
	strcpy(vf_absent.vf_bdf, "0000:c1:01.4");
	strcpy(bad_vf.vf_bdf, "c1:00.4");
	CHECK(domxml_has_hostdev(applied, &gpu0_vgpus[0]) == 1);
	CHECK(domxml_has_hostdev(applied, &upper) == 1);
	CHECK(domxml_has_hostdev(applied, &gpu1_vgpus[0]) == 1);
	CHECK(domxml_has_hostdev(applied, &foreign) == 1);
	CHECK(domxml_has_hostdev(applied, &absent) == 0);
	CHECK(domxml_has_hostdev(applied, &vf_absent) == 0);
	CHECK(domxml_has_hostdev(base_xml, &gpu0_vgpus[0]) == 0);
	CHECK(domxml_has_hostdev(base_xml, &gpu1_vgpus[0]) == 0);
	CHECK(domxml_has_hostdev(decorated_xml, &gpu1_vgpus[0]) == 1);  /* decimal numbers */
	CHECK(domxml_has_hostdev(applied, &bad_vf) == -EINVAL);
	CHECK(domxml_has_hostdev("<domain><devices>", &gpu0_vgpus[0]) == -EINVAL);
}

static void test_errors(void)
{
	struct domxml_vgpu bad_vf = gpu1_vgpus[0], bad_uuid = gpu0_vgpus[0];
	struct domxml_device d = { .name = "gpu9", .n_vgpus = 1 };
	struct domxml_vgpu conflict = { .kind = DOMXML_MDEV, .uuid = FOREIGN_MDEV };
	char err[256] = "";
	char *out = NULL;

	CHECK(domxml_apply("<domain><devices></domain>", NULL, 0, &out, err, sizeof(err)) == -EINVAL);
	CHECK(out == NULL);
	CHECK(strstr(err, "malformed domain XML") != NULL);
	printf("# malformed: %s\n", err);
	CHECK(domxml_apply("", NULL, 0, &out, err, sizeof(err)) == -EINVAL);
	CHECK(domxml_apply("<node/>", NULL, 0, &out, err, sizeof(err)) == -EINVAL);
	CHECK(domxml_apply("<domain type='test'><name>x</name></domain>", NULL, 0, &out,
			   err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "<devices>") != NULL);
	CHECK(domxml_owned("<domain", collect, &(struct collected){}, err, sizeof(err)) == -EINVAL);

	strcpy(bad_vf.vf_bdf, "0000:c1:00.8");
	d.vgpus = &bad_vf;
	CHECK(domxml_apply(base_xml, &d, 1, &out, err, sizeof(err)) == -EINVAL);
	strcpy(bad_uuid.uuid, "not-a-uuid");
	d.vgpus = &bad_uuid;
	CHECK(domxml_apply(base_xml, &d, 1, &out, err, sizeof(err)) == -EINVAL);
	d.vgpus = gpu0_vgpus;
	CHECK(domxml_apply(base_xml, (struct domxml_device[]){ d, d }, 2, &out, err,
			   sizeof(err)) == -EINVAL);
	d.vgpus = &conflict;
	CHECK(domxml_apply(base_xml, &d, 1, &out, err, sizeof(err)) == -EEXIST);
	printf("# conflict: %s\n", err);
	CHECK(out == NULL);
}

static void test_full_cdrom_targets(void)
{
	char xml[8192], *p = xml;
	struct domxml_device d = { .name = "gpu0", .cdrom = GUEST_ISO };
	char err[256] = "";
	char *out = NULL;

	p += sprintf(p, "<domain type='test'><name>full</name><devices>");
	for (char c = 'a'; c <= 'z'; c++)
		p += sprintf(p, "<disk type='file' device='disk'><source file='/d%c'/>"
				"<target dev='sd%c' bus='sata'/></disk>", c, c);
	sprintf(p, "</devices></domain>");
	CHECK(domxml_apply(xml, &d, 1, &out, err, sizeof(err)) == -ENOSPC);
	CHECK(out == NULL);
}

static void test_empty_set(const char *applied)
{
	static const char bare[] = "<domain type='test'><name>bare</name><devices/></domain>";
	_cleanup_free_ char *out = NULL, *with = NULL, *without = NULL;
	char err[256] = "";

	CHECK(domxml_apply(applied, NULL, 0, &out, err, sizeof(err)) == 0);
	if (out) {
		check_foreign_kept(out, false);
		CHECK(xcount(out, "//v:*") == 0);
		CHECK(xcount(out, "/domain/metadata/*") == 1);
		CHECK(xcount(out, "/domain/devices/hostdev") == 2);
		CHECK(xcount(out, "/domain/devices/disk") == 2);
	}

	/* <metadata> is created after <name>, and goes again with our record */
	CHECK(domxml_apply(bare, three_devices, 1, &with, err, sizeof(err)) == 0);
	if (with) {
		CHECK(xcount(with, "/domain/name/following-sibling::*[1][self::metadata]") == 1);
		CHECK(domxml_apply(with, NULL, 0, &without, err, sizeof(err)) == 0);
	}
	if (without) {
		CHECK(xcount(without, "/domain/metadata") == 0);
		CHECK(xcount(without, "/domain/devices/*") == 0);
	}
}

/* ---- libvirt ---- */

static void libvirt_error(void *ctx, virErrorPtr e)
{
	(void)ctx;
	printf("# libvirt: %s\n", e->message);
}

static char *libvirt_define(virConnectPtr conn, const char *xml)
{
	virDomainPtr dom = virDomainDefineXML(conn, xml);
	char *back;

	if (!dom)
		return NULL;
	back = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	virDomainFree(dom);
	return back;
}

static void test_libvirt_round_trip(void)
{
	_cleanup_free_ char *ours = NULL, *defined = NULL, *reapplied = NULL,
			    *redefined = NULL, *emptied = NULL, *cleaned = NULL;
	char err[256] = "";
	virConnectPtr conn;

	virSetErrorFunc(NULL, libvirt_error);
	conn = virConnectOpen("test:///default");
	CHECK(conn != NULL);
	if (!conn)
		return;

	CHECK(domxml_apply(base_xml, three_devices, 3, &ours, err, sizeof(err)) == 0);
	defined = ours ? libvirt_define(conn, ours) : NULL;
	CHECK(defined != NULL);
	if (!defined)
		goto out;
	check_foreign_kept(defined, true);
	CHECK(xcount(defined, "/domain/devices/hostdev[@type='mdev']") == 3);
	CHECK(xcount(defined, "/domain/devices/hostdev[@type='pci']") == 3);
	CHECK(xcount(defined, "/domain/devices/disk[@device='cdrom']") == 3);
	CHECK_STR(xstring(defined, "/domain/devices/disk[source/@file='" GUEST_ISO "']/target/@dev"),
		  "sdb");
	CHECK(xcount(defined, "/domain/metadata/v:devices/v:device/v:vgpu") == 4);
	CHECK(owned_matches(defined, three_devices, 3));
	CHECK(domxml_has_hostdev(defined, &gpu0_vgpus[1]) == 1);
	CHECK(domxml_has_hostdev(defined, &gpu2_vgpus[0]) == 1);

	/* applying the same set to what libvirt returned changes nothing libvirt keeps */
	CHECK(domxml_apply(defined, three_devices, 3, &reapplied, err, sizeof(err)) == 0);
	redefined = reapplied ? libvirt_define(conn, reapplied) : NULL;
	CHECK(redefined && strcmp(redefined, defined) == 0);

	CHECK(domxml_apply(defined, NULL, 0, &emptied, err, sizeof(err)) == 0);
	cleaned = emptied ? libvirt_define(conn, emptied) : NULL;
	CHECK(cleaned != NULL);
	if (!cleaned)
		goto out;
	check_foreign_kept(cleaned, true);
	CHECK(xcount(cleaned, "/domain/devices/hostdev") == 2);
	CHECK(xcount(cleaned, "/domain/devices/disk") == 2);
	CHECK(xcount(cleaned, "//v:*") == 0);
	CHECK(domxml_owned(cleaned, collect, &(struct collected){}, err, sizeof(err)) == 0);
	CHECK(domxml_has_hostdev(cleaned, &gpu0_vgpus[0]) == 0);
out:
	virConnectClose(conn);
}

int main(void)
{
	_cleanup_free_ char *applied = NULL;

	test_apply_keeps_foreign(&applied);
	test_idempotent(applied);
	test_apply_changes(applied);
	test_apply_changes_cdrom(applied);
	test_fewer_removes_only_ours(applied);
	test_remove_decorated();
	test_remove_cdrom_without_target();
	test_owned_round_trip(applied);
	test_owned_stops_on_error(applied);
	test_has_hostdev(applied);
	test_errors();
	test_full_cdrom_targets();
	test_empty_set(applied);
	test_libvirt_round_trip();
	return tap_done();
}
