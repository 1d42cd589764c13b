// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters, arming (everything allocated and configured at load
 * time) and the panic notifier that sends the dump.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/rtnetlink.h>
#include <linux/inet.h>
#include <linux/ioport.h>
#include <linux/kernel_read_file.h>
#include <asm/irqflags.h>
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/panic_notifier.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/fs.h>
#include <asm/tsc.h>
#include <linux/uuid.h>
#include <linux/vmalloc.h>
#include <linux/zstd.h>
#include "vmscope_dump.h"

static char *receiver_ip;
module_param(receiver_ip, charp, 0444);
MODULE_PARM_DESC(receiver_ip, "IPv4 address of the vmscope receiver (required)");
static int receiver_port = 6677;
module_param(receiver_port, int, 0444);
MODULE_PARM_DESC(receiver_port, "UDP port of the receiver's dump listener (default 6677)");
static char *receiver_mac;
module_param(receiver_mac, charp, 0444);
MODULE_PARM_DESC(receiver_mac, "Ethernet address of the receiver or gateway (default broadcast)");
static char *dev = "eth0";
module_param(dev, charp, 0444);
MODULE_PARM_DESC(dev, "network interface to send from (default eth0)");
static char *local_ip;
module_param(local_ip, charp, 0444);
MODULE_PARM_DESC(local_ip, "source IPv4 address (default: the interface's address)");
static int local_port = 6677;
module_param(local_port, int, 0444);
MODULE_PARM_DESC(local_port, "source UDP port (default 6677)");
/* Secrets: mode 0, so they are not in sysfs; their strings are wiped once parsed. */
static char *key_file;
module_param(key_file, charp, 0);
MODULE_PARM_DESC(key_file, "the host's key file written by 'vmscope keygen' (host_id=, key=)");
static char *key;
module_param(key, charp, 0);
MODULE_PARM_DESC(key, "the host key, 64 hex digits (instead of key_file)");
static char *host_id;
module_param(host_id, charp, 0444);
MODULE_PARM_DESC(host_id, "the host id, 0x<hex> (instead of key_file)");
static char *compression = "lz4";
module_param(compression, charp, 0444);
MODULE_PARM_DESC(compression, "page compression: lz4 (default), zstd or none");
static int fec_k;
module_param(fec_k, int, 0444);
MODULE_PARM_DESC(fec_k, "data packets per FEC group, 0 (no FEC, default) .. 64");
static int fec_m;
module_param(fec_m, int, 0444);
MODULE_PARM_DESC(fec_m, "parity packets per FEC group, 1..16 when fec_k > 0");
static int max_datagram = 1452;
module_param(max_datagram, int, 0444);
MODULE_PARM_DESC(max_datagram, "largest UDP payload sent, 512..65507, must fit the path MTU");
static int rate_mbit;
module_param(rate_mbit, int, 0444);
MODULE_PARM_DESC(rate_mbit, "send rate, Mbit/s (default: 90% of the link speed if the driver reports one, else unpaced; -1: unpaced)");
static int packet_gap_us;
module_param(packet_gap_us, int, 0444);
MODULE_PARM_DESC(packet_gap_us, "pause after each datagram, microseconds (pacing; default 0)");

static int dump_level;
module_param(dump_level, int, 0444);
MODULE_PARM_DESC(dump_level, "page filter: 0 (every RAM page, default) or 16 (leave out free pages)");
static int debug_drop_every;
module_param(debug_drop_every, int, 0444);
MODULE_PARM_DESC(debug_drop_every, "testing only: do not transmit every Nth data packet (0 = off)");

static struct vmsd_sender *sender;
static atomic_t fired = ATOMIC_INIT(0);

/* "host_id=0x…" and "key=<64 hex>" lines of a vmscope key file. */
static int parse_key_text(struct vmsd_sender *s, char *text, size_t size, bool *have_id,
			  bool *have_key)
{
	char *line, *next = text;

	text[size] = '\0';
	while ((line = strsep(&next, "\n")) != NULL) {
		line = strim(line);
		if (!strncmp(line, "host_id=", 8)) {
			if (kstrtou64(line + 8, 0, &s->host_id))
				return -EINVAL;
			*have_id = true;
		} else if (!strncmp(line, "key=", 4)) {
			if (strlen(line + 4) != 64 || hex2bin(s->key, line + 4, 32))
				return -EINVAL;
			*have_key = true;
		}
	}
	return 0;
}

