/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmscope_dump: sends this machine's memory to a vmscope receiver when the
 * kernel panics, with the vmscope dump wire protocol v1
 * (protocol-spec/dump-wire-protocol.md). Shared declarations of the module's
 * files; everything the panic path touches is allocated at load time.
 */
#ifndef VMSCOPE_DUMP_H
#define VMSCOPE_DUMP_H

#include <linux/types.h>
#include <asm/unaligned.h>
#include <linux/elfcore.h>
#include <linux/netpoll.h>
#include <crypto/chacha20poly1305.h>
#include <crypto/blake2s.h>

/* Wire constants (spec §14). */
#define VMSD_MAGIC 0x44534D56u
#define VMSD_VERSION 1
#define VMSD_HEADER_SIZE 32
#define VMSD_TAG_SIZE 16
#define VMSD_OVERHEAD (VMSD_HEADER_SIZE + VMSD_TAG_SIZE)
#define VMSD_MAX_DATAGRAM 65507
#define VMSD_MIN_DATAGRAM 512

enum vmsd_type {
	VMSD_SESSION_START = 1,
	VMSD_META = 2,
	VMSD_PAGES = 3,
	VMSD_PARITY = 4,
	VMSD_END = 5,
};

enum vmsd_record_kind { VMSD_REC_PAGE = 1, VMSD_REC_ZERO_RUN = 2, VMSD_REC_UNAVAILABLE_RUN = 3 };
enum vmsd_compression { VMSD_COMP_NONE = 0, VMSD_COMP_LZ4 = 1, VMSD_COMP_ZSTD = 2 };
enum vmsd_meta_tag {
	VMSD_META_VMCOREINFO = 1,
	VMSD_META_ELF_NOTES = 2,
	VMSD_META_MEMORY_MAP = 3,
	VMSD_META_DUMPABLE = 4,
	VMSD_META_UTSNAME = 5,
	VMSD_META_PANIC_MESSAGE = 6,
	VMSD_META_ERASED = 7,
	VMSD_META_COMMAND_LINE = 8,
};

#define VMSD_SESSION_START_BODY 144
#define VMSD_END_BODY 88
#define VMSD_META_HEADER 16
#define VMSD_PAGES_HEADER 12
#define VMSD_RECORD_HEADER 16
#define VMSD_PARITY_HEADER 16
#define VMSD_MAX_RECORDS 64
#define VMSD_START_EVERY 1024 /* data packets between SESSION_START repeats */
#define VMSD_FEC_MAX_K 64
#define VMSD_FEC_MAX_M 16

/* RAM ranges, captured at load time (memory hotplug is not followed). */
#define VMSD_MAX_RANGES 128
/* DUMPABLE ranges kept at most (1 MiB); a more fragmented map drops the filter. */
#define VMSD_MAX_DUMPABLE 65536
#define VMSD_DL_FREE 16
#define VMSD_MAX_NOTE_CPUS 256 /* makedumpfile's "free pages" bit, the one filter implemented */
struct vmsd_range {
	u64 start_pfn;
	u64 pfn_count;
};

/* Sender state: one instance, allocated at load, used only at panic. */
struct vmsd_sender {
	/* configuration */
	u8 key[CHACHA20POLY1305_KEY_SIZE];
	u64 host_id;
	u64 session_id;
	unsigned int max_datagram;
	unsigned int body_limit;   /* largest data body (spec §7: room for parity) */
	unsigned int compression;  /* enum vmsd_compression */
	unsigned int fec_k, fec_m;
	unsigned int packet_gap_us;
	unsigned int rate_mbit;     /* pacing target, 0 = unpaced */
	u64 pace_start;             /* TSC at the first datagram */
	u64 wire_bytes;             /* bytes on the wire so far (with UDP/IP/Ethernet headers) */
	unsigned int drop_every; /* test only: data packets deliberately not sent */
	struct netpoll np;

	/* memory layout, captured at load */
	struct vmsd_range ranges[VMSD_MAX_RANGES];
	unsigned int nr_ranges;
	u64 max_pfn;
	u8 boot_id[16];
	/* physical addresses and size of the kernel's per-CPU crash_notes buffers */
	u64 crash_notes[VMSD_MAX_NOTE_CPUS];
	unsigned int crash_notes_size;
	char command_line[2048];
	unsigned int nr_cpus;
	unsigned int dump_level;    /* filter bits asked for at load */
	unsigned int level_applied; /* at panic: dump_level, or 0 if the filter had to be dropped */
	struct vmsd_range *dumpable; /* the pfns sent when filtering (spec §5.2 tag 4) */
	unsigned int nr_dumpable;
	u64 excluded;

	/* the panicking CPU's registers (not on the stack: objtool reads stores of
	 * callee-saved registers to stack slots as register saves) */
	struct pt_regs regs;

	/* per-session counters */
	u64 seq;
	u64 data_index;
	u64 pages_sent, zero_pages, unavailable, payload_bytes;

	/* buffers (preallocated) */
	u8 *datagram;   /* max_datagram bytes: header + ciphertext + tag */
	u8 *body;       /* the data body being built (PAGES) */
	unsigned int body_len;
	unsigned int body_records;
	u8 *ctrl_body;  /* bodies of START/META/END/PARITY */
	u8 *page_copy;  /* one page, read from the direct map */
	u8 *page_out;   /* one page, compressed */
	void *lz4_work;
	void *zstd_work;
	size_t zstd_work_size;
	u8 *meta;       /* the META blob */
	size_t meta_cap;
	size_t meta_len;
	unsigned int meta_chunk;
	u8 start_body[VMSD_SESSION_START_BODY];
	struct blake2s_state digest;

	/* FEC: parity accumulators of the open group */
	u8 *parity[VMSD_FEC_MAX_M];
	unsigned int group_count;   /* data packets in the open group */
	unsigned int symbol_length; /* largest symbol of the open group */
	u64 group;
};

/* vmscope_wire.c */
void vmsd_send(struct vmsd_sender *s, enum vmsd_type type, const u8 *body, unsigned int len);
void vmsd_send_data(struct vmsd_sender *s, enum vmsd_type type, u8 *body, unsigned int len);
void vmsd_flush_parity(struct vmsd_sender *s);

/* vmscope_fec.c */
void vmsd_fec_init(void);
int vmsd_fec_self_test(void);
void vmsd_fec_add(u8 *const parity[], unsigned int m, unsigned int index, unsigned int offset,
		  const u8 *bytes, unsigned int len);

/* vmscope_meta.c */
#define VMSD_PRSTATUS_NOTE_SIZE (12 + 8 + ALIGN(sizeof(struct elf_prstatus), 4))
void vmsd_prstatus_note(u8 *p, const struct pt_regs *regs);
void vmsd_save_crash_note(struct vmsd_sender *s, const struct pt_regs *regs);
size_t vmsd_build_meta(struct vmsd_sender *s, const char *panic_message, const struct pt_regs *regs);
void vmsd_build_start(struct vmsd_sender *s, u64 panic_task, s64 panic_time);
void vmsd_send_meta(struct vmsd_sender *s);

/* vmscope_pages.c */
void vmsd_select_pages(struct vmsd_sender *s);
void vmsd_send_pages(struct vmsd_sender *s);
void vmsd_send_end(struct vmsd_sender *s, u32 status);

static inline void vmsd_put16(u8 *p, u16 v) { put_unaligned_le16(v, p); }
static inline void vmsd_put32(u8 *p, u32 v) { put_unaligned_le32(v, p); }
static inline void vmsd_put64(u8 *p, u64 v) { put_unaligned_le64(v, p); }

#endif
