// SPDX-License-Identifier: GPL-2.0
/*
 * PAGES (spec §5.3) and END (§5.5): every RAM pfn, in increasing order, is
 * sent as a PAGE (compressed when that shrinks it), named in a ZERO_RUN, or
 * named in an UNAVAILABLE_RUN when it cannot be read safely. Pages are read
 * through the direct map with copy_from_kernel_nofault, so a page missing from
 * the direct map (secretmem, unplugged) costs an UNAVAILABLE_RUN, not a fault.
 */
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/zstd.h>
#include "vmscope_dump.h"

static unsigned int room(const struct vmsd_sender *s)
{
	unsigned int used = s->body_len ? s->body_len : VMSD_PAGES_HEADER;

	if (s->body_records >= VMSD_MAX_RECORDS)
		return 0;
	return s->body_limit > used + VMSD_RECORD_HEADER ?
		       s->body_limit - used - VMSD_RECORD_HEADER : 0;
}

static void flush_pages(struct vmsd_sender *s)
{
	if (!s->body_len)
		return;
	vmsd_put16(s->body + 8, s->body_records);
	vmsd_send_data(s, VMSD_PAGES, s->body, s->body_len);
	s->body_len = 0;
	s->body_records = 0;
}

static void append_record(struct vmsd_sender *s, u8 kind, u8 compression, u16 chunk_index,
			  u16 chunk_count, u64 pfn, const u8 *payload, u16 length)
{
	u8 *r;

	if (!s->body_len) {
		memset(s->body, 0, VMSD_PAGES_HEADER);
		s->body_len = VMSD_PAGES_HEADER;
		s->body_records = 0;
	}
	r = s->body + s->body_len;
	r[0] = kind;
	r[1] = compression;
	vmsd_put16(r + 2, chunk_index);
	vmsd_put16(r + 4, chunk_count);
	vmsd_put16(r + 6, length);
	vmsd_put64(r + 8, pfn);
	memcpy(r + VMSD_RECORD_HEADER, payload, length);
	s->body_len += VMSD_RECORD_HEADER + length;
	s->body_records++;
}

static void add_run(struct vmsd_sender *s, u8 kind, u64 pfn, u64 count)
{
	u8 payload[8];

	if (!count)
		return;
	if (kind == VMSD_REC_ZERO_RUN)
		s->zero_pages += count;
	else
		s->unavailable += count;
	vmsd_put64(payload, count);
	if (room(s) < 8)
		flush_pages(s);
	append_record(s, kind, 0, 0, 1, pfn, payload, 8);
}

/* A page's stored form: in this packet if it fits, else in chunks (spec §5.3). */
static void add_page(struct vmsd_sender *s, u64 pfn, u8 compression, const u8 *stored,
		     unsigned int size)
{
	unsigned int full = s->body_limit - VMSD_PAGES_HEADER - VMSD_RECORD_HEADER;
	unsigned int first, count, i, at = 0;

	s->pages_sent++;
	s->payload_bytes += size;
	if (size <= room(s)) {
		append_record(s, VMSD_REC_PAGE, compression, 0, 1, pfn, stored, size);
		return;
	}
	if (size <= full) {
		flush_pages(s);
		append_record(s, VMSD_REC_PAGE, compression, 0, 1, pfn, stored, size);
		return;
	}
	/* The rest of this packet if it is worth it, then whole packets. */
	first = room(s) >= 64 ? room(s) : 0;
	if (!first) {
		flush_pages(s);
		first = full;
	}
	count = 1 + DIV_ROUND_UP(size - first, full);
	for (i = 0; i < count; i++) {
		unsigned int n = min(i == 0 ? first : full, size - at);

		if (n > room(s))
			flush_pages(s);
		append_record(s, VMSD_REC_PAGE, compression, i, count, pfn, stored + at, n);
		at += n;
	}
}

/* Compresses page_copy into page_out; returns the compressed size, 0 if it does not shrink. */
static unsigned int compress_page(struct vmsd_sender *s)
{
	if (s->compression == VMSD_COMP_LZ4) {
		int n = LZ4_compress_default(s->page_copy, s->page_out, PAGE_SIZE, PAGE_SIZE - 1,
					     s->lz4_work);
		return n > 0 ? n : 0;
	}
	if (s->compression == VMSD_COMP_ZSTD) {
		zstd_parameters params = zstd_get_params(1, PAGE_SIZE);
		zstd_cctx *cctx = zstd_init_cctx(s->zstd_work, s->zstd_work_size);
		size_t n;

		if (!cctx)
			return 0;
		n = zstd_compress_cctx(cctx, s->page_out, PAGE_SIZE - 1, s->page_copy, PAGE_SIZE,
				       &params);
		return zstd_is_error(n) ? 0 : n;
	}
	return 0;
}

/* Zeroes, in the copy of page pfn, the bytes of our own key (listed in ERASED). */
static void erase_secrets(struct vmsd_sender *s, u64 pfn)
{
	u64 key = virt_to_phys(s->key), end = key + sizeof(s->key);
	u64 page = pfn << PAGE_SHIFT, page_end = page + PAGE_SIZE;

	if (key < page_end && end > page)
		memset(s->page_copy + (max(key, page) - page), 0, min(end, page_end) - max(key, page));
}

