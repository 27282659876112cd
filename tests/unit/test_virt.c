/* Unit tests for core/virt.c against libvirt's test driver.
 *
 * In process: test:///default, whose state every connection of this process shares, so the
 * test drives domains through a second connection of its own and checks what virt.c lists
 * and which events reach the callback.
 *
 * With VGPUFS_TEST_LIBVIRTD=1: a private libvirtd from tools/test-libvirtd.sh, driven by
 * separate virsh processes, to check that their changes reach this process as events, and
 * that a daemon going away gives -ENOTCONN until virt_reopen. The script is looked up from
 * the working directory upwards, or named by VGPUFS_TEST_LIBVIRTD_SCRIPT. */
#include "tap.h"
#include "virt.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define VM_UUID   "6f1d2c3b-0000-4a5b-8c7d-000000000001"
#define MDEV_UUID "c1a5e0de-1111-4222-8333-444455556666"
#define VM2_UUID  "6f1d2c3b-0000-4a5b-8c7d-000000000002"
#define EVENT_TIMEOUT_MS 5000

/* ---- what the callback saw ---- */

struct seen_event {
	enum virt_event ev;
	char uuid[37];
	char name[64];
	struct timespec at;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct seen_event events[256];
	size_t n, next; /* next: the first event no wait_for has consumed yet */
} seen = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

static void record_event(enum virt_event ev, const char *uuid, const char *name, void *ctx)
{
	(void)ctx;
	pthread_mutex_lock(&seen.lock);
	if (seen.n < ARRAY_SIZE(seen.events)) {
		struct seen_event *e = &seen.events[seen.n++];

		e->ev = ev;
		str_copy(e->uuid, sizeof(e->uuid), uuid);
		str_copy(e->name, sizeof(e->name), name);
		clock_gettime(CLOCK_MONOTONIC, &e->at);
	}
	pthread_cond_broadcast(&seen.cond);
	pthread_mutex_unlock(&seen.lock);
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Waits for an event ev for uuid after the last one consumed, consumes it and everything
 * before it, and returns how long after since it arrived (negative if it never did). */
static double wait_for(enum virt_event ev, const char *uuid, const char *name,
		       const struct timespec *since)
{
	struct timespec deadline;
	double latency = -1;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += EVENT_TIMEOUT_MS / 1000;
	pthread_mutex_lock(&seen.lock);
	while (latency < 0 && r != ETIMEDOUT) {
		for (size_t i = seen.next; i < seen.n; i++) {
			struct seen_event *e = &seen.events[i];

			if (e->ev == ev && !strcmp(e->uuid, uuid) && !strcmp(e->name, name)) {
				latency = seconds_between(since, &e->at);
				seen.next = i + 1;
				break;
			}
		}
		if (latency < 0)
			r = pthread_cond_timedwait(&seen.cond, &seen.lock, &deadline);
	}
	pthread_mutex_unlock(&seen.lock);
	return latency;
}

static struct timespec now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

static double elapsed_ms(const struct timespec *since)
{
	struct timespec t = now();

	return seconds_between(since, &t) * 1e3;
}

/* ---- fixtures ---- */

static void domain_xml(char *buf, size_t size, const char *name, const char *uuid)
{
	str_printf(buf, size,
		   "<domain type='test'><name>%s</name><uuid>%s</uuid>"
		   "<memory unit='MiB'>1024</memory><vcpu>1</vcpu><os><type>hvm</type></os>"
		   "<devices><hostdev mode='subsystem' type='mdev' model='vfio-pci'>"
		   "<source><address uuid='" MDEV_UUID "'/></source></hostdev></devices></domain>",
		   name, uuid);
}

static bool has_domain(struct virt *v, const char *name, struct virt_domain *out)
{
	_cleanup_free_ struct virt_domain *all = NULL;
	char err[256];
	size_t n;

	if (virt_list(v, &all, &n, err, sizeof(err)) < 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(all[i].name, name)) {
			*out = all[i];
			return true;
		}
	}
	return false;
}

/* ---- in process: test:///default ---- */

