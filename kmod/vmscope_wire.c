// SPDX-License-Identifier: GPL-2.0
/*
 * Datagrams: the common header (spec §4), XChaCha20-Poly1305 (spec §8), data
 * packet numbering, FEC groups (spec §7) and the SESSION_START repeats (§10).
 * Runs at panic time: no allocation, no sleeping, no locks of our own.
 */
#include <linux/delay.h>
#include <linux/math64.h>
#include <asm/tsc.h>
#include <linux/string.h>
#include "vmscope_dump.h"

/*
 * Pacing (spec §10): the receiver cannot push back, so the sender keeps to
 * rate_mbit by spinning on the TSC until the bytes sent so far are due.
 * UDP (8), IPv4 (20) and Ethernet (14 + 4 FCS + 20 preamble/gap) count too.
 */
static void pace(struct vmsd_sender *s, unsigned int datagram)
{
	u64 due;

	if (!s->rate_mbit || !tsc_khz)
		return;
	if (!s->wire_bytes)
		s->pace_start = get_cycles();
	s->wire_bytes += datagram + 66;
	/* cycles = bits * tsc_khz * 1000 / (rate_mbit * 10^6) */
	due = s->pace_start + mul_u64_u32_div(s->wire_bytes * 8, tsc_khz, s->rate_mbit * 1000);
	while ((s64)(get_cycles() - due) < 0)
		cpu_relax();
}

static void send_datagram(struct vmsd_sender *s, enum vmsd_type type, const u8 *body,
			  unsigned int len, bool transmit)
{
	u8 *d = s->datagram;

	if (WARN_ON_ONCE(len + VMSD_OVERHEAD > s->max_datagram))
		return;
	vmsd_put32(d, VMSD_MAGIC);
	d[4] = VMSD_VERSION;
	d[5] = type;
	vmsd_put16(d + 6, 0);
	vmsd_put64(d + 8, s->host_id);
	vmsd_put64(d + 16, s->session_id);
	vmsd_put64(d + 24, s->seq);
	/* Every datagram, repeats included, takes the next seq: a nonce is never reused. */
	s->seq++;
	/* nonce = header[8..32], AD = header[0..32] */
	xchacha20poly1305_encrypt(d + VMSD_HEADER_SIZE, body, len, d, VMSD_HEADER_SIZE, d + 8, s->key);
	if (!transmit)
		return;
	netpoll_send_udp(&s->np, (const char *)d, len + VMSD_OVERHEAD);
	if (s->packet_gap_us)
		udelay(s->packet_gap_us);
	pace(s, len + VMSD_OVERHEAD);
}

void vmsd_send(struct vmsd_sender *s, enum vmsd_type type, const u8 *body, unsigned int len)
{
	send_datagram(s, type, body, len, true);
}

/* Sends the parity of the open FEC group (a partial group too) and starts a new one. */
void vmsd_flush_parity(struct vmsd_sender *s)
{
	unsigned int j;
	u8 *b = s->ctrl_body;

	if (!s->fec_k || !s->group_count)
		return;
	for (j = 0; j < s->fec_m; j++) {
		memset(b, 0, VMSD_PARITY_HEADER);
		vmsd_put64(b, s->group);
		b[8] = j;
		b[9] = s->group_count;
		vmsd_put16(b + 10, s->symbol_length);
		memcpy(b + VMSD_PARITY_HEADER, s->parity[j], s->symbol_length);
		vmsd_send(s, VMSD_PARITY, b, VMSD_PARITY_HEADER + s->symbol_length);
	}
	for (j = 0; j < s->fec_m; j++)
		memset(s->parity[j], 0, s->symbol_length);
	s->group_count = 0;
	s->symbol_length = 0;
	s->group++;
}

/*
 * A data packet (META or PAGES): numbered, sent, folded into the FEC group.
 * The FEC symbol is type || 0 || le16 length || body, zero-padded; zero padding
 * adds nothing to a parity, so the parity is accumulated packet by packet.
 */
void vmsd_send_data(struct vmsd_sender *s, enum vmsd_type type, u8 *body, unsigned int len)
{
	/* Test hook (debug_drop_every): lose every Nth data packet, as a lossy network would. */
	bool transmit = !s->drop_every || (s->data_index + 1) % s->drop_every != 0;

	vmsd_put64(body, s->data_index);
	s->data_index++;
	send_datagram(s, type, body, len, transmit);
	if (s->fec_k) {
		u8 prefix[4] = { type, 0, len & 0xff, len >> 8 };

		vmsd_fec_add(s->parity, s->fec_m, s->group_count, 0, prefix, 4);
		vmsd_fec_add(s->parity, s->fec_m, s->group_count, 4, body, len);
		if (len + 4 > s->symbol_length)
			s->symbol_length = len + 4;
		s->group_count++;
		if (s->group_count == s->fec_k)
			vmsd_flush_parity(s);
	}
	if (s->data_index % VMSD_START_EVERY == 0)
		vmsd_send(s, VMSD_SESSION_START, s->start_body, VMSD_SESSION_START_BODY);
}
