/* guest_isos.c — groups' guest-driver ISOs: the image a group with make_guest_iso asks
 * for (named by its inputs), the thread that builds it (guest_iso.h) with the engine
 * lock released, and pointing driver_iso at it once published; the checks of
 * make_guest_iso, driver_iso and client_token; and the removal of images no group uses. */
#include "engine_internal.h"
#include "crashpoint.h"
#include "guest_iso.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The ISO a group with make_guest_iso asks for: named by the guest versions and, with a
 * token, its digest, so the same inputs give the same file. */
static int wanted_iso(struct engine *e, const struct group *g, char *buf, size_t size,
		      char *why, size_t why_size)
{
	const struct media_entry *b = g->driver[0] ? driver_bundle(e, g->driver, true) : NULL;
	const struct media_entry *tok = g->client_token[0] ?
		media_find(&e->media, g->client_token) : NULL;
	const struct bundle_info *i;
	char token[16] = "";

	if (!b && g->driver[0])
		snprintf(why, why_size, "no bundle of driver %s in media/ holds guest drivers",
			 g->driver);
	else if (!b)
		snprintf(why, why_size, "the group has no driver");
	if (!b)
		return -EINVAL;
	if (g->client_token[0] && !tok) {
		snprintf(why, why_size, "client_token %s is not in media/", g->client_token);
		return -ENOENT;
	}
	if (tok)
		snprintf(token, sizeof(token), "-%.8s", tok->sha256);
	i = &b->info;
	return str_printf(buf, size, "nvidia-guest-%s%s%s%s.iso", i->linux_guest_version,
			  i->linux_guest_version[0] && i->windows_guest_version[0] ? "-" : "",
			  i->windows_guest_version, token);
}

/* The image named iso, when the daemon made it and it is whole: a user's file of that
 * name is never taken for it. */
static const struct media_entry *made_iso(struct engine *e, const char *iso)
{
	const struct media_entry *m = media_find(&e->media, iso);

	return m && m->generated && !m->info.invalid[0] ? m : NULL;
}

static struct iso_job *iso_job_find(struct engine *e, const char *iso)
{
	for (size_t i = 0; i < e->n_iso_jobs; i++)
		if (!strcmp(e->iso_jobs[i].iso, iso))
			return &e->iso_jobs[i];
	return NULL;
}

static void iso_job_drop(struct engine *e, struct iso_job *j)
{
	assert(e->n_iso_jobs > 0);
	*j = e->iso_jobs[--e->n_iso_jobs];
}