static void test_list_and_lookup(struct virt *v)
{
	_cleanup_free_ struct virt_domain *all = NULL;
	_cleanup_free_ char *xml = NULL;
	struct virt_domain d, by_uuid;
	char err[256] = "";
	size_t n = 0;

	CHECK(virt_list(v, &all, &n, err, sizeof(err)) == 0);
	CHECK(n >= 1);
	for (size_t i = 1; i < n; i++)
		CHECK(strcmp(all[i - 1].name, all[i].name) < 0);
	CHECK(has_domain(v, "test", &d));
	CHECK(d.active && d.persistent && d.state == VIR_DOMAIN_RUNNING);
	CHECK(strlen(d.uuid) == 36);

	CHECK(virt_lookup(v, "test", &by_uuid, err, sizeof(err)) == 0);
	CHECK(virt_lookup(v, d.uuid, &by_uuid, err, sizeof(err)) == 0);
	CHECK_STR(by_uuid.name, "test");
	CHECK(by_uuid.active && by_uuid.persistent && by_uuid.state == VIR_DOMAIN_RUNNING);

	CHECK(virt_lookup(v, "no-such-vm", &d, err, sizeof(err)) == -ENOENT);
	CHECK_STR(err, "no domain 'no-such-vm'");
	CHECK(virt_lookup(v, "00000000-0000-0000-0000-00000000dead", &d, err, sizeof(err)) == -ENOENT);
	CHECK(virt_xml(v, "no-such-vm", true, &xml, NULL, err, sizeof(err)) == -ENOENT);
	CHECK(virt_restart(v, "no-such-vm", 1, err, sizeof(err)) == -ENOENT);

	CHECK(virt_xml(v, by_uuid.uuid, true, &xml, NULL, err, sizeof(err)) == 0);
	CHECK(xml && strstr(xml, "<name>test</name>"));
}

static void test_define_and_events(struct virt *v, virConnectPtr conn)
{
	_cleanup_free_ char *xml = NULL;
	struct virt_domain d;
	struct timespec t;
	char buf[1024], err[256] = "";
	virDomainPtr dom;

	domain_xml(buf, sizeof(buf), "vgpu-vm", VM_UUID);
	t = now();
	CHECK(virt_define(v, buf, err, sizeof(err)) == 0);
	CHECK(wait_for(VIRT_DEFINED, VM_UUID, "vgpu-vm", &t) >= 0);
	CHECK(virt_lookup(v, VM_UUID, &d, err, sizeof(err)) == 0);
	CHECK(!d.active && d.persistent && d.state == VIR_DOMAIN_SHUTOFF);
	CHECK(virt_xml(v, VM_UUID, true, &xml, NULL, err, sizeof(err)) == 0);
	CHECK(xml && strstr(xml, MDEV_UUID));

	/* a stopped domain is left stopped */
	CHECK(virt_restart(v, VM_UUID, 1, err, sizeof(err)) == 0);
	CHECK(virt_lookup(v, VM_UUID, &d, err, sizeof(err)) == 0 && !d.active);

	dom = virDomainLookupByUUIDString(conn, VM_UUID);
	CHECK(dom != NULL);
	t = now();
	CHECK(dom && virDomainCreate(dom) == 0);
	CHECK(wait_for(VIRT_STARTED, VM_UUID, "vgpu-vm", &t) >= 0);

	t = now();
	CHECK(virt_restart(v, VM_UUID, 5, err, sizeof(err)) == 0);
	CHECK(wait_for(VIRT_STOPPED, VM_UUID, "vgpu-vm", &t) >= 0);
	CHECK(wait_for(VIRT_STARTED, VM_UUID, "vgpu-vm", &t) >= 0);
	CHECK(virt_lookup(v, "vgpu-vm", &d, err, sizeof(err)) == 0);
	CHECK(d.active && d.state == VIR_DOMAIN_RUNNING);
	CHECK(has_domain(v, "vgpu-vm", &d) && d.active && d.persistent);

	/* paused: the guest cannot shut down, so restart destroys it instead */
	t = now();
	CHECK(dom && virDomainSuspend(dom) == 0);
	CHECK(wait_for(VIRT_OTHER, VM_UUID, "vgpu-vm", &t) >= 0);
	CHECK(virt_lookup(v, VM_UUID, &d, err, sizeof(err)) == 0);
	CHECK(d.active && d.state == VIR_DOMAIN_PAUSED);
	CHECK(virt_restart(v, VM_UUID, 1, err, sizeof(err)) == 0);
	CHECK(wait_for(VIRT_STOPPED, VM_UUID, "vgpu-vm", &t) >= 0);
	CHECK(wait_for(VIRT_STARTED, VM_UUID, "vgpu-vm", &t) >= 0);
	CHECK(virt_lookup(v, VM_UUID, &d, err, sizeof(err)) == 0);
	CHECK(d.active && d.state == VIR_DOMAIN_RUNNING);

	t = now();
	CHECK(dom && virDomainDestroy(dom) == 0);
	CHECK(wait_for(VIRT_STOPPED, VM_UUID, "vgpu-vm", &t) >= 0);
	t = now();
	CHECK(dom && virDomainUndefine(dom) == 0);
	CHECK(wait_for(VIRT_UNDEFINED, VM_UUID, "vgpu-vm", &t) >= 0);
	CHECK(virt_lookup(v, VM_UUID, &d, err, sizeof(err)) == -ENOENT);
	if (dom)
		virDomainFree(dom);
}