/* How one pfn is accounted for. */
static u8 read_page(struct vmsd_sender *s, u64 pfn)
{
	struct page *page;

	if (!pfn_valid(pfn))
		return VMSD_REC_UNAVAILABLE_RUN;
	page = pfn_to_page(pfn);
	if (PageHWPoison(page) || PageOffline(page))
		return VMSD_REC_UNAVAILABLE_RUN;
	if (copy_from_kernel_nofault(s->page_copy, pfn_to_kaddr(pfn), PAGE_SIZE))
		return VMSD_REC_UNAVAILABLE_RUN;
	erase_secrets(s, pfn);
	if (!memchr_inv(s->page_copy, 0, PAGE_SIZE))
		return VMSD_REC_ZERO_RUN;
	return VMSD_REC_PAGE;
}

/*
 * Pages in a free buddy block starting at this page, 0 if it does not start
 * one. Reads what makedumpfile reads for dump level 16: the PageBuddy type and
 * the order in page->private. Free pages on per-CPU lists are not PageBuddy and
 * stay dumpable. Other CPUs are stopped, so the map cannot change under us; an
 * order out of range (a CPU stopped mid-update) keeps the page.
 */
static unsigned long free_block(u64 pfn)
{
	struct page *page;
	unsigned long order;

	if (!pfn_valid(pfn))
		return 0;
	page = pfn_to_page(pfn);
	if (!PageBuddy(page))
		return 0;
	order = page_private(page);
	return order < MAX_ORDER ? 1UL << order : 0;
}

static bool add_dumpable(struct vmsd_sender *s, u64 pfn)
{
	struct vmsd_range *last = s->nr_dumpable ? &s->dumpable[s->nr_dumpable - 1] : NULL;

	if (last && last->start_pfn + last->pfn_count == pfn) {
		last->pfn_count++;
		return true;
	}
	if (s->nr_dumpable == VMSD_MAX_DUMPABLE)
		return false;
	s->dumpable[s->nr_dumpable].start_pfn = pfn;
	s->dumpable[s->nr_dumpable].pfn_count = 1;
	s->nr_dumpable++;
	return true;
}

/*
 * The DUMPABLE map (spec §5.2 tag 4, §6), built before SESSION_START because
 * the receiver lays out its file from it. The page pass then walks exactly
 * these ranges, so the two always agree.
 */
void vmsd_select_pages(struct vmsd_sender *s)
{
	unsigned int r;

	s->level_applied = 0;
	s->nr_dumpable = 0;
	s->excluded = 0;
	if (!(s->dump_level & VMSD_DL_FREE) || !s->dumpable)
		return;
	for (r = 0; r < s->nr_ranges; r++) {
		u64 pfn = s->ranges[r].start_pfn, end = pfn + s->ranges[r].pfn_count;

		while (pfn < end) {
			unsigned long skip = free_block(pfn);

			if (skip) {
				skip = min_t(u64, skip, end - pfn);
				s->excluded += skip;
				pfn += skip;
				continue;
			}
			if (!add_dumpable(s, pfn)) {
				pr_emerg("vmscope_dump: memory too fragmented for the free-page filter; sending all pages\n");
				s->nr_dumpable = 0;
				s->excluded = 0;
				return;
			}
			pfn++;
		}
	}
	s->level_applied = s->dump_level;
}

void vmsd_send_pages(struct vmsd_sender *s)
{
	const struct vmsd_range *walk = s->level_applied ? s->dumpable : s->ranges;
	unsigned int r, nr = s->level_applied ? s->nr_dumpable : s->nr_ranges;
	u8 run_kind = 0;
	u64 run_start = 0, run_count = 0;

	for (r = 0; r < nr; r++) {
		u64 pfn = walk[r].start_pfn, end = pfn + walk[r].pfn_count;

		for (; pfn < end; pfn++) {
			u8 kind = read_page(s, pfn);
			u8 le_pfn[8];
			unsigned int size;

			if (kind != VMSD_REC_PAGE) {
				if (run_count && run_kind == kind && run_start + run_count == pfn) {
					run_count++;
					continue;
				}
				add_run(s, run_kind, run_start, run_count);
				run_kind = kind;
				run_start = pfn;
				run_count = 1;
				continue;
			}
			add_run(s, run_kind, run_start, run_count);
			run_count = 0;
			vmsd_put64(le_pfn, pfn);
			blake2s_update(&s->digest, le_pfn, 8);
			blake2s_update(&s->digest, s->page_copy, PAGE_SIZE);
			size = compress_page(s);
			if (size)
				add_page(s, pfn, s->compression, s->page_out, size);
			else
				add_page(s, pfn, VMSD_COMP_NONE, s->page_copy, PAGE_SIZE);
		}
	}
	add_run(s, run_kind, run_start, run_count);
	flush_pages(s);
}

void vmsd_send_end(struct vmsd_sender *s, u32 status)
{
	u8 *b = s->ctrl_body;
	int i;

	memset(b, 0, VMSD_END_BODY);
	vmsd_put64(b + 0, s->data_index);
	vmsd_put64(b + 8, s->pages_sent);
	vmsd_put64(b + 16, s->zero_pages);
	vmsd_put64(b + 24, s->unavailable);
	vmsd_put64(b + 32, s->payload_bytes);
	vmsd_put32(b + 40, status);
	blake2s_final(&s->digest, b + 48);
	for (i = 0; i < 3; i++) {
		vmsd_send(s, VMSD_END, b, VMSD_END_BODY);
		if (i < 2)
			mdelay(10);
	}
}
