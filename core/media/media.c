/* media.c — see media.h. */
#include "media.h"
#include "util.h"
#include "value.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HASH_BLOCK (1 << 20)

struct media_handle {
	struct media_store *store;
	struct media_handle *next_writer;  /* in store->writers while writable */
	/* FUSE threads may write, flush (each close of a dup) and release one handle at
	 * once: everything below but fd and name is under it */
	pthread_mutex_t lock;
	int fd;
	char name[MEDIA_NAME_MAX + 1];
	char upload[PATH_MAX];  /* the upload file until published, else "" */
	bool writable;
	bool dirty;             /* written since the last finish */
	bool failed;            /* a write failed: the upload is dropped */
	bool published;         /* this handle's upload was published (a dup closed early) */
	bool scratch;           /* opened to be written from scratch: a failure empties it */
	int error;
	struct trailing_digest *digest;  /* while written from scratch, until finished */
};

/* ---- names ---- */

bool media_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > MEDIA_NAME_MAX || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strchr(name, '/') || !value_is_utf8(name))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	return true;
}

bool media_name_is_staging(const char *name)
{
	return name[0] == '.';
}

int media_path(const struct media_store *m, const char *name, char *buf, size_t size)
{
	return str_printf(buf, size, "%s/%s", m->dir, name);
}

/* ---- digests ---- */

/* The digest of a file written in order from offset 0, made by a thread of its own that
 * reads what the writer has written (from the page cache) while the writer goes on, so
 * a FUSE write only counts bytes and the hashing runs on another core. */
struct trailing_digest {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fd;
	uint64_t written;  /* bytes written in order from offset 0 */
	uint64_t hashed;
	bool closing;      /* no more writes: hash what is written, then stop */
	bool broken;       /* a write out of order, a truncate, a read error */
	EVP_MD_CTX *sha;
};

static void hex(const unsigned char *d, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static int digest_final(EVP_MD_CTX *sha, char out[SHA256_HEX_LEN + 1])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (!EVP_DigestFinal_ex(sha, d, &n) || n != SHA256_HEX_LEN / 2)
		return -EIO;
	hex(d, n, out);
	return 0;
}

static int sha256_fd(int fd, char out[SHA256_HEX_LEN + 1])
{
	EVP_MD_CTX *sha = EVP_MD_CTX_new();
	char *buf = malloc(HASH_BLOCK);
	ssize_t got = 0;
	off_t at = 0;
	int r = -ENOMEM;

	if (sha && buf && EVP_DigestInit_ex(sha, EVP_sha256(), NULL)) {
		while ((got = pread(fd, buf, HASH_BLOCK, at)) > 0) {
			EVP_DigestUpdate(sha, buf, (size_t)got);
			at += got;
		}
		r = got < 0 ? -errno : digest_final(sha, out);
	}
	EVP_MD_CTX_free(sha);
	free(buf);
	return r;
}

/* Hashes [from, to) of the file; false on a read error. */
static bool hash_range(struct trailing_digest *t, char *buf, uint64_t from, uint64_t to)
{
	while (from < to) {
		size_t want = to - from < HASH_BLOCK ? (size_t)(to - from) : HASH_BLOCK;
		ssize_t got = pread(t->fd, buf, want, (off_t)from);

		if (got <= 0)
			return false;
		EVP_DigestUpdate(t->sha, buf, (size_t)got);
		from += (uint64_t)got;
	}
	return true;
}

static void *trailing_run(void *arg)
{
	struct trailing_digest *t = arg;
	char *buf = malloc(HASH_BLOCK);

	pthread_mutex_lock(&t->lock);
	t->broken |= !buf;
	for (;;) {
		uint64_t from = t->hashed, to = t->written;

		if (t->broken || (from == to && t->closing))
			break;
		if (from == to) {
			pthread_cond_wait(&t->cond, &t->lock);
			continue;
		}
		pthread_mutex_unlock(&t->lock);
		bool ok = hash_range(t, buf, from, to);
		pthread_mutex_lock(&t->lock);
		t->broken |= !ok;
		t->hashed = to;
	}
	pthread_mutex_unlock(&t->lock);
	free(buf);
	return NULL;
}

static struct trailing_digest *trailing_start(int fd)
{
	struct trailing_digest *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->fd = fd;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	t->sha = EVP_MD_CTX_new();
	if (!t->sha || !EVP_DigestInit_ex(t->sha, EVP_sha256(), NULL) ||
	    pthread_create(&t->thread, NULL, trailing_run, t)) {
		EVP_MD_CTX_free(t->sha);
		free(t);
		return NULL;
	}
	return t;
}

