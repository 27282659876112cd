/* hotplug.c — the host changing under the daemon: GPUs that appear and disappear (a
 * hot-plug, a driver unbind, an SR-IOV change). A thread listens to the kernel's uevents
 * (uevent.h) and, as a fallback, rescans every interval. A uevent of the pci or mdev bus
 * drops the host's live readings, so the next read of the tree is fresh; one that adds,
 * removes, binds, unbinds or changes a PCI function makes the GPUs be discovered again.
 * The thread holds the engine lock only to act: a rescan reads sysfs without it
 * (host_discover into a host of its own), then takes it to merge (host_merge).
 *
 * A GPU that vanished stays, marked gone, while anything refers to it (a vGPU record, a
 * rule's slot): its vGPUs read lost, its group degraded, placement skips it, nothing is
 * deleted. When the same card returns its vGPUs are made again with the same UUIDs and
 * options (vgpus_recreate, as at start). Every change is one line of events per GPU. */
#include "engine_internal.h"
#include "uevent.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A GPU going comes as a burst (its vGPUs, VFs and functions, unbind and remove): the
 * rescan waits for the socket to be quiet this long, up to SETTLE_MAX_MS. */
#define SETTLE_MS 100
#define SETTLE_MAX_MS 2000

struct hotplug {
	int sock;            /* the uevent socket, -1 when there is none (the timer alone) */
	int wake[2];         /* a pipe: a byte on it stops the thread */
	unsigned interval_s; /* 0: no periodic rescan */
	pthread_t thread;
	bool started;
	bool rescan_failing; /* the last rescan failed: logged once until one works */
};

