/* pciconfig.c - the binary "config" file (a type 0 header) and the
 * "resource" file of a PCI function.
 *
 * libpci reads both; the header repeats what the text attributes say (ids,
 * class, revision, subsystem) and carries the BARs, so lspci -vv shows the
 * same regions as the resource file.  VF BARs read 0 in config space, as on
 * real hardware, and lspci marks them [virtual]. */
#include "tree.h"

#include <string.h>

#define CONFIG_SIZE 4096
#define RES_FLAG_IO 0x100ull
#define RES_FLAG_MEM64 0x100000ull
#define BAR_LOW_BITS 0xfull

static void put16(uint8_t *cfg, unsigned off, uint16_t v)
{
	cfg[off] = v & 0xff;
	cfg[off + 1] = v >> 8;
}

static void put32(uint8_t *cfg, unsigned off, uint32_t v)
{
	put16(cfg, off, v & 0xffff);
	put16(cfg, off + 2, v >> 16);
}

static uint16_t command_bits(const struct sim_pci *p)
{
	uint16_t cmd = 0x0004;          /* bus master */

	if (p->role == ROLE_VF)
		return 0;
	for (unsigned i = 0; i < 6; i++) {
		if (!p->res[i].size)
			continue;
		cmd |= (p->res[i].flags & RES_FLAG_IO) ? 0x0001 : 0x0002;
	}
	return cmd;
}

static void put_bars(uint8_t *cfg, const struct sim_pci *p)
{
	for (unsigned i = 0; i < 6; i++) {
		const struct pci_resource *r = &p->res[i];

		if (!r->size)
			continue;
		put32(cfg, 0x10 + 4 * i, (uint32_t)r->start | (uint32_t)(r->flags & BAR_LOW_BITS));
		if ((r->flags & RES_FLAG_MEM64) && i < 5)
			put32(cfg, 0x14 + 4 * i, (uint32_t)(r->start >> 32));
	}
}

void pci_config_space(const struct sim_pci *p, struct textbuf *out)
{
	uint8_t *cfg = (uint8_t *)out->data;

	memset(cfg, 0, CONFIG_SIZE);
	put16(cfg, 0x00, p->vendor);
	put16(cfg, 0x02, p->device);
	put16(cfg, 0x04, command_bits(p));
	cfg[0x08] = p->revision;
	cfg[0x09] = p->class_code & 0xff;
	cfg[0x0a] = (p->class_code >> 8) & 0xff;
	cfg[0x0b] = (p->class_code >> 16) & 0xff;
	cfg[0x0e] = p->header_type;
	if (p->role != ROLE_VF)
		put_bars(cfg, p);
	put16(cfg, 0x2c, p->subsystem_vendor);
	put16(cfg, 0x2e, p->subsystem_device);
	cfg[0x3c] = p->irq_pin ? (uint8_t)p->irq : 0xff;
	cfg[0x3d] = p->irq_pin;
	out->len = CONFIG_SIZE;
}

void pci_resource_text(const struct sim_pci *p, struct textbuf *out)
{
	for (unsigned i = 0; i < PCI_RESOURCES; i++) {
		const struct pci_resource *r = &p->res[i];
		unsigned long long end = r->size ? r->start + r->size - 1 : 0;

		tb_printf(out, "0x%016llx 0x%016llx 0x%016llx\n", (unsigned long long)r->start,
			  end, (unsigned long long)r->flags);
	}
}