/* A write of n bytes at offset: in order, the thread hashes them; else it gives up. */
static void trailing_add(struct trailing_digest *t, uint64_t offset, uint64_t n)
{
	pthread_mutex_lock(&t->lock);
	if (offset == t->written)
		t->written += n;
	else
		t->broken = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

static void trailing_break(struct trailing_digest *t)
{
	pthread_mutex_lock(&t->lock);
	t->broken = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

/* Waits for the thread and frees it: the digest of the first size bytes into out (0),
 * or -EAGAIN when it does not cover exactly those (the file is then read). */
static int trailing_end(struct trailing_digest *t, uint64_t size, char *out)
{
	int r = -EAGAIN;

	pthread_mutex_lock(&t->lock);
	t->closing = true;
	t->broken |= !out; /* not wanted: stop at once */
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	if (out && !t->broken && t->hashed == size)
		r = digest_final(t->sha, out);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	EVP_MD_CTX_free(t->sha);
	free(t);
	return r;
}

int media_sha256_file(const char *path, char out[SHA256_HEX_LEN + 1])
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : sha256_fd(fd, out);
}

static void memo_add(struct media_store *m, const struct stat *st, const char *sha256)
{
	struct media_memo *slot;

	pthread_mutex_lock(&m->lock);
	slot = &m->memo[m->memo_next % ARRAY_SIZE(m->memo)];
	for (size_t i = 0; i < ARRAY_SIZE(m->memo); i++)
		if (m->memo[i].ino == st->st_ino && m->memo[i].dev == st->st_dev)
			slot = &m->memo[i]; /* one memo per inode: the newest */
	if (slot == &m->memo[m->memo_next % ARRAY_SIZE(m->memo)])
		m->memo_next++;
	*slot = (struct media_memo){ st->st_dev, st->st_ino, (uint64_t)st->st_size, "" };
	memcpy(slot->sha256, sha256, sizeof(slot->sha256));
	pthread_mutex_unlock(&m->lock);
}

void media_remember_digest(struct media_store *m, const char *path, const char *sha256)
{
	struct stat st;

	if (stat(path, &st) == 0)
		memo_add(m, &st, sha256);
}

/* A memo holds for the inode only while nothing else was written to it: every write
 * goes through a handle, and opening one for writing forgets the inode's memo. */
static bool memo_take(struct media_store *m, const struct stat *st, char *sha256,
		      bool forget_only)
{
	bool found = false;

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < ARRAY_SIZE(m->memo); i++) {
		struct media_memo *memo = &m->memo[i];

		if (memo->ino != st->st_ino || memo->dev != st->st_dev)
			continue;
		if (!forget_only && memo->size == (uint64_t)st->st_size) {
			memcpy(sha256, memo->sha256, SHA256_HEX_LEN + 1);
			found = true;
		}
		memset(memo, 0, sizeof(*memo));
	}
	pthread_mutex_unlock(&m->lock);
	return found;
}

void media_forget_digest(struct media_store *m, const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		memo_take(m, &st, NULL, true);
}

/* ---- the table ---- */

struct media_entry *media_find(struct media_store *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->items[i].name, name))
			return &m->items[i];
	return NULL;
}