/* What the uevents read so far ask for. */
struct wanted {
	bool forget, rescan;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ---- what a rescan changes in the engine (lock held) ---- */

static bool referenced(struct engine *e, const char *bdf)
{
	for (size_t i = 0; i < e->devices.n_vgpus; i++)
		if (!strcmp(e->devices.vgpus[i].gpu, bdf))
			return true;
	for (size_t i = 0; i < e->groups.n; i++)
		for (size_t j = 0; j < e->groups.items[i].n_rules; j++)
			if (rule_names_slot(&e->groups.items[i].rules[j], bdf))
				return true;
	return false;
}

/* Marks the vGPUs of g that are not on the host (all of them, when it is gone). */
static size_t mark_lost(struct engine *e, const struct gpu *g)
{
	size_t n = 0;

	for (size_t i = 0; i < e->devices.n_vgpus; i++) {
		struct vgpu *v = &e->devices.vgpus[i];

		if (strcmp(v->gpu, g->pci.bdf) ||
		    (!g->gone && host_vgpu_exists(&e->host, g, v->slot, v->type_id, v->uuid)))
			continue;
		v->lost = true;
		n++;
	}
	return n;
}

static size_t count_lost(struct engine *e, const char *bdf)
{
	size_t n = 0;

	for (size_t i = 0; i < e->devices.n_vgpus; i++)
		n += e->devices.vgpus[i].lost && !strcmp(e->devices.vgpus[i].gpu, bdf);
	return n;
}

/* ", group G degraded" when a group holds g, else "". */
static void group_words(struct engine *e, const struct gpu *g, char *buf, size_t size)
{
	const struct group *first;

	buf[0] = '\0';
	if (groups_matching(&e->groups, g, e->host_name, &first) == 1)
		snprintf(buf, size, "; group %s degraded", first->name);
}

static void vanished(struct engine *e, struct gpu *g)
{
	char group[NAME_MAX_LEN + 32];
	size_t lost;

	if (!referenced(e, g->pci.bdf)) {
		events_add(&e->events, "gpus/%s: gone from the host (%s); nothing refers to it, "
			   "no longer listed", g->pci.bdf, g->name);
		host_drop_gpu(&e->host, g);
		return;
	}
	lost = mark_lost(e, g);
	group_words(e, g, group, sizeof(group));
	events_add(&e->events, "gpus/%s: gone from the host (%s); state gone, %zu vGPUs lost%s",
		   g->pci.bdf, g->name, lost, group);
}

static void returned(struct engine *e, const struct gpu *g, const char *how)
{
	char bdf[BDF_MAX];
	size_t lost = count_lost(e, g->pci.bdf), made;

	str_copy(bdf, sizeof(bdf), g->pci.bdf);
	made = g->mode == GPU_MODE_NONE ? 0 : vgpus_recreate(e, bdf);
	events_add(&e->events, "gpus/%s: %s (%s, mode %s); %zu of %zu lost vGPUs re-created",
		   bdf, how, g->name, gpu_mode_name(g->mode), made, lost);
}

static void replaced(struct engine *e, struct gpu *g, const struct gpu_change_note *c)
{
	size_t lost = mark_lost(e, g);

	events_add(&e->events, "gpus/%s: another card at this address (%04x:%04x subsystem "
		   "%04x:%04x, was %04x:%04x subsystem %04x:%04x); %zu vGPUs lost, not re-created",
		   g->pci.bdf, g->pci.vendor, g->pci.device, g->pci.subsystem_vendor,
		   g->pci.subsystem_device, c->was.vendor, c->was.device, c->was.subsystem_vendor,
		   c->was.subsystem_device, lost);
}

static void apply_note(struct engine *e, const struct gpu_change_note *c)
{
	struct gpu *g = host_find_gpu(&e->host, c->bdf);
	char how[128];

	assert(g);
	switch (c->change) {
	case GPU_VANISHED:
		vanished(e, g);
		break;
	case GPU_RETURNED:
		returned(e, g, "back on the host, the same card");
		break;
	case GPU_REPLACED:
		replaced(e, g, c);
		break;
	case GPU_CHANGED:
		mark_lost(e, g);
		snprintf(how, sizeof(how), "changed (driver %s, was %s; mode was %s)",
			 g->pci.kernel_driver[0] ? g->pci.kernel_driver : "none",
			 c->was.kernel_driver[0] ? c->was.kernel_driver : "none",
			 gpu_mode_name(c->was_mode));
		returned(e, g, how);
		break;
	case GPU_APPEARED:
		events_add(&e->events, "gpus/%s: appeared (%s, mode %s, %zu types)", g->pci.bdf,
			   g->name, gpu_mode_name(g->mode), g->n_types);
		break;
	}
}

/* Gone GPUs whose last reference went since they went (a device removed, a rule). */
static void drop_unreferenced(struct engine *e)
{
	for (size_t i = e->host.n_gpus; i-- > 0;) {
		struct gpu *g = &e->host.gpus[i];

		if (!g->gone || referenced(e, g->pci.bdf))
			continue;
		events_add(&e->events, "gpus/%s: gone, and nothing refers to it any more; "
			   "no longer listed", g->pci.bdf);
		host_drop_gpu(&e->host, g);
	}
}

static void rescan_failed(struct engine *e, int r, const char *err)
{
	if (e->hotplug->rescan_failing)
		return;
	e->hotplug->rescan_failing = true;
	events_add(&e->events, "host rescan failed (%s): %s; the GPUs are as last seen",
		   strerrorname_np(-r), err[0] ? err : strerror(-r));
}

static void apply_notes(struct engine *e, const struct gpu_change_note *notes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		apply_note(e, &notes[i]);
	drop_unreferenced(e);
	rules_note_hardware(e); /* another card at a rule's address: hardware-changed */
}

/* Discovers the GPUs again without the lock (a big host takes a while), then takes it to
 * bring the engine in line. The catalogues are the store's: read and kept under it. */
static void rescan(struct engine *e)
{
	struct catalogues known = { 0 };
	struct gpu_change_note *notes = NULL;
	struct host fresh;
	char root[PATH_MAX], err[256] = "";
	size_t n = 0;
	int r;

	{
		LOCK_ENGINE(e);
		catalogues_load_or_log(e, &known);
		str_copy(root, sizeof(root), e->host.root);
	}
	r = host_discover(&fresh, root, 0, &known, err, sizeof(err));
	LOCK_ENGINE(e);
	if (r >= 0)
		catalogues_keep(e, &known);
	catalogues_free(&known);
	if (r >= 0 && (r = host_merge(&e->host, &fresh, &notes, &n)) < 0)
		host_free(&fresh);
	if (r < 0) {
		host_forget_all(&e->host); /* the host changed all the same */
		rescan_failed(e, r, err);
		return;
	}
	e->hotplug->rescan_failing = false;
	apply_notes(e, notes, n);
	free(notes);
}

/* ---- the thread ---- */

/* A rescan drops the live readings too. */
static void act(struct engine *e, const struct wanted *w)
{
	if (w->rescan) {
		rescan(e);
	} else if (w->forget) {
		LOCK_ENGINE(e);
		host_forget_all(&e->host);
	}
}

/* A failed socket is given up: the timer goes on alone. */
static void give_up_socket(struct engine *e, int r)
{
	LOCK_ENGINE(e);

	events_add(&e->events, "uevents: the socket failed (%s); GPUs are rescanned only "
		   "every %u s", strerrorname_np(-r), e->hotplug->interval_s);
	close(e->hotplug->sock);
	e->hotplug->sock = -1;
}

/* Reads every waiting message. An overflow lost some: everything may have changed. */
static void drain(struct engine *e, struct wanted *w)
{
	struct uevent u;
	int r;

	while ((r = uevent_receive(e->hotplug->sock, &u)) != -EAGAIN) {
		if (r == -ENOBUFS) {
			w->forget = w->rescan = true;
		} else if (r == -EBADMSG) {
			continue;
		} else if (r < 0) {
			give_up_socket(e, r);
			return;
		} else if (uevent_relevant(&u)) {
			w->forget = true;
			w->rescan |= uevent_wants_rescan(&u);
		}
	}
}

/* Waits until the socket has been quiet for SETTLE_MS, reading what comes; false when
 * the thread is to stop. */
static bool settle(struct engine *e, struct wanted *w)
{
	long long until = now_ms() + SETTLE_MAX_MS;

	while (e->hotplug->sock >= 0 && now_ms() < until) {
		struct pollfd fds[2] = { { e->hotplug->wake[0], POLLIN, 0 },
					 { e->hotplug->sock, POLLIN, 0 } };

		if (poll(fds, 2, SETTLE_MS) <= 0)
			return true;
		if (fds[0].revents)
			return false;
		drain(e, w);
	}
	return true;
}

static int timeout_until(long long next)
{
	long long left = next - now_ms();

	return !next ? -1 : left < 0 ? 0 : (int)left;
}

static void *hotplug_thread(void *arg)
{
	struct engine *e = arg;
	struct hotplug *hp = e->hotplug;
	long long every = hp->interval_s * 1000LL, next = every ? now_ms() + every : 0;

	for (;;) {
		struct pollfd fds[2] = { { hp->wake[0], POLLIN, 0 }, { hp->sock, POLLIN, 0 } };
		struct wanted w = { false, false };
		int n = poll(fds, hp->sock >= 0 ? 2 : 1, timeout_until(next));

		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && fds[0].revents)
			break;
		if (n > 0 && hp->sock >= 0 && fds[1].revents) {
			drain(e, &w);
			if (w.rescan && !settle(e, &w))
				break;
		}
		if (next && now_ms() >= next)
			w.rescan = true;
		if (w.forget || w.rescan)
			act(e, &w);
		if (w.rescan && every)
			next = now_ms() + every;
	}
	return NULL;
}

