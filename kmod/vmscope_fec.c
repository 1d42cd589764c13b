// SPDX-License-Identifier: GPL-2.0
/*
 * Reed-Solomon erasure code of spec §7: GF(2^8) with polynomial 0x11D,
 * systematic Cauchy generator G[j,i] = y_i / (j XOR y_i), y_i = 16 + i, so
 * row 0 is plain XOR. The kernel's lib/reed_solomon corrects symbol errors in
 * one codeword; this is an erasure code across packets, so it is written here:
 * two 256-byte tables and the generator (16 x 64 bytes), built at load time.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include "vmscope_dump.h"

static u8 gf_exp[512];
static u8 gf_log[256];
static u8 generator[VMSD_FEC_MAX_M][VMSD_FEC_MAX_K];

static u8 gf_mul(u8 a, u8 b)
{
	if (!a || !b)
		return 0;
	return gf_exp[gf_log[a] + gf_log[b]];
}

static u8 gf_inv(u8 a)
{
	return gf_exp[255 - gf_log[a]]; /* a != 0 */
}

void vmsd_fec_init(void)
{
	unsigned int i, j, x = 1;

	for (i = 0; i < 255; i++) {
		gf_exp[i] = x;
		gf_exp[i + 255] = x;
		gf_log[x] = i;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
	}
	for (j = 0; j < VMSD_FEC_MAX_M; j++)
		for (i = 0; i < VMSD_FEC_MAX_K; i++) {
			u8 y = 16 + i;

			generator[j][i] = gf_mul(y, gf_inv(j ^ y));
		}
}

void vmsd_fec_add(u8 *const parity[], unsigned int m, unsigned int index, unsigned int offset,
		  const u8 *bytes, unsigned int len)
{
	unsigned int j, b;

	for (j = 0; j < m; j++) {
		u8 g = generator[j][index];
		u8 *p = parity[j] + offset;

		if (g == 1) {
			for (b = 0; b < len; b++)
				p[b] ^= bytes[b];
			continue;
		}
		{
			unsigned int lg = gf_log[g];

			for (b = 0; b < len; b++)
				if (bytes[b])
					p[b] ^= gf_exp[lg + gf_log[bytes[b]]];
		}
	}
}

/* The test vector of spec §7; a mismatch means the receiver could not use our parity. */
int vmsd_fec_self_test(void)
{
	static const u8 symbols[3][7] = {
		{ 0x03, 0x00, 0x03, 0x00, 0x01, 0x02, 0x03 },
		{ 0x03, 0x00, 0x01, 0x00, 0xff, 0x00, 0x00 },
		{ 0x03, 0x00, 0x02, 0x00, 0x10, 0x20, 0x00 },
	};
	static const u8 expect[2][7] = {
		{ 0x03, 0x00, 0x00, 0x00, 0xee, 0x22, 0x03 },
		{ 0x08, 0x00, 0xfe, 0x00, 0xc6, 0x09, 0x95 },
	};
	static const u8 row1[4] = { 0x73, 0xd9, 0x59, 0xc1 };
	u8 p0[7] = { 0 }, p1[7] = { 0 };
	u8 *const parity[2] = { p0, p1 };
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (generator[0][i] != 1 || generator[1][i] != row1[i])
			return -EINVAL;
	for (i = 0; i < 3; i++)
		vmsd_fec_add(parity, 2, i, 0, symbols[i], 7);
	if (memcmp(p0, expect[0], 7) || memcmp(p1, expect[1], 7))
		return -EINVAL;
	return 0;
}
