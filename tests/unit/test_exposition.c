/* Unit tests for the metrics renderers (exposition.h): one model rendered as OpenMetrics
 * and as the Prometheus text format 0.0.4, each family's names as its format wants them,
 * and label values and help texts escaped (a VM may be named anything UTF-8, or not). */
#include "tap.h"
#include "exposition.h"

#include <errno.h>
#include <stdlib.h>

/* A model with one family of each type, and hostile label values. */
static void build(struct exposition *x)
{
	exposition_family(x, "t_gpu", METRIC_INFO, "", "A GPU \"quoted\", back\\slash\nline");
	exposition_sample(x, 1, "gpu", "0000:41:00.0", "vm", "a\"b\\c\nd", NULL);
	exposition_family(x, "t_fb_bytes", METRIC_GAUGE, "bytes", "Framebuffer");
	exposition_sample(x, 1ULL << 32, "profile", "A16-4Q", NULL);
	exposition_sample(x, 0, "profile", "caf\xc3\xa9 \xff\xfe end", NULL);
	exposition_family(x, "t_refusals", METRIC_COUNTER, "", "Refusals");
	exposition_sample(x, 3, "errno", "ENOSPC", NULL);
	exposition_family(x, "t_allocations", METRIC_COUNTER, "", "Allocations");
	exposition_sample(x, 18446744073709551615ULL, NULL);
	exposition_family(x, "t_empty", METRIC_GAUGE, "", "No sample yet");
}

static const char openmetrics[] =
	"# HELP t_gpu A GPU \\\"quoted\\\", back\\\\slash\\nline\n"
	"# TYPE t_gpu info\n"
	"t_gpu_info{gpu=\"0000:41:00.0\",vm=\"a\\\"b\\\\c\\nd\"} 1\n"
	"# HELP t_fb_bytes Framebuffer\n"
	"# TYPE t_fb_bytes gauge\n"
	"# UNIT t_fb_bytes bytes\n"
	"t_fb_bytes{profile=\"A16-4Q\"} 4294967296\n"
	"t_fb_bytes{profile=\"caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd end\"} 0\n"
	"# HELP t_refusals Refusals\n"
	"# TYPE t_refusals counter\n"
	"t_refusals_total{errno=\"ENOSPC\"} 3\n"
	"# HELP t_allocations Allocations\n"
	"# TYPE t_allocations counter\n"
	"t_allocations_total 18446744073709551615\n"
	"# HELP t_empty No sample yet\n"
	"# TYPE t_empty gauge\n"
	"# EOF\n";

/* 0.0.4: metadata on sample names, info as a gauge, no UNIT, no quote escaped in HELP,
 * no EOF; the samples are the same lines. */
static const char prometheus[] =
	"# HELP t_gpu_info A GPU \"quoted\", back\\\\slash\\nline\n"
	"# TYPE t_gpu_info gauge\n"
	"t_gpu_info{gpu=\"0000:41:00.0\",vm=\"a\\\"b\\\\c\\nd\"} 1\n"
	"# HELP t_fb_bytes Framebuffer\n"
	"# TYPE t_fb_bytes gauge\n"
	"t_fb_bytes{profile=\"A16-4Q\"} 4294967296\n"
	"t_fb_bytes{profile=\"caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd end\"} 0\n"
	"# HELP t_refusals_total Refusals\n"
	"# TYPE t_refusals_total counter\n"
	"t_refusals_total{errno=\"ENOSPC\"} 3\n"
	"# HELP t_allocations_total Allocations\n"
	"# TYPE t_allocations_total counter\n"
	"t_allocations_total 18446744073709551615\n"
	"# HELP t_empty No sample yet\n"
	"# TYPE t_empty gauge\n";

static void test_render(enum exposition_format format, const char *want)
{
	struct exposition x = { 0 };
	char *text = NULL;
	size_t len = 0;

	build(&x);
	CHECK(exposition_render(&x, format, &text, &len) == 0);
	CHECK(text && len == strlen(text));
	CHECK_STR(text ? text : "", want);
	free(text);
	exposition_free(&x);
	CHECK(x.n == 0 && !x.families);
}

static void test_empty(void)
{
	struct exposition x = { 0 };
	char *text = NULL;
	size_t len = 1;

	CHECK(exposition_render(&x, EXPOSITION_OPENMETRICS, &text, &len) == 0);
	CHECK_STR(text ? text : "", "# EOF\n");
	free(text);
	CHECK(exposition_render(&x, EXPOSITION_PROMETHEUS, &text, &len) == 0 && len == 0);
	free(text);
}

/* A failure while building is kept and is what rendering returns. */
static void test_error_kept(void)
{
	struct exposition x = { .error = -ENOMEM };
	char *text = (char *)"unchanged";
	size_t len = 1;

	exposition_family(&x, "t_x", METRIC_GAUGE, "", "Ignored after the failure");
	exposition_sample(&x, 1, NULL);
	CHECK(x.n == 0);
	CHECK(exposition_render(&x, EXPOSITION_OPENMETRICS, &text, &len) == -ENOMEM);
	CHECK(text == NULL && len == 0);
	exposition_free(&x);
}

int main(void)
{
	test_render(EXPOSITION_OPENMETRICS, openmetrics);
	test_render(EXPOSITION_PROMETHEUS, prometheus);
	test_empty();
	test_error_kept();
	return tap_done();
}