int media_put(struct media_store *m, const struct media_entry *e)
{
	struct media_entry *old = media_find(m, e->name), *grown;

	if (old) {
		*old = *e;
		return 0;
	}
	grown = realloc(m->items, (m->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	m->items = grown;
	m->items[m->n++] = *e;
	return 0;
}

void media_drop(struct media_store *m, const char *name)
{
	struct media_entry *e = media_find(m, name);

	if (!e)
		return;
	assert(m->n > 0);
	*e = m->items[--m->n];
}

int64_t media_mtime_ns(const struct stat *st)
{
	int64_t ns;

	if (__builtin_mul_overflow((int64_t)st->st_mtim.tv_sec, 1000000000, &ns) ||
	    __builtin_add_overflow(ns, st->st_mtim.tv_nsec, &ns))
		return st->st_mtim.tv_sec < 0 ? INT64_MIN : INT64_MAX; /* past 2262: compares */
	return ns;
}

int media_examine(struct media_store *m, const char *name, const char *path,
		  struct media_entry *out)
{
	char own[PATH_MAX];
	struct stat st;
	int r;

	if (!path) {
		if (media_path(m, name, own, sizeof(own)) < 0)
			return -ENAMETOOLONG;
		path = own;
	}
	memset(out, 0, sizeof(*out));
	if (str_copy(out->name, sizeof(out->name), name) < 0)
		return -ENAMETOOLONG;
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL; /* a link planted in the store is not followed */
	out->size = (uint64_t)st.st_size;
	out->mtime_ns = media_mtime_ns(&st);
	if (!memo_take(m, &st, out->sha256, false) && (r = media_sha256_file(path, out->sha256)) < 0)
		return r;
	return bundle_inspect(path, name, &out->info);
}

/* ---- opening the store ---- */

static int make_dir(const char *path, mode_t mode)
{
	return mkdir(path, mode) < 0 && errno != EEXIST ? -errno : 0;
}

static int remove_upload(const char *name, void *ctx)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", (const char *)ctx, name);
	unlink(path);
	return 0;
}

struct scan {
	struct media_store *m;
	const struct media_entry *known;
	size_t n_known;
};

static const struct media_entry *known_entry(const struct scan *s, const char *name)
{
	for (size_t i = 0; i < s->n_known; i++)
		if (!strcmp(s->known[i].name, name))
			return &s->known[i];
	return NULL;
}

/* One file of <state>/media at start: a staging file left by a crash goes; a published
 * one is listed, read again only when it changed since its row was written. */
static int scan_one(const char *name, void *ctx)
{
	struct scan *s = ctx;
	const struct media_entry *row = known_entry(s, name);
	struct media_entry e;
	char path[PATH_MAX];
	struct stat st;

	if (media_path(s->m, name, path, sizeof(path)) < 0 || lstat(path, &st) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0; /* only regular files are the store's */
	if (media_name_is_staging(name) || !media_name_ok(name)) {
		unlink(path); /* what a crash left; a failure is no reason not to start */
		return 0;
	}
	if (row && row->size == (uint64_t)st.st_size && row->mtime_ns == media_mtime_ns(&st)) {
		e = *row;
		if (bundle_inspect(path, name, &e.info) < 0)
			return 0;
	} else if (media_examine(s->m, name, path, &e) < 0) {
		return 0;
	} /* a changed file is no longer the daemon's own: e.generated stays false */
	return media_put(s->m, &e);
}

int media_store_open(struct media_store *m, const char *state_dir,
		     const struct media_entry *known, size_t n_known, char *err, size_t err_size)
{
	struct scan s = { m, known, n_known };
	int r;

	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	if (str_printf(m->dir, sizeof(m->dir), "%s/media", state_dir) < 0 ||
	    str_printf(m->uploads, sizeof(m->uploads), "%s/uploads", state_dir) < 0)
		return -ENAMETOOLONG;
	/* 0755: the qemu user libvirt runs guests as reads the guest ISOs here */
	r = make_dir(m->dir, 0755);
	if (r >= 0)
		r = make_dir(m->uploads, 0700);
	if (r >= 0)
		r = dir_for_each(m->uploads, remove_upload, m->uploads);
	if (r >= 0)
		r = dir_for_each(m->dir, scan_one, &s);
	if (r < 0)
		snprintf(err, err_size, "media store %s: %s", m->dir, strerror(-r));
	return r;
}

void media_store_close(struct media_store *m)
{
	free(m->items);
	m->items = NULL;
	m->n = 0;
	pthread_mutex_destroy(&m->lock);
}

/* ---- handles ---- */

static struct media_handle *handle_new(struct media_store *m, const char *name, int flags)
{
	struct media_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->store = m;
	h->fd = -1;
	pthread_mutex_init(&h->lock, NULL);
	str_copy(h->name, sizeof(h->name), name);
	h->writable = (flags & O_ACCMODE) != O_RDONLY;
	return h;
}

/* Writing from scratch: every byte may come in order, and is hashed as it comes. */
static int start_digest(struct media_handle *h)
{
	h->digest = trailing_start(h->fd);
	return h->digest ? 0 : -ENOMEM;
}

static void writers_add(struct media_handle *h)
{
	pthread_mutex_lock(&h->store->lock);
	h->next_writer = h->store->writers;
	h->store->writers = h;
	pthread_mutex_unlock(&h->store->lock);
}

static void writers_remove(struct media_handle *h)
{
	struct media_handle **p;

	pthread_mutex_lock(&h->store->lock);
	for (p = &h->store->writers; *p && *p != h; p = &(*p)->next_writer)
		;
	if (*p)
		*p = h->next_writer;
	pthread_mutex_unlock(&h->store->lock);
}

bool media_being_written(struct media_store *m, const char *name)
{
	bool found = false;

	pthread_mutex_lock(&m->lock);
	for (struct media_handle *h = m->writers; h && !found; h = h->next_writer)
		found = !strcmp(h->name, name);
	pthread_mutex_unlock(&m->lock);
	return found;
}

static int open_upload(struct media_store *m, struct media_handle *h, mode_t mode)
{
	if (str_printf(h->upload, sizeof(h->upload), "%s/upload-XXXXXX", m->uploads) < 0)
		return -ENAMETOOLONG;
	h->fd = mkostemp(h->upload, O_CLOEXEC);
	if (h->fd < 0) {
		h->upload[0] = '\0';
		return -errno;
	}
	return fchmod(h->fd, mode) < 0 ? -errno : 0;
}

int media_upload_apply(struct media_store *m, const char *name,
		       int (*fn)(int fd, const void *arg), const void *arg)
{
	int r = -ENOENT;

	pthread_mutex_lock(&m->lock);
	for (struct media_handle *h = m->writers; h && r == -ENOENT; h = h->next_writer)
		if (h->upload[0] && !strcmp(h->name, name))
			r = fn(h->fd, arg);
	pthread_mutex_unlock(&m->lock);
	return r;
}

static int open_in_place(struct media_store *m, struct media_handle *h, int flags,
			 bool create, mode_t mode)
{
	char path[PATH_MAX];
	/* a writer also reads: its digest is read back when it did not write in order */
	int open_flags = (h->writable ? O_RDWR : O_RDONLY) | (flags & (O_TRUNC | O_EXCL)) |
			 O_CLOEXEC | O_NOFOLLOW;
	struct stat st;

	if (media_path(m, h->name, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	h->fd = open(path, open_flags | (create ? O_CREAT : 0), mode);
	if (h->fd < 0)
		return -errno;
	if (h->writable && fstat(h->fd, &st) == 0)
		memo_take(m, &st, NULL, true);
	return 0;
}

int media_handle_open(struct media_store *m, const char *name, int flags, bool create,
		      mode_t mode, uid_t uid, gid_t gid, struct media_handle **out)
{
	struct media_handle *h = handle_new(m, name, flags);
	bool from_scratch = create || (flags & O_TRUNC);
	int r;

	if (!h)
		return -ENOMEM;
	if (h->writable && from_scratch && !media_name_is_staging(name))
		r = open_upload(m, h, mode & 07777);
	else
		r = open_in_place(m, h, flags, create, mode & 07777);
	if (r >= 0 && create && fchown(h->fd, uid, gid) < 0)
		r = -errno;
	if (r >= 0 && h->writable && from_scratch)
		r = start_digest(h);
	h->scratch = h->writable && from_scratch;
	if (r >= 0 && h->writable)
		writers_add(h);
	if (r < 0) {
		media_handle_close(h);
		return r;
	}
	*out = h;
	return 0;
}

ssize_t media_handle_read(struct media_handle *h, char *buf, size_t size, off_t offset)
{
	ssize_t n = pread(h->fd, buf, size, offset);

	return n < 0 ? -errno : n;
}

/* Drops a failed upload's data at once, so a full disk is left as it was. */
static ssize_t fail(struct media_handle *h, int err)
{
	h->failed = true;
	h->error = err;
	if ((h->scratch || h->published) && ftruncate(h->fd, 0) == 0 && h->upload[0])
		unlink(h->upload);
	return err;
}

ssize_t media_handle_write(struct media_handle *h, const char *buf, size_t size, off_t offset)
{
	ssize_t n;

	pthread_mutex_lock(&h->lock);
	n = h->failed ? h->error : pwrite(h->fd, buf, size, offset);
	if (n < 0 && !h->failed)
		n = fail(h, -errno);
	else if (n >= 0) {
		h->dirty = true;
		if (h->digest)
			trailing_add(h->digest, (uint64_t)offset, (uint64_t)n);
	}
	pthread_mutex_unlock(&h->lock);
	return n;
}

int media_handle_truncate(struct media_handle *h, off_t size)
{
	int r = 0;

	pthread_mutex_lock(&h->lock);
	if (h->failed)
		r = h->error;
	else if (ftruncate(h->fd, size) < 0)
		r = (int)fail(h, -errno);
	else
		h->dirty = true;
	if (r == 0 && h->digest)
		trailing_break(h->digest); /* rare (O_TRUNC already emptied it): read at finish */
	pthread_mutex_unlock(&h->lock);
	return r;
}

int media_handle_stat(struct media_handle *h, struct stat *st)
{
	return fstat(h->fd, st) < 0 ? -errno : 0;
}

const char *media_handle_name(const struct media_handle *h)
{
	return h->name;
}

/* The flags the engine reads, under the handle's lock. */
static bool flag(struct media_handle *h, const bool *which)
{
	bool v;

	pthread_mutex_lock(&h->lock);
	v = *which;
	pthread_mutex_unlock(&h->lock);
	return v;
}

bool media_handle_dirty(struct media_handle *h)
{
	return flag(h, &h->dirty) || flag(h, &h->failed);
}

bool media_handle_unpublished(struct media_handle *h)
{
	bool v;

	pthread_mutex_lock(&h->lock);
	v = h->upload[0] != '\0';
	pthread_mutex_unlock(&h->lock);
	return v;
}

bool media_handle_failed_after_publish(struct media_handle *h)
{
	return flag(h, &h->failed) && flag(h, &h->published);
}

bool media_handle_is_at(struct media_store *m, struct media_handle *h, const char *name)
{
	char path[PATH_MAX];
	struct stat mine, there;

	return media_path(m, name, path, sizeof(path)) >= 0 && fstat(h->fd, &mine) == 0 &&
	       lstat(path, &there) == 0 && mine.st_dev == there.st_dev &&
	       mine.st_ino == there.st_ino;
}

/* The digest of what the handle holds: made as it was written when it was written in
 * order, else read. */
static int handle_digest(struct media_handle *h, const struct stat *st, char *out)
{
	int r = -EAGAIN;

	if (h->digest) {
		r = trailing_end(h->digest, (uint64_t)st->st_size, out);
		h->digest = NULL; /* a digest is made once */
	}
	return r == -EAGAIN ? sha256_fd(h->fd, out) : r;
}

/* media_handle_finish with the handle's lock held. The file is inspected through the
 * descriptor, so a rename meanwhile cannot make it describe another file. */
static int finish(struct media_store *m, struct media_handle *h, struct media_entry *out)
{
	char fd_path[64];
	struct stat st;
	int r;

	if (h->failed)
		return h->error;
	if (fsync(h->fd) < 0 || fstat(h->fd, &st) < 0)
		return (int)fail(h, -errno);
	h->dirty = false;
	memset(out, 0, sizeof(*out));
	str_copy(out->name, sizeof(out->name), h->name);
	out->size = (uint64_t)st.st_size;
	out->mtime_ns = media_mtime_ns(&st);
	r = handle_digest(h, &st, out->sha256);
	if (r < 0)
		return r;
	if (media_name_is_staging(h->name)) { /* published later, by a rename */
		memo_add(m, &st, out->sha256);
		return 0;
	}
	snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", h->fd);
	return bundle_inspect(fd_path, h->name, &out->info);
}

int media_handle_finish(struct media_store *m, struct media_handle *h,
			struct media_entry *out)
{
	int r;

	pthread_mutex_lock(&h->lock);
	r = finish(m, h, out);
	pthread_mutex_unlock(&h->lock);
	return r;
}

static int sync_dir(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 || fsync(fd) < 0 ? -errno : 0;
}

int media_publish_file(struct media_store *m, const char *from, const char *name)
{
	char path[PATH_MAX];

	if (media_path(m, name, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	if (rename(from, path) < 0)
		return -errno;
	return sync_dir(m->dir);
}

int media_handle_publish(struct media_store *m, struct media_handle *h, const char *name)
{
	char path[PATH_MAX];
	int r = 0;

	pthread_mutex_lock(&h->lock);
	assert(h->upload[0]);
	if (media_path(m, name, path, sizeof(path)) < 0)
		r = -ENAMETOOLONG;
	else if (rename(h->upload, path) < 0)
		r = -errno;
	if (r == 0) { /* the point of no return: the file is published, synced or not */
		pthread_mutex_lock(&m->lock); /* media_upload_apply reads it under that */
		h->upload[0] = '\0';
		pthread_mutex_unlock(&m->lock);
		h->published = true;
		r = sync_dir(m->dir);
	}
	pthread_mutex_unlock(&h->lock);
	return r;
}

void media_handle_close(struct media_handle *h)
{
	if (!h)
		return;
	if (h->writable)
		writers_remove(h);
	if (h->digest)
		trailing_end(h->digest, 0, NULL); /* before the descriptor it reads goes */
	if (h->upload[0])
		unlink(h->upload);
	if (h->fd >= 0)
		close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