static int load_key(struct vmsd_sender *s)
{
	bool have_id = false, have_key = false;
	int err = 0;

	if (key_file) {
		void *buf = NULL;
		size_t file_size = 0;
		ssize_t n = kernel_read_file_from_path(key_file, 0, &buf, 4095, &file_size,
						       READING_UNKNOWN);
		char *text;

		if (n < 0) {
			pr_err("cannot read key_file %s: %zd\n", key_file, n);
			return n;
		}
		text = kzalloc(n + 1, GFP_KERNEL);
		if (text) {
			memcpy(text, buf, n);
			err = parse_key_text(s, text, n, &have_id, &have_key);
			kfree_sensitive(text);
		} else {
			err = -ENOMEM;
		}
		memzero_explicit(buf, n);
		vfree(buf);
		if (err)
			return err;
	}
	if (key) {
		if (strlen(key) != 64 || hex2bin(s->key, key, 32))
			err = -EINVAL;
		memzero_explicit(key, strlen(key));
		have_key = !err;
	}
	if (host_id) {
		if (kstrtou64(host_id, 0, &s->host_id))
			return -EINVAL;
		have_id = true;
	}
	if (err || !have_key || !have_id || !s->host_id) {
		pr_err("need a key and a nonzero host id (key_file=, or key= and host_id=)\n");
		return -EINVAL;
	}
	return 0;
}

/* Reads a small text file (procfs has no size, so not kernel_read_file) into buf. */
static ssize_t read_text(const char *path, char *buf, size_t size)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, size - 1, &pos);
	filp_close(f, NULL);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

/*
 * The boot id (for correlation), the command line (META) and where the kernel
 * keeps each CPU's crash note (sysfs, as kexec-tools finds them), as they are now.
 */
static void read_boot_facts(struct vmsd_sender *s)
{
	char id[64];
	uuid_t uuid;
	unsigned int cpu;

	if (read_text("/proc/sys/kernel/random/boot_id", id, sizeof(id)) > 0 &&
	    !uuid_parse(strim(id), &uuid))
		memcpy(s->boot_id, uuid.b, sizeof(s->boot_id));
	for (cpu = 0; cpu < min_t(unsigned int, nr_cpu_ids, VMSD_MAX_NOTE_CPUS); cpu++) {
		char path[64];
		u64 pa;

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/crash_notes", cpu);
		if (read_text(path, id, sizeof(id)) > 0 && !kstrtou64(strim(id), 16, &pa))
			s->crash_notes[cpu] = pa;
	}
	if (read_text("/sys/devices/system/cpu/cpu0/crash_notes_size", id, sizeof(id)) > 0 &&
	    kstrtouint(strim(id), 10, &s->crash_notes_size))
		s->crash_notes_size = 0;
	if (read_text("/proc/cmdline", s->command_line, sizeof(s->command_line)) > 0) {
		size_t n = strlen(s->command_line);

		while (n && isspace(s->command_line[n - 1]))
			s->command_line[--n] = '\0';
	}
}

static int add_ram_range(struct resource *res, void *arg)
{
	struct vmsd_sender *s = arg;
	u64 start = PFN_UP(res->start), end = PFN_DOWN(res->end + 1);
	struct vmsd_range *last = s->nr_ranges ? &s->ranges[s->nr_ranges - 1] : NULL;

	if (end <= start)
		return 0;
	if (last && last->start_pfn + last->pfn_count == start) {
		last->pfn_count += end - start;
	} else {
		if (s->nr_ranges == VMSD_MAX_RANGES)
			return -E2BIG;
		s->ranges[s->nr_ranges].start_pfn = start;
		s->ranges[s->nr_ranges].pfn_count = end - start;
		s->nr_ranges++;
	}
	s->max_pfn = max(s->max_pfn, end);
	return 0;
}