static int iso_queue(struct engine *e, const char *iso)
{
	struct iso_job *j = iso_job_find(e, iso), *grown;

	if (j && j->state == ISO_BUILDING)
		return 0;
	if (!j) {
		grown = realloc(e->iso_jobs, (e->n_iso_jobs + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		e->iso_jobs = grown;
		j = &e->iso_jobs[e->n_iso_jobs++];
	}
	*j = (struct iso_job){ .state = ISO_QUEUED };
	str_copy(j->iso, sizeof(j->iso), iso);
	events_add(&e->events, "media/%s: building the guest ISO", iso);
	pthread_cond_signal(&e->iso_cond);
	return 0;
}

/* The VMs whose devices attach the group's guest ISO get their definitions again. */
static void apply_group_definitions(struct engine *e, const char *group)
{
	char err[MESSAGE_MAX];

	for (size_t i = 0; e->virt && i < e->devices.n; i++) {
		const struct device *d = &e->devices.items[i];
		const struct group *g = device_group(e, d);
		bool done = false;

		if (!g || strcmp(g->name, group) || !d->attach_guest_drivers)
			continue;
		for (size_t j = 0; j < i && !done; j++)
			done = !strcmp(e->devices.items[j].vm_uuid, d->vm_uuid) &&
			       device_group(e, &e->devices.items[j]) == g &&
			       e->devices.items[j].attach_guest_drivers;
		if (!done && vm_apply(e, d->vm_uuid, NULL, err, sizeof(err)) < 0)
			events_add(&e->events, "vms/%s: guest ISO of group %s not applied: %s",
				   d->vm_uuid, group, err);
	}
}

static int save_group_row(struct engine *e, void *arg)
{
	return store_group_save(&e->store, arg);
}

/* The first group whose make_guest_iso asks for the image iso, or NULL. */
static const struct group *iso_wanter(struct engine *e, const char *iso)
{
	for (size_t i = 0; i < e->groups.n; i++) {
		const struct group *g = &e->groups.items[i];
		char name[MEDIA_NAME_MAX + 1], why[MESSAGE_MAX];

		if (g->make_guest_iso && wanted_iso(e, g, name, sizeof(name), why,
						    sizeof(why)) >= 0 && !strcmp(name, iso))
			return g;
	}
	return NULL;
}

/* A generated ISO no group uses and no job makes goes, and so does a failed job no group
 * asks for any more. */
static void iso_collect(struct engine *e)
{
	char uses[64], path[PATH_MAX];

	for (size_t i = e->n_iso_jobs; i-- > 0;)
		if (e->iso_jobs[i].state == ISO_FAILED && !iso_wanter(e, e->iso_jobs[i].iso))
			iso_job_drop(e, &e->iso_jobs[i]);

	for (size_t i = 0; i < e->media.n; i++) {
		struct media_entry *m = &e->media.items[i];
		char name[MEDIA_NAME_MAX + 1];

		if (!m->generated || media_uses(e, m->name, uses, sizeof(uses)) ||
		    iso_job_find(e, m->name))
			continue;
		str_copy(name, sizeof(name), m->name);
		engine_object(e, "media/%s", name);
		if (commit_change(e, media_row_delete, name) < 0 ||
		    media_path(&e->media, name, path, sizeof(path)) < 0)
			continue;
		unlink(path);
		media_drop(&e->media, name);
		events_add(&e->events, "media/%s removed: no group uses this guest ISO", name);
		i--; /* media_drop moved the last entry here */
	}
}

/* Groups that make guest ISOs point driver_iso at theirs once it exists, and queue it
 * while it does not. */
void iso_settle(struct engine *e)
{
	for (size_t i = 0; i < e->groups.n; i++) {
		struct group *g = &e->groups.items[i], want = *g;
		char iso[MEDIA_NAME_MAX + 1], why[MESSAGE_MAX];

		if (!g->make_guest_iso || wanted_iso(e, g, iso, sizeof(iso), why, sizeof(why)) < 0)
			continue;
		if (!made_iso(e, iso)) {
			if (!iso_job_find(e, iso))
				iso_queue(e, iso);
			continue;
		}
		if (!strcmp(g->driver_iso, iso))
			continue;
		str_copy(want.driver_iso, sizeof(want.driver_iso), iso);
		engine_object(e, "groups/%s", g->name);
		if (commit_change(e, save_group_row, &want) < 0)
			continue;
		*g = want;
		events_add(&e->events, "groups/%s/driver_iso = %s (guest ISO ready)", g->name, iso);
		apply_group_definitions(e, g->name);
	}
	iso_collect(e);
}

/* What the ISO named iso is made of, from the first group asking for it. */
struct iso_input {
	char bundle[PATH_MAX], token[PATH_MAX], token_name[MEDIA_NAME_MAX + 1];
	char volume[64], dest[PATH_MAX];
	struct bundle_member members[BUNDLE_GUEST_FILES_MAX];
	size_t n;
};

static int iso_input(struct engine *e, const char *iso, struct iso_input *in)
{
	const struct group *g = iso_wanter(e, iso);
	const struct media_entry *b = g ? driver_bundle(e, g->driver, true) : NULL;

	if (!b)
		return -ENOENT;
	memset(in, 0, sizeof(*in));
	media_path(&e->media, b->name, in->bundle, sizeof(in->bundle));
	if (g->client_token[0]) {
		media_path(&e->media, g->client_token, in->token, sizeof(in->token));
		str_copy(in->token_name, sizeof(in->token_name), g->client_token);
	}
	/* ISO 9660 allows 32 bytes: "NVIDIA_GUEST_" and a version fit */
	snprintf(in->volume, 33, "NVIDIA_GUEST_%.19s", b->info.linux_guest_version[0] ?
		 b->info.linux_guest_version : b->info.windows_guest_version);
	memcpy(in->members, b->info.guest_files, sizeof(in->members));
	in->n = b->info.n_guest_files;
	return str_printf(in->dest, sizeof(in->dest), "%s/%s", e->media.uploads, iso);
}

/* Publishes a built ISO: its row, then its name in media/. */
static int iso_publish(struct engine *e, const struct iso_input *in, struct media_entry *m,
		       char *err, size_t err_size)
{
	int r;

	if (media_find(&e->media, m->name)) {
		snprintf(err, err_size, "a file named %s that vgpufs did not make is in media/; "
			 "remove or rename it", m->name);
		return -EEXIST;
	}
	m->generated = true;
	engine_object(e, "media/%s", m->name);
	r = commit_change(e, media_row_save, m);
	crashpoint("iso-row-committed");
	if (r >= 0)
		r = media_publish_file(&e->media, in->dest, m->name);
	if (r < 0)
		snprintf(err, err_size, "publishing the image: %s", strerror(-r));
	if (r >= 0)
		r = media_put(&e->media, m);
	if (r >= 0)
		events_add(&e->events, "media/%s: guest ISO built (%llu bytes)", m->name,
			   (unsigned long long)m->size);
	return r;
}

/* Builds one queued ISO with the lock released, then publishes it under the lock. */
static void iso_build(struct engine *e, struct iso_job *job)
{
	char iso[MEDIA_NAME_MAX + 1], err[MESSAGE_MAX] = "", sha256[SHA256_HEX_LEN + 1];
	struct iso_input in;
	struct media_entry m;
	int r;

	str_copy(iso, sizeof(iso), job->iso);
	if (iso_input(e, iso, &in) < 0) {
		iso_job_drop(e, job); /* no group asks for it any more */
		return;
	}
	job->state = ISO_BUILDING;
	pthread_mutex_unlock(&e->lock);
	r = guest_iso_build(&(struct guest_iso_input){ in.bundle, in.members, in.n,
			    in.token[0] ? in.token : NULL, in.token_name, in.volume, in.dest },
			    sha256, err, sizeof(err));
	if (r >= 0)
		media_remember_digest(&e->media, in.dest, sha256);
	crashpoint("iso-built");
	if (r >= 0 && (r = media_examine(&e->media, iso, in.dest, &m)) < 0)
		snprintf(err, sizeof(err), "reading the image: %s", strerror(-r));
	pthread_mutex_lock(&e->lock);
	if (r >= 0)
		r = iso_publish(e, &in, &m, err, sizeof(err));
	if (r >= 0)
		crashpoint("iso-published");
	if (r < 0) {
		media_forget_digest(&e->media, in.dest);
		unlink(in.dest);
	}
	job = iso_job_find(e, iso);
	assert(job);
	if (r < 0) {
		job->state = ISO_FAILED;
		str_copy(job->error, sizeof(job->error), err);
		events_add(&e->events, "media/%s: guest ISO failed: %s", iso, err);
	} else {
		iso_job_drop(e, job);
	}
	iso_settle(e);
}

static void *iso_builder(void *arg)
{
	struct engine *e = arg;

	pthread_mutex_lock(&e->lock);
	while (!e->iso_stopping) {
		struct iso_job *next = NULL;

		for (size_t i = 0; i < e->n_iso_jobs && !next; i++)
			if (e->iso_jobs[i].state == ISO_QUEUED)
				next = &e->iso_jobs[i];
		if (next)
			iso_build(e, next);
		else
			pthread_cond_wait(&e->iso_cond, &e->lock);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

static int validate_media_ref(struct engine *e, const char *field, const char *name,
			      enum media_kind kind)
{
	const struct media_entry *m = name[0] ? media_find(&e->media, name) : NULL;

	if (!name[0])
		return 0;
	if (!m)
		return refuse(e, -ENOENT, "%s: no file %s in media/", field, name);
	if (m->info.kind != kind || m->info.invalid[0])
		return refuse(e, -EINVAL, "%s: %s is not a usable %s (%s)", field, name,
			      media_kind_name(kind), m->info.invalid[0] ? m->info.invalid :
			      media_kind_name(m->info.kind));
	if (media_being_written(&e->media, name))
		return refuse(e, -EBUSY, "%s: media/%s is open for writing; a file in use must "
			      "not change", field, name);
	return 0;
}

int media_check_group(struct engine *e, const struct group *g, struct group *want,
		      const char *field)
{
	char iso[MEDIA_NAME_MAX + 1], why[MESSAGE_MAX];
	int r = 0;

	if (!strcmp(field, "driver"))
		r = validate_driver(e, g, want);
	else if (!strcmp(field, "driver_iso"))
		r = validate_media_ref(e, field, want->driver_iso, MEDIA_ISO);
	else if (!strcmp(field, "client_token"))
		r = validate_media_ref(e, field, want->client_token, MEDIA_TOKEN);
	else if (strcmp(field, "make_guest_iso"))
		return 0;
	if (r < 0)
		return r;
	if (!strcmp(field, "driver_iso"))
		want->make_guest_iso = false; /* a hand-picked ISO: the group stops making one */
	if (!want->make_guest_iso)
		return 0;
	r = wanted_iso(e, want, iso, sizeof(iso), why, sizeof(why));
	if (r < 0)
		return refuse(e, r, "make_guest_iso is 1 but %s", why);
	if (made_iso(e, iso))
		str_copy(want->driver_iso, sizeof(want->driver_iso), iso);
	return 0;
}

void media_group_changed(struct engine *e, const struct group *was, const struct group *g,
			 const char *field)
{
	char iso[MEDIA_NAME_MAX + 1], why[MESSAGE_MAX];
	struct iso_job *j;

	if (g && was && strcmp(was->driver_iso, g->driver_iso))
		apply_group_definitions(e, g->name);
	if (g && g->make_guest_iso && !strcmp(field, "make_guest_iso") &&
	    wanted_iso(e, g, iso, sizeof(iso), why, sizeof(why)) >= 0 &&
	    (j = iso_job_find(e, iso)) && j->state == ISO_FAILED)
		iso_queue(e, iso); /* echo 1 > make_guest_iso tries a failed build again */
	iso_settle(e);
}

int group_iso_field(struct engine *e, const struct group *g, const char *field, char *buf,
		    size_t size)
{
	char iso[MEDIA_NAME_MAX + 1], why[MESSAGE_MAX] = "";
	const struct iso_job *j = NULL;
	const char *status = "none";

	if (g->make_guest_iso && wanted_iso(e, g, iso, sizeof(iso), why, sizeof(why)) >= 0) {
		j = iso_job_find(e, iso);
		if (j)
			status = j->state == ISO_FAILED ? "failed" : "building";
		else if (!strcmp(g->driver_iso, iso))
			status = "ready";
	} else if (g->make_guest_iso) {
		status = "failed";
	}
	if (!strcmp(field, "iso_status"))
		return str_copy(buf, size, status);
	return str_copy(buf, size, j && j->state == ISO_FAILED ? j->error : why);
}

int iso_start(struct engine *e)
{
	int r;

	r = -pthread_create(&e->iso_builder, NULL, iso_builder, e);
	e->iso_builder_started = r == 0;
	return r;
}

void iso_stop(struct engine *e)
{
	if (e->iso_builder_started) {
		pthread_mutex_lock(&e->lock);
		e->iso_stopping = true;
		pthread_cond_broadcast(&e->iso_cond);
		pthread_mutex_unlock(&e->lock);
		pthread_join(e->iso_builder, NULL);
	}
	pthread_cond_destroy(&e->iso_cond);
	free(e->iso_jobs);
	e->iso_jobs = NULL;
}