int hotplug_start(struct engine *e, unsigned interval_s)
{
	struct hotplug *hp = calloc(1, sizeof(*hp));
	int r;

	if (!hp)
		return -ENOMEM;
	hp->interval_s = interval_s;
	if (pipe2(hp->wake, O_CLOEXEC) < 0) {
		free(hp);
		return -errno;
	}
	hp->sock = uevent_open();
	e->hotplug = hp;
	if (hp->sock < 0) {
		LOCK_ENGINE(e);

		events_add(&e->events, "uevents: no socket (%s); GPUs are rescanned %s",
			   strerrorname_np(-hp->sock), interval_s ? "on the timer alone" :
			   "never (--rescan-interval 0)");
	}
	r = -pthread_create(&hp->thread, NULL, hotplug_thread, e);
	hp->started = r == 0;
	if (r < 0)
		hotplug_stop(e);
	return r;
}

void hotplug_stop(struct engine *e)
{
	struct hotplug *hp = e->hotplug;

	if (!hp)
		return;
	if (hp->started) {
		ssize_t w = write(hp->wake[1], "", 1); /* the first byte: it fits */

		assert(w == 1);
		(void)w;
		pthread_join(hp->thread, NULL);
	}
	if (hp->sock >= 0)
		close(hp->sock);
	close(hp->wake[0]);
	close(hp->wake[1]);
	free(hp);
	e->hotplug = NULL;
}