static void test_errors(struct virt *v, virConnectPtr conn)
{
	struct virt_domain d;
	char buf[1024], err[256] = "";
	virDomainPtr dom;

	CHECK(virt_define(v, "<domain type='test'><name>broken", err, sizeof(err)) == -EINVAL);
	CHECK(err[0] != '\0' && !strchr(err, '\n'));
	CHECK(virt_define(v, "<domain type='test'><uuid>" VM_UUID "</uuid></domain>",
			  err, sizeof(err)) == -EINVAL);
	domain_xml(buf, sizeof(buf), "test", VM_UUID); /* the name of another domain */
	CHECK(virt_define(v, buf, err, sizeof(err)) == -EEXIST);
	CHECK(strstr(err, "already exists") != NULL);
	CHECK(virt_lookup(v, VM_UUID, &d, err, sizeof(err)) == -ENOENT);

	/* transient: stopping it would make it vanish, so restart refuses */
	domain_xml(buf, sizeof(buf), "transient-vm", VM2_UUID);
	dom = virDomainCreateXML(conn, buf, 0);
	CHECK(dom != NULL);
	CHECK(has_domain(v, "transient-vm", &d) && d.active && !d.persistent);
	CHECK(virt_restart(v, VM2_UUID, 1, err, sizeof(err)) == -EINVAL);
	CHECK(virt_lookup(v, VM2_UUID, &d, err, sizeof(err)) == 0 && d.active);
	if (dom) {
		virDomainDestroy(dom);
		virDomainFree(dom);
	}
}

static void test_in_process(void)
{
	struct virt *v = NULL, *second = NULL;
	char err[256] = "";
	virConnectPtr conn;

	CHECK(virt_open("nonsense:///nowhere", NULL, NULL, &v, err, sizeof(err)) == -ENOTCONN);
	CHECK(err[0] != '\0');
	/* set up unconnected, as the daemon starts: -ENOTCONN until virt_reopen succeeds */
	CHECK(virt_new("test:///default", record_event, NULL, &v, err, sizeof(err)) == 0);
	if (!v)
		return;
	CHECK(!virt_connected(v));
	CHECK(strcmp(virt_uri(v), "test:///default") == 0);
	CHECK(virt_lookup(v, "test", &(struct virt_domain){ 0 }, err, sizeof(err)) == -ENOTCONN);
	CHECK(virt_reopen(v, err, sizeof(err)) == 0);
	CHECK(virt_connected(v));
	virt_close(v);
	v = NULL;
	CHECK(virt_open("test:///default", record_event, NULL, &v, err, sizeof(err)) == 0);
	if (!v)
		return;
	/* a second user of the shared event thread, opened and closed around the first */
	CHECK(virt_open("test:///default", NULL, NULL, &second, err, sizeof(err)) == 0);
	conn = virConnectOpen("test:///default");
	CHECK(conn != NULL);
	test_list_and_lookup(v);
	if (conn) {
		test_define_and_events(v, conn);
		test_errors(v, conn);
		virConnectClose(conn);
	}
	virt_close(second);
	CHECK(virt_reopen(v, err, sizeof(err)) == 0);
	CHECK(virt_lookup(v, "test", &(struct virt_domain){ 0 }, err, sizeof(err)) == 0);
	virt_close(v);
	virt_close(NULL);
}

