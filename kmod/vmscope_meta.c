// SPDX-License-Identifier: GPL-2.0
/*
 * SESSION_START (spec §5.1) and the META blob (spec §5.2): VMCOREINFO, the
 * panicking CPU's NT_PRSTATUS, the RAM map, utsname, the panic message and the
 * ERASED list. Built at panic time into a buffer allocated at load.
 */
#include <linux/crash_core.h>
#include <linux/elf.h>
#include <linux/elfcore.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/io.h>
#include <asm/page.h>
#include "vmscope_dump.h"

/* Appends one {u32 tag, u32 length, bytes} entry; drops it if the blob is full. */
static u8 *meta_entry(struct vmsd_sender *s, u32 tag, u32 length)
{
	u8 *p;

	if (s->meta_len + 8 + length > s->meta_cap)
		return NULL;
	p = s->meta + s->meta_len;
	vmsd_put32(p, tag);
	vmsd_put32(p + 4, length);
	s->meta_len += 8 + length;
	return p + 8;
}

static void meta_bytes(struct vmsd_sender *s, u32 tag, const void *bytes, u32 length)
{
	u8 *p = meta_entry(s, tag, length);

	if (p)
		memcpy(p, bytes, length);
}

/* The VMCOREINFO text from the kernel's own note (filled at boot by crash_core). */
static void meta_vmcoreinfo(struct vmsd_sender *s)
{
	const u8 *note = __va(paddr_vmcoreinfo_note());
	u32 namesz = get_unaligned_le32(note), descsz = get_unaligned_le32(note + 4);

	if (namesz != sizeof(VMCOREINFO_NOTE_NAME) || descsz > VMCOREINFO_BYTES)
		return;
	meta_bytes(s, VMSD_META_VMCOREINFO, note + 12 + ALIGN(namesz, 4), descsz);
}

/* One NT_PRSTATUS note ("CORE") of the current task, VMSD_PRSTATUS_NOTE_SIZE bytes. */
void vmsd_prstatus_note(u8 *p, const struct pt_regs *regs)
{
	struct elf_prstatus prstatus;
	const u32 namesz = 5, desc_at = 12 + ALIGN(5, 4);

	memset(&prstatus, 0, sizeof(prstatus));
	prstatus.common.pr_pid = current->pid;
	/*
	 * user_regs_struct starts with pt_regs' 21 words (r15 .. ss); the segment
	 * bases that follow are left 0 (elf_core_copy_regs reads gsbase through a
	 * function modules cannot call).
	 */
	BUILD_BUG_ON(sizeof(prstatus.pr_reg) < sizeof(struct pt_regs));
	memcpy(&prstatus.pr_reg, regs, sizeof(struct pt_regs));
	memset(p, 0, VMSD_PRSTATUS_NOTE_SIZE);
	vmsd_put32(p, namesz);
	vmsd_put32(p + 4, sizeof(prstatus));
	vmsd_put32(p + 8, NT_PRSTATUS);
	memcpy(p + 12, "CORE", 5);
	memcpy(p + desc_at, &prstatus, sizeof(prstatus));
}

/*
 * The same note in this CPU's crash_notes buffer, followed by an empty final
 * note, as crash_save_cpu() does before a kdump: crash checks that buffer in
 * the dump before it trusts a dump's NT_PRSTATUS for a CPU. Written before the
 * pages are read, so the dump holds it.
 */
void vmsd_save_crash_note(struct vmsd_sender *s, const struct pt_regs *regs)
{
	unsigned int cpu = raw_smp_processor_id();
	u8 *p;

	if (cpu >= VMSD_MAX_NOTE_CPUS || !s->crash_notes[cpu] ||
	    s->crash_notes_size < VMSD_PRSTATUS_NOTE_SIZE + 12)
		return;
	p = __va(s->crash_notes[cpu]);
	vmsd_prstatus_note(p, regs);
	memset(p + VMSD_PRSTATUS_NOTE_SIZE, 0, 12);
}

static void meta_prstatus(struct vmsd_sender *s, const struct pt_regs *regs)
{
	u8 *p = meta_entry(s, VMSD_META_ELF_NOTES, VMSD_PRSTATUS_NOTE_SIZE);

	if (p)
		vmsd_prstatus_note(p, regs);
}

size_t vmsd_build_meta(struct vmsd_sender *s, const char *panic_message, const struct pt_regs *regs)
{
	unsigned int i;
	u8 *p;

	s->meta_len = 0;
	meta_vmcoreinfo(s);
	meta_prstatus(s, regs);
	p = meta_entry(s, VMSD_META_MEMORY_MAP, s->nr_ranges * 16);
	for (i = 0; p && i < s->nr_ranges; i++) {
		vmsd_put64(p + 16 * i, s->ranges[i].start_pfn);
		vmsd_put64(p + 16 * i + 8, s->ranges[i].pfn_count);
	}
	if (s->level_applied) {
		p = meta_entry(s, VMSD_META_DUMPABLE, s->nr_dumpable * 16);
		for (i = 0; p && i < s->nr_dumpable; i++) {
			vmsd_put64(p + 16 * i, s->dumpable[i].start_pfn);
			vmsd_put64(p + 16 * i + 8, s->dumpable[i].pfn_count);
		}
	}
	meta_bytes(s, VMSD_META_UTSNAME, &init_uts_ns.name, sizeof(init_uts_ns.name));
	if (panic_message)
		meta_bytes(s, VMSD_META_PANIC_MESSAGE, panic_message,
			   strnlen(panic_message, 1024));
	if (s->command_line[0])
		meta_bytes(s, VMSD_META_COMMAND_LINE, s->command_line, strlen(s->command_line));
	p = meta_entry(s, VMSD_META_ERASED, 16);
	if (p) {
		vmsd_put64(p, virt_to_phys(s->key));
		vmsd_put64(p + 8, sizeof(s->key));
	}
	return s->meta_len;
}

void vmsd_build_start(struct vmsd_sender *s, u64 panic_task, s64 panic_time)
{
	u8 *b = s->start_body;

	memset(b, 0, VMSD_SESSION_START_BODY);
	vmsd_put32(b + 0, PAGE_SIZE);
	vmsd_put32(b + 4, s->max_datagram);
	vmsd_put64(b + 8, s->max_pfn);
	vmsd_put64(b + 16, panic_task);
	vmsd_put64(b + 24, phys_base);
	vmsd_put64(b + 32, (u64)panic_time);
	vmsd_put32(b + 40, s->nr_cpus);
	vmsd_put16(b + 44, EM_X86_64);
	b[46] = 1; /* BLAKE2s-256 digest */
	b[47] = s->fec_k;
	b[48] = s->fec_m;
	b[49] = s->level_applied; /* zero pages are named in any case */
	vmsd_put16(b + 50, s->meta_chunk);
	vmsd_put32(b + 52, s->meta_len);
	memcpy(b + 56, s->boot_id, 16);
	strscpy(b + 72, init_uts_ns.name.release, 65);
}

void vmsd_send_meta(struct vmsd_sender *s)
{
	u32 chunk = 0;
	size_t at;

	for (at = 0; at < s->meta_len; at += s->meta_chunk, chunk++) {
		size_t n = min_t(size_t, s->meta_chunk, s->meta_len - at);
		u8 *b = s->ctrl_body;

		memset(b, 0, VMSD_META_HEADER);
		vmsd_put32(b + 8, chunk);
		memcpy(b + VMSD_META_HEADER, s->meta + at, n);
		vmsd_send_data(s, VMSD_META, b, VMSD_META_HEADER + n);
	}
}