static int alloc_buffers(struct vmsd_sender *s)
{
	unsigned int j;

	s->datagram = kzalloc(s->max_datagram, GFP_KERNEL);
	s->body = kzalloc(s->max_datagram, GFP_KERNEL);
	s->ctrl_body = kzalloc(s->max_datagram, GFP_KERNEL);
	s->page_copy = kzalloc(PAGE_SIZE, GFP_KERNEL);
	s->page_out = kzalloc(PAGE_SIZE, GFP_KERNEL);
	s->meta_cap = 64 * 1024 + (s->dump_level ? VMSD_MAX_DUMPABLE * 16 : 0);
	s->meta = kvzalloc(s->meta_cap, GFP_KERNEL);
	if (!s->datagram || !s->body || !s->ctrl_body || !s->page_copy || !s->page_out || !s->meta)
		return -ENOMEM;
	if (s->dump_level) {
		s->dumpable = kvcalloc(VMSD_MAX_DUMPABLE, sizeof(*s->dumpable), GFP_KERNEL);
		if (!s->dumpable)
			return -ENOMEM;
	}
	if (s->compression == VMSD_COMP_LZ4) {
		s->lz4_work = vzalloc(LZ4_MEM_COMPRESS);
		if (!s->lz4_work)
			return -ENOMEM;
	}
	if (s->compression == VMSD_COMP_ZSTD) {
		zstd_parameters params = zstd_get_params(1, PAGE_SIZE);

		s->zstd_work_size = zstd_cctx_workspace_bound(&params.cParams);
		s->zstd_work = vzalloc(s->zstd_work_size);
		if (!s->zstd_work)
			return -ENOMEM;
	}
	for (j = 0; j < s->fec_m; j++) {
		s->parity[j] = kzalloc(s->body_limit + 4, GFP_KERNEL);
		if (!s->parity[j])
			return -ENOMEM;
	}
	return 0;
}

static void free_sender(struct vmsd_sender *s)
{
	unsigned int j;

	if (!s)
		return;
	if (s->np.dev)
		netpoll_cleanup(&s->np);
	kfree(s->datagram);
	kfree(s->body);
	kfree(s->ctrl_body);
	kfree(s->page_copy);
	kfree(s->page_out);
	kvfree(s->meta);
	kvfree(s->dumpable);
	vfree(s->lz4_work);
	vfree(s->zstd_work);
	for (j = 0; j < VMSD_FEC_MAX_M; j++)
		kfree(s->parity[j]);
	kfree_sensitive(s);
}

/* The whole session (spec §10 step 3). Runs once, in the panic notifier. */
static void send_dump(struct vmsd_sender *s, const char *message, const struct pt_regs *regs)
{
	int i;

	s->seq = 0;
	s->wire_bytes = 0;
	s->data_index = 0;
	s->pages_sent = s->zero_pages = s->unavailable = s->payload_bytes = 0;
	s->group = s->group_count = s->symbol_length = 0;
	s->body_len = s->body_records = 0;
	blake2s_init(&s->digest, BLAKE2S_HASH_SIZE);
	vmsd_save_crash_note(s, regs);
	vmsd_select_pages(s);
	vmsd_build_meta(s, message, regs);
	vmsd_build_start(s, (u64)(unsigned long)current, ktime_get_real_seconds());
	for (i = 0; i < 3; i++)
		vmsd_send(s, VMSD_SESSION_START, s->start_body, VMSD_SESSION_START_BODY);
	vmsd_send_meta(s);
	vmsd_send_pages(s);
	vmsd_send_meta(s);
	vmsd_flush_parity(s);
	vmsd_send_end(s, 0);
}

/*
 * The registers of this CPU, as the kernel's crash_setup_regs() takes them, but
 * with flags from native_save_fl(): crash_setup_regs' push/pop to a memory
 * operand confuses objtool's stack tracking in a module. Inlined, so ip and sp
 * are the notifier's own, a frame that stays live while the dump is sent.
 */