/* ---- a shared libvirtd, driven by other processes ---- */

/* Looks for tools/test-libvirtd.sh in base and up to four directories above it. */
static bool find_script_above(const char *base, char *path, size_t size)
{
	char dir[PATH_MAX];

	if (str_copy(dir, sizeof(dir), base) < 0)
		return false;
	for (int up = 0; up <= 4; up++) {
		char *slash;

		if (str_printf(path, size, "%s/tools/test-libvirtd.sh", dir) >= 0 &&
		    access(path, X_OK) == 0)
			return true;
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return false;
		*slash = '\0';
	}
	return false;
}

/* The script: named by VGPUFS_TEST_LIBVIRTD_SCRIPT, or found above the working directory or
 * above this executable (build directories inside the source tree). */
static bool find_script(char *path, size_t size)
{
	const char *env = getenv("VGPUFS_TEST_LIBVIRTD_SCRIPT");
	char base[PATH_MAX];
	ssize_t n;

	if (env)
		return str_copy(path, size, env) == 0 && access(path, X_OK) == 0;
	if (getcwd(base, sizeof(base)) && find_script_above(base, path, size))
		return true;
	n = readlink("/proc/self/exe", base, sizeof(base) - 1);
	if (n <= 0)
		return false;
	base[n] = '\0';
	*strrchr(base, '/') = '\0';
	return find_script_above(base, path, size);
}

/* Runs "SCRIPT start DIR" and reads the URI it prints. */
static bool daemon_start(const char *script, const char *dir, char *uri, size_t size)
{
	char cmd[PATH_MAX * 2 + 16];
	FILE *f;
	bool ok;

	str_printf(cmd, sizeof(cmd), "'%s' start '%s'", script, dir);
	f = popen(cmd, "r");
	if (!f)
		return false;
	ok = fgets(uri, size, f) != NULL;
	if (pclose(f) != 0)
		ok = false;
	if (ok)
		uri[strcspn(uri, "\n")] = '\0';
	return ok;
}

static int shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int shell(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void daemon_stop(const char *script, const char *dir)
{
	shell("'%s' stop '%s'", script, dir);
}

/* virsh in other processes changes what this process's connection sees. */
static void test_events_across_processes(struct virt *v, const char *uri, const char *dir)
{
	struct virt_domain d;
	struct timespec t;
	char xml[1024], file[PATH_MAX], err[256] = "";
	double latency;
	FILE *f;

	domain_xml(xml, sizeof(xml), "shared-vm", VM_UUID);
	str_printf(file, sizeof(file), "%s/shared-vm.xml", dir);
	f = fopen(file, "w");
	CHECK(f && fputs(xml, f) >= 0);
	if (f)
		fclose(f);

	t = now();
	CHECK(shell("virsh -q -c '%s' define '%s' >/dev/null", uri, file) == 0);
	latency = wait_for(VIRT_DEFINED, VM_UUID, "shared-vm", &t);
	CHECK(latency >= 0);
	printf("# DEFINED from virsh seen %.1f ms after starting virsh\n", latency * 1e3);
	CHECK(virt_lookup(v, "shared-vm", &d, err, sizeof(err)) == 0 && !d.active);

	t = now();
	CHECK(shell("virsh -q -c '%s' start shared-vm >/dev/null", uri) == 0);
	CHECK(wait_for(VIRT_STARTED, VM_UUID, "shared-vm", &t) >= 0);

	t = now();
	CHECK(virt_restart(v, VM_UUID, 5, err, sizeof(err)) == 0);
	printf("# virt_restart took %.1f ms\n", elapsed_ms(&t));
	CHECK(wait_for(VIRT_STOPPED, VM_UUID, "shared-vm", &t) >= 0);
	CHECK(wait_for(VIRT_STARTED, VM_UUID, "shared-vm", &t) >= 0);
	CHECK(shell("virsh -q -c '%s' domstate shared-vm | grep -q running", uri) == 0);

	t = now();
	CHECK(shell("virsh -q -c '%s' destroy shared-vm >/dev/null && "
		    "virsh -q -c '%s' undefine shared-vm >/dev/null", uri, uri) == 0);
	CHECK(wait_for(VIRT_STOPPED, VM_UUID, "shared-vm", &t) >= 0);
	CHECK(wait_for(VIRT_UNDEFINED, VM_UUID, "shared-vm", &t) >= 0);
	CHECK(virt_lookup(v, VM_UUID, &d, err, sizeof(err)) == -ENOENT);
}

/* The daemon goes away: -ENOTCONN until virt_reopen finds it back. */
static void test_daemon_restart(struct virt *v, const char *script, const char *dir,
				const char *uri)
{
	_cleanup_free_ struct virt_domain *all = NULL;
	struct virt_domain d;
	struct timespec t;
	char uri_again[PATH_MAX], err[256] = "";
	size_t n;
	int r = 0;

	daemon_stop(script, dir);
	t = now();
	for (int i = 0; i < 50 && r != -ENOTCONN; i++) {
		r = virt_list(v, &all, &n, err, sizeof(err));
		free(all);
		all = NULL;
		if (r != -ENOTCONN)
			usleep(100 * 1000);
	}
	CHECK(r == -ENOTCONN);
	printf("# -ENOTCONN %.1f ms after the daemon stopped\n", elapsed_ms(&t));
	CHECK(virt_lookup(v, "test", &d, err, sizeof(err)) == -ENOTCONN);
	CHECK(virt_reopen(v, err, sizeof(err)) == -ENOTCONN);
	CHECK(virt_lookup(v, "test", &d, err, sizeof(err)) == -ENOTCONN);

	CHECK(daemon_start(script, dir, uri_again, sizeof(uri_again)));
	CHECK_STR(uri_again, uri);
	CHECK(virt_reopen(v, err, sizeof(err)) == 0);
	CHECK(virt_list(v, &all, &n, err, sizeof(err)) == 0);
	CHECK(n == 1 && !strcmp(all[0].name, "test")); /* a fresh /default */

	/* the callback is registered again on the new connection */
	t = now();
	CHECK(shell("virsh -q -c '%s' define '%s/shared-vm.xml' >/dev/null", uri, dir) == 0);
	CHECK(wait_for(VIRT_DEFINED, VM_UUID, "shared-vm", &t) >= 0);
}

static void test_shared_daemon(void)
{
	char script[PATH_MAX], dir[] = "/tmp/vgpufs-test-virt.XXXXXX", uri[PATH_MAX];
	char err[256] = "";
	struct virt *v = NULL;
	struct timespec t;

	if (!getenv("VGPUFS_TEST_LIBVIRTD") || strcmp(getenv("VGPUFS_TEST_LIBVIRTD"), "1")) {
		printf("# shared libvirtd tests skipped (set VGPUFS_TEST_LIBVIRTD=1)\n");
		return;
	}
	if (!find_script(script, sizeof(script))) {
		CHECK(!"tools/test-libvirtd.sh found (set VGPUFS_TEST_LIBVIRTD_SCRIPT)");
		return;
	}
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	t = now();
	if (!daemon_start(script, dir, uri, sizeof(uri))) {
		CHECK(!"tools/test-libvirtd.sh start");
		shell("'%s' stop '%s'; rm -rf '%s'", script, dir, dir);
		return;
	}
	printf("# libvirtd answered after %.0f ms: %s\n", elapsed_ms(&t), uri);
	/* hold /default before virsh touches it: otherwise each virsh gets a fresh one */
	CHECK(virt_open(uri, record_event, NULL, &v, err, sizeof(err)) == 0);
	if (v) {
		test_events_across_processes(v, uri, dir);
		test_daemon_restart(v, script, dir, uri);
		virt_close(v);
	}
	daemon_stop(script, dir);
	shell("rm -rf '%s'", dir);
}

int main(void)
{
	test_in_process();
	test_shared_daemon();
	return tap_done();
}