static __always_inline void capture_regs(struct pt_regs *r)
{
	asm volatile("movq %%rbx,%0" : "=m"(r->bx));
	asm volatile("movq %%rcx,%0" : "=m"(r->cx));
	asm volatile("movq %%rdx,%0" : "=m"(r->dx));
	asm volatile("movq %%rsi,%0" : "=m"(r->si));
	asm volatile("movq %%rdi,%0" : "=m"(r->di));
	asm volatile("movq %%rbp,%0" : "=m"(r->bp));
	asm volatile("movq %%rax,%0" : "=m"(r->ax));
	asm volatile("movq %%rsp,%0" : "=m"(r->sp));
	asm volatile("movq %%r8,%0" : "=m"(r->r8));
	asm volatile("movq %%r9,%0" : "=m"(r->r9));
	asm volatile("movq %%r10,%0" : "=m"(r->r10));
	asm volatile("movq %%r11,%0" : "=m"(r->r11));
	asm volatile("movq %%r12,%0" : "=m"(r->r12));
	asm volatile("movq %%r13,%0" : "=m"(r->r13));
	asm volatile("movq %%r14,%0" : "=m"(r->r14));
	asm volatile("movq %%r15,%0" : "=m"(r->r15));
	asm volatile("movl %%ss, %%eax;" : "=a"(r->ss));
	asm volatile("movl %%cs, %%eax;" : "=a"(r->cs));
	r->flags = native_save_fl();
	r->ip = _THIS_IP_;
}

static int vmsd_panic(struct notifier_block *nb, unsigned long event, void *data)
{
	u64 t0, ms;

	if (atomic_xchg(&fired, 1) || !sender)
		return NOTIFY_DONE;
	memset(&sender->regs, 0, sizeof(sender->regs));
	capture_regs(&sender->regs);
	/*
	 * Timed with the TSC: ktime_get could spin on a seqcount held by a stopped
	 * CPU, and the fast clocks read a clocksource (acpi_pm, hpet) that may wrap
	 * while interrupts are off for the whole dump.
	 */
	t0 = get_cycles();
	pr_emerg("sending dump to %pI4:%d, session %016llx\n", &sender->np.remote_ip.ip,
		 sender->np.remote_port, sender->session_id);
	send_dump(sender, data, &sender->regs);
	ms = tsc_khz ? div_u64(get_cycles() - t0, tsc_khz) : 0;
	pr_emerg("dump sent in %llu ms: %llu packets, %llu pages (%llu bytes stored), %llu zero, %llu unavailable, %llu free pages left out\n",
		 ms, sender->seq, sender->pages_sent, sender->payload_bytes, sender->zero_pages,
		 sender->unavailable, sender->excluded);
	return NOTIFY_DONE;
}

static struct notifier_block vmsd_panic_nb = {
	.notifier_call = vmsd_panic,
	.priority = INT_MIN, /* after the others: the panic message is out first */
};

static int configure(struct vmsd_sender *s)
{
	if (!receiver_ip) {
		pr_err("receiver_ip= is required\n");
		return -EINVAL;
	}
	if (max_datagram < VMSD_MIN_DATAGRAM || max_datagram > VMSD_MAX_DATAGRAM ||
	    fec_k < 0 || fec_k > VMSD_FEC_MAX_K || fec_m < 0 || fec_m > VMSD_FEC_MAX_M ||
	    (fec_k && !fec_m) || (!fec_k && fec_m) || receiver_port <= 0 || receiver_port > 65535 ||
	    local_port <= 0 || local_port > 65535 || packet_gap_us < 0 || packet_gap_us > 100000 ||
	    rate_mbit < -1 || rate_mbit > 1000000 ||
	    (dump_level != 0 && dump_level != VMSD_DL_FREE)) {
		pr_err("a parameter is out of range (max_datagram, fec_k, fec_m, ports, packet_gap_us, dump_level)\n");
		return -EINVAL;
	}
	if (!strcmp(compression, "lz4"))
		s->compression = VMSD_COMP_LZ4;
	else if (!strcmp(compression, "zstd"))
		s->compression = VMSD_COMP_ZSTD;
	else if (!strcmp(compression, "none"))
		s->compression = VMSD_COMP_NONE;
	else
		return -EINVAL;
	s->max_datagram = max_datagram;
	s->fec_k = fec_k;
	s->fec_m = fec_m;
	/* With FEC a data body leaves room for a parity header and the symbol prefix (§7). */
	s->body_limit = max_datagram - VMSD_OVERHEAD - (fec_k ? VMSD_PARITY_HEADER + 4 : 0);
	s->meta_chunk = min(s->body_limit - VMSD_META_HEADER, 65535u);
	s->packet_gap_us = packet_gap_us;
	s->rate_mbit = rate_mbit > 0 ? rate_mbit : 0;
	s->dump_level = dump_level;
	s->drop_every = debug_drop_every > 0 ? debug_drop_every : 0;
	s->nr_cpus = num_online_cpus();
	return 0;
}

static int configure_netpoll(struct vmsd_sender *s)
{
	struct netpoll *np = &s->np;

	np->name = KBUILD_MODNAME;
	strscpy(np->dev_name, dev, IFNAMSIZ);
	if (!in4_pton(receiver_ip, -1, (u8 *)&np->remote_ip.ip, -1, NULL))
		return -EINVAL;
	if (local_ip && !in4_pton(local_ip, -1, (u8 *)&np->local_ip.ip, -1, NULL))
		return -EINVAL;
	np->remote_port = receiver_port;
	np->local_port = local_port;
	if (receiver_mac) {
		if (!mac_pton(receiver_mac, np->remote_mac))
			return -EINVAL;
	} else {
		eth_broadcast_addr(np->remote_mac);
	}
	return netpoll_setup(np);
}

/* The spec's default pace: 90% of the link speed, when the driver knows it. */
static void default_rate(struct vmsd_sender *s)
{
	struct ethtool_link_ksettings ks;
	int err;

	if (rate_mbit != 0 || !s->np.dev)
		return;
	rtnl_lock();
	err = __ethtool_get_link_ksettings(s->np.dev, &ks);
	rtnl_unlock();
	if (!err && ks.base.speed != SPEED_UNKNOWN && ks.base.speed > 0)
		s->rate_mbit = ks.base.speed / 10 * 9;
}

static int __init vmsd_init(void)
{
	struct vmsd_sender *s;
	u64 ram_pages = 0;
	unsigned int i;
	int err;

	vmsd_fec_init();
	if (vmsd_fec_self_test()) {
		pr_err("FEC self test failed\n");
		return -EINVAL;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	err = configure(s);
	if (!err)
		err = load_key(s);
	if (!err)
		err = walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0,
					  -1, s, add_ram_range);
	if (!err && !s->nr_ranges)
		err = -ENODEV;
	if (!err)
		err = alloc_buffers(s);
	if (!err)
		read_boot_facts(s);
	if (!err)
		err = configure_netpoll(s);
	if (err) {
		free_sender(s);
		return err;
	}
	default_rate(s);
	/* Drawn now, so the panic path needs no randomness; never 0 (spec §9). */
	do {
		get_random_bytes(&s->session_id, sizeof(s->session_id));
	} while (!s->session_id);
	sender = s;
	atomic_notifier_chain_register(&panic_notifier_list, &vmsd_panic_nb);
	if (s->drop_every)
		pr_warn("testing: every %u-th data packet will not be sent\n", s->drop_every);
	for (i = 0; i < s->nr_ranges; i++)
		ram_pages += s->ranges[i].pfn_count;
	pr_info("armed: host %016llx, %u RAM ranges (%llu pages), max_pfn %llu, %s, fec %u+%u, dump_level %u, rate %u Mbit/s (0: unpaced), to %pI4:%d via %s\n",
		s->host_id, s->nr_ranges, ram_pages, s->max_pfn, compression, s->fec_k, s->fec_m, s->dump_level,
		s->rate_mbit,
		&s->np.remote_ip.ip, s->np.remote_port, s->np.dev_name);
	return 0;
}

static void __exit vmsd_exit(void)
{
	atomic_notifier_chain_unregister(&panic_notifier_list, &vmsd_panic_nb);
	free_sender(sender);
	sender = NULL;
}

module_init(vmsd_init);
module_exit(vmsd_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmscope: send this machine's memory to a vmscope receiver at panic");
